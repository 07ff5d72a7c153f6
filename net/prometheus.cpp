#include "net/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

namespace billd {
namespace {

struct family_info {
  const char* type;
  const char* help;
};

/// Every family billd exports; a figure of a family missing here is not exported (and the
/// unit test of this table catches it).
const std::map<std::string_view, family_info>& families() {
  static const std::map<std::string_view, family_info> table{
      {"billd_http_requests_total", {"counter", "Requests answered, by route and status class."}},
      {"billd_http_request_duration_seconds",
       {"histogram", "Time from a request's arrival to its answer, by route and status class."}},
      {"billd_http_responses_total", {"counter", "Answers by HTTP status code."}},
      {"billd_http_requests_in_flight", {"gauge", "Requests admitted and not yet answered."}},
      {"billd_http_shed_total",
       {"counter", "Requests refused by admission control (503 before any work)."}},
      {"billd_http_rate_limited_total", {"counter", "Requests refused by rate limits (429)."}},
      {"billd_http_late_answers_total",
       {"counter",
        "Answers from inside billd that came after their request was answered 503 at "
        "its deadline (dropped)."}},
      {"billd_active_sessions", {"gauge", "Distinct tokens used in the last 30 minutes."}},
      {"billd_uptime_seconds", {"gauge", "Seconds since this billd started."}},
      {"billd_metrics_sources_missing",
       {"gauge", "Actors that did not report in time for this scrape."}},
      {"billd_db_pool_connections", {"gauge", "Database connections by state."}},
      {"billd_db_pool_waiting", {"gauge", "Statements waiting for a connection."}},
      {"billd_db_pool_waiting_max", {"gauge", "Bound of the statement wait queue."}},
      {"billd_db_query_duration_seconds",
       {"histogram", "Execution time of statements on a connection."}},
      {"billd_db_slow_queries_total",
       {"counter", "Statements that ran at least db.slow_query_ms."}},
      {"billd_db_abandoned_total",
       {"counter",
        "Database work whose callers were answered while it still ran (a read past its "
        "deadline, or work stuck with no progress)."}},
      {"billd_db_replaced_total", {"counter", "Hung database connections replaced by fresh ones."}},
      {"billd_db_stranded_workers",
       {"gauge", "Threads of replaced connections still waiting on the server."}},
      {"billd_db_group_commits_total",
       {"counter", "Transactions that committed several queued writes at once (group commit)."}},
      {"billd_db_group_commit_writes_total",
       {"counter", "Writes committed inside those group-commit transactions."}},
      {"billd_billing_batches_total",
       {"counter", "Batches of creates or payment notifications the billing shards wrote."}},
      {"billd_billing_batch_members_total", {"counter", "Creates or notifications in them."}},
      {"billd_billing_batch_retries_total",
       {"counter", "Members of failed batches written again one by one."}},
      {"billd_breaker_state",
       {"gauge", "Circuit breaker state by dependency: 0 closed, 1 half-open, 2 open."}},
      {"billd_breaker_transitions_total", {"counter", "Circuit breaker state changes."}},
      {"billd_actor_mailbox_depth",
       {"gauge", "Messages waiting in the mailboxes of an actor kind."}},
      {"billd_actor_restarts_total", {"counter", "Restarts of an actor kind by its supervisor."}},
      {"billd_cache_hits_total", {"counter", "Bill cache hits by level."}},
      {"billd_cache_misses_total", {"counter", "Bill cache misses by level."}},
      {"billd_cache_evictions_total", {"counter", "Bills evicted to stay within the bounds."}},
      {"billd_cache_expirations_total", {"counter", "Bills dropped because their TTL passed."}},
      {"billd_cache_errors_total", {"counter", "Failed Redis reads."}},
      {"billd_cache_bypasses_total",
       {"counter", "Reads that skipped Redis (breaker open or too many commands out)."}},
      {"billd_cache_entries", {"gauge", "Bills cached in memory."}},
      {"billd_cache_size_bytes", {"gauge", "Bytes of bills cached in memory."}},
      {"billd_cache_loads_in_flight", {"gauge", "Bill loads under way (single flight)."}},
      {"billd_cache_redis_in_flight", {"gauge", "Redis commands outstanding."}},
      {"billd_auth_hash_queue", {"gauge", "Password hashes waiting for a thread."}},
      {"billd_auth_hash_queue_max", {"gauge", "Bound of the password hash queue."}},
      {"billd_gateway_connections_idle", {"gauge", "Idle connections to the payment gateway."}},
      {"billd_gateway_waiting", {"gauge", "Gateway calls waiting for a connection."}},
      {"billd_gateway_retries_scheduled", {"gauge", "Gateway calls waiting to be retried."}},
      {"billd_audit_seal_held_back_seconds",
       {"gauge", "How long a transaction left open has kept the audit seal from its bound."}},
      {"billd_gateway_log_rows_waiting",
       {"gauge", "Gateway log rows waiting while earlier ones are written."}},
      {"billd_gateway_log_rows_dropped_total",
       {"counter", "Gateway log rows dropped: more than gateway.log_queue_max waited."}},
      {"billd_jobs", {"gauge", "Durable jobs by status (all nodes)."}},
      {"billd_jobs_in_progress", {"gauge", "Jobs this node is working on."}},
      {"billd_jobs_in_progress_max", {"gauge", "Jobs this node works on at most at once."}},
  };
  return table;
}

/// Histogram bounds in seconds (0.5 ms … 10 s), then +Inf.
constexpr double bounds_s[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};

/// A label value with \, " and newlines escaped.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class exposition {
 public:
  /// Writes HELP and TYPE the first time a family appears.
  void header(std::string_view family) {
    if (!seen_.emplace(family, true).second) return;
    const auto& info = families().at(family);
    out_ += "# HELP ";
    out_ += family;
    out_ += ' ';
    out_ += info.help;
    out_ += "\n# TYPE ";
    out_ += family;
    out_ += ' ';
    out_ += info.type;
    out_ += '\n';
  }

