#include "net/metrics_json.hpp"

#include <map>

#include "domain/json_text.hpp"
#include "domain/performance_level.hpp"

namespace billd {
namespace {

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

std::string latency_json(const latency_histogram& h) {
  json_object o;
  o.real("min", ms(h.min()))
      .real("avg", h.mean() / 1000.0)
      .real("p50", ms(h.percentile(50)))
      .real("p90", ms(h.percentile(90)))
      .real("p99", ms(h.percentile(99)))
      .real("max", ms(h.max()));
  return o.finish();
}

double rate_pct(std::uint64_t part, std::uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

/// {"kind": value, …} from one owned family labelled by kind="…".
std::string by_kind(const figure_set& f, std::string_view family) {
  json_object o;
  constexpr std::string_view prefix = "kind=\"";
  for (const auto& fig : f.values)
    if (fig.family == family && fig.labels.starts_with(prefix))
      o.num(fig.labels.substr(prefix.size(), fig.labels.size() - prefix.size() - 1),
            static_cast<std::int64_t>(fig.value));
  return o.finish();
}

std::string missing_json(const metrics_snapshot& s) { return json_string_array(s.missing); }

}  // namespace

std::string breaker_state_of(const figure_set& f, std::string_view dependency) {
  auto labels = "dependency=\"" + std::string{dependency} + "\"";
  for (const auto& fig : f.values)
    if (fig.family == "billd_breaker_state" && fig.labels == labels)
      return fig.value >= 2 ? "open" : fig.value >= 1 ? "half_open" : "closed";
  return "unknown";
}

double owned_value(const figure_set& f, std::string_view family, std::string_view labels) {
  for (const auto& fig : f.values)
    if (fig.family == family && fig.labels == labels) return fig.value;
  return 0;
}

std::string service_metrics_json(const metrics_snapshot& s) {
  auto requests = s.requests();
  auto errors = s.server_errors();
  std::vector<std::string> routes;
  for (const auto& [key, fig] : s.routes) {
    json_object r;
    r.str("route", key.first)
        .str("status", std::to_string(key.second) + "xx")
        .num("count", static_cast<std::int64_t>(fig.count))
        .raw("latency_ms", latency_json(fig.latency));
    routes.push_back(r.finish());
  }
  json_object codes;
  for (auto [status, n] : s.statuses)
    codes.num(std::to_string(status), static_cast<std::int64_t>(n));
  std::vector<std::string> slow;
  for (const auto& r : s.slow) {
    json_object o;
    o.str("request_id", r.request_id)
        .str("route", r.route)
        .num("status", r.status)
        .real("ms", r.ms)
        .num("at_unix_ms", r.at_unix_ms);
    slow.push_back(o.finish());
  }
  const auto& w = s.last_5min;
  json_object window;
  window.num("requests", static_cast<std::int64_t>(w.requests))
      .num("server_errors", static_cast<std::int64_t>(w.server_errors))
      .real("error_rate_pct", w.error_rate_pct())
      .real("avg_response_ms", w.avg_ms())
      .num("slow_requests", static_cast<std::int64_t>(w.slow));
  json_object actors;
  actors.raw("mailbox_depth", by_kind(s.owned, "billd_actor_mailbox_depth"))
      .raw("restarts", by_kind(s.owned, "billd_actor_restarts_total"));
  json_object o;
  o.num("requests", static_cast<std::int64_t>(requests))
      .num("server_errors", static_cast<std::int64_t>(errors))
      .real("error_rate_pct", rate_pct(errors, requests))
      .raw("latency_ms", latency_json(s.all_latency()))
      .raw("status_codes", codes.finish())
      .raw("routes", json_array(routes))
      .num("in_flight", s.in_flight)
      .num("shed", static_cast<std::int64_t>(s.shed))
      .num("rate_limited", static_cast<std::int64_t>(s.rate_limited))
      .num("active_sessions", static_cast<std::int64_t>(s.active_sessions))
      .raw("slow_requests", json_array(slow))
      .raw("last_5min", window.finish())
      .str("performance", to_string(performance_of(w.error_rate_pct(), w.avg_ms())))
      .raw("actors", actors.finish())
      .raw("missing", missing_json(s))
      .real("uptime_s", s.uptime_s);
  return o.finish();
}

std::string database_metrics_json(const metrics_snapshot& s, double slow_query_ms,
                                  const std::optional<std::vector<table_size>>& tables) {
  const latency_histogram* queries = nullptr;
  for (const auto& h : s.owned.histograms)
    if (h.family == "billd_db_query_duration_seconds") queries = &h.latency;
  latency_histogram none;
  const auto& q = queries ? *queries : none;
  std::vector<std::string> slow;
  for (const auto& st : s.owned.slow) {
    json_object o;
    o.str("statement", st.name)
        .str("request_id", st.request_id)
        .real("ms", st.ms)
        .num("at_unix_ms", st.at_unix_ms);
    slow.push_back(o.finish());
  }
  const auto& f = s.owned;
  auto busy = owned_value(f, "billd_db_pool_connections", "state=\"busy\"");
  auto idle = owned_value(f, "billd_db_pool_connections", "state=\"idle\"");
  json_object pool;
  pool.num("size", static_cast<std::int64_t>(busy + idle))
      .num("busy", static_cast<std::int64_t>(busy))
      .num("idle", static_cast<std::int64_t>(idle))
      .num("waiting", static_cast<std::int64_t>(owned_value(f, "billd_db_pool_waiting")))
      .num("waiting_max", static_cast<std::int64_t>(owned_value(f, "billd_db_pool_waiting_max")))
      .str("breaker", breaker_state_of(f, "postgresql"));
  std::string tables_json = "null";
  if (tables) {
    std::vector<std::string> items;
    for (const auto& t : *tables) {
      json_object o;
      o.str("table", t.name)
          .num("total_bytes", t.total_bytes)
          .num("rows_estimate", t.rows_estimate);
      items.push_back(o.finish());
    }
    tables_json = json_array(items);
  }
  json_object o;
  o.num("queries", static_cast<std::int64_t>(q.count()))
      .real("total_ms", static_cast<double>(q.sum()) / 1000.0)
      .real("avg_ms", q.mean() / 1000.0)
      .raw("latency_ms", latency_json(q))
      .real("slow_query_ms", slow_query_ms)
      .num("slow_queries_total",
           static_cast<std::int64_t>(owned_value(f, "billd_db_slow_queries_total")))
      .raw("slow_queries", json_array(slow))
      .raw("pool", pool.finish())
      .raw("tables", tables_json)
      .raw("missing", missing_json(s));
  return o.finish();
}

std::string cache_metrics_json(const metrics_snapshot& s) {
  const auto& f = s.owned;
  auto level = [&](const char* name, bool memory) {
    auto labels = "level=\"" + std::string{name} + "\"";
    auto hits = owned_value(f, "billd_cache_hits_total", labels);
    auto misses = owned_value(f, "billd_cache_misses_total", labels);
    json_object o;
    o.num("hits", static_cast<std::int64_t>(hits))
        .num("misses", static_cast<std::int64_t>(misses))
        .real("hit_rate_pct", hits + misses > 0 ? 100.0 * hits / (hits + misses) : 0.0);
    if (memory) {
      o.num("entries", static_cast<std::int64_t>(owned_value(f, "billd_cache_entries", labels)))
          .num("bytes", static_cast<std::int64_t>(owned_value(f, "billd_cache_size_bytes", labels)))
          .num("evictions",
               static_cast<std::int64_t>(owned_value(f, "billd_cache_evictions_total", labels)))
          .num("expirations",
               static_cast<std::int64_t>(owned_value(f, "billd_cache_expirations_total", labels)));
    } else {
      o.num("errors", static_cast<std::int64_t>(owned_value(f, "billd_cache_errors_total", labels)))
          .num("bypasses",
               static_cast<std::int64_t>(owned_value(f, "billd_cache_bypasses_total", labels)));
    }
    return o.finish();
  };
  bool redis = false;
  for (const auto& fig : f.values) redis = redis || fig.labels == "level=\"redis\"";
  json_object levels;
  levels.raw("memory", level("memory", true));
  levels.raw("redis", redis ? level("redis", false) : "null");
  json_object o;
  o.raw("levels", levels.finish())
      .num("loads_in_flight",
           static_cast<std::int64_t>(owned_value(f, "billd_cache_loads_in_flight")))
      .raw("missing", missing_json(s));
  return o.finish();
}

}  // namespace billd