  void sample(std::string_view name, const std::string& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    append_prometheus_number(out_, value);
    out_ += '\n';
  }

  void value(std::string_view family, const std::string& labels, double v) {
    if (!families().count(family)) return;
    header(family);
    sample(family, labels, v);
  }

  void histogram(std::string_view family, const std::string& labels, const latency_histogram& h) {
    if (!families().count(family)) return;
    header(family);
    auto prefix = labels.empty() ? std::string{} : labels + ",";
    std::string name{family};
    for (double le : bounds_s) {
      std::string le_text;
      append_prometheus_number(le_text, le);
      auto micros = static_cast<std::uint64_t>(std::llround(le * 1e6));
      sample(name + "_bucket", prefix + "le=\"" + le_text + "\"",
             static_cast<double>(h.count_at_most(micros)));
    }
    sample(name + "_bucket", prefix + "le=\"+Inf\"", static_cast<double>(h.count()));
    sample(name + "_sum", labels, static_cast<double>(h.sum()) / 1e6);
    sample(name + "_count", labels, static_cast<double>(h.count()));
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::map<std::string_view, bool> seen_;
};

std::string route_labels(const std::pair<std::string, int>& key) {
  return "route=\"" + label_value(key.first) + "\",status=\"" + std::to_string(key.second) + "xx\"";
}

}  // namespace

void append_prometheus_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (v == 0) {  // -0 too
    out += '0';
    return;
  }
  // Plain decimals over the range a reader takes in at a glance. The shortest form alone
  // writes 300000 as "3e+05" and 0.0005 as "5e-04": exact, but not what an operator expects
  // of a count or a bucket bound. Both forms are the shortest that reads back exactly.
  auto magnitude = std::fabs(v);
  auto format =
      magnitude >= 1e-6 && magnitude < 1e16 ? std::chars_format::fixed : std::chars_format::general;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format);
  out.append(buf, ec == std::errc{} ? end : buf);
}

std::string prometheus_text(const metrics_snapshot& s) {
  exposition e;
  for (const auto& [key, fig] : s.routes)
    e.value("billd_http_requests_total", route_labels(key), static_cast<double>(fig.count));
  for (const auto& [key, fig] : s.routes)
    e.histogram("billd_http_request_duration_seconds", route_labels(key), fig.latency);
  for (auto [status, n] : s.statuses)
    e.value("billd_http_responses_total", "code=\"" + std::to_string(status) + "\"",
            static_cast<double>(n));
  e.value("billd_http_requests_in_flight", "", s.in_flight);
  e.value("billd_http_shed_total", "", static_cast<double>(s.shed));
  e.value("billd_http_rate_limited_total", "", static_cast<double>(s.rate_limited));
  e.value("billd_http_late_answers_total", "", static_cast<double>(s.late_answers));
  e.value("billd_active_sessions", "", static_cast<double>(s.active_sessions));
  e.value("billd_uptime_seconds", "", s.uptime_s);
  e.value("billd_metrics_sources_missing", "", static_cast<double>(s.missing.size()));
  // Owned figures, grouped by family so each family's samples stay together.
  std::map<std::string_view, std::vector<const figure*>> by_family;
  for (const auto& f : s.owned.values) by_family[f.family].push_back(&f);
  for (const auto& [family, figs] : by_family)
    for (const auto* f : figs) e.value(family, f->labels, f->value);
  for (const auto& h : s.owned.histograms) e.histogram(h.family, h.labels, h.latency);
  return e.take();
}

/// For the unit test: whether a family is known.
bool prometheus_family_known(std::string_view family) { return families().count(family) > 0; }

}  // namespace billd
