#include "actors/gateway_client.hpp"

#include <rapidjson/document.h>
#include <caf/all.hpp>

#include <deque>
#include <random>
#include <unordered_map>

#include "actors/ask_within.hpp"
#include "actors/backoff.hpp"
#include "actors/circuit_breaker.hpp"
#include "actors/db_call.hpp"
#include "domain/signature.hpp"
#include "log/module_log.hpp"
#include "storage/gateway_log_store.hpp"

namespace billd {
namespace {

using std::chrono::milliseconds;

/// One call in progress across its attempts.
struct call_progress {
  gateway_call call;
  caf::typed_response_promise<gateway_result> promise;
  std::uint32_t attempt = 0;  // attempts made so far
};
using progress_ptr = std::shared_ptr<call_progress>;

/// What one exchange means for the call and the breaker.
struct exchange_reading {
  gateway_result result;
  bool final = true;  // false: another attempt may help
  bool breaker_failure = false;
  std::string log_status;
  milliseconds retry_after{0};
};

struct gateway_client_state {
  static inline const char* name = "gateway-client";
  gateway_client_config cfg;
  std::unique_ptr<circuit_breaker> breaker;
  std::vector<gateway_conn_actor> idle;
  std::deque<std::function<void(gateway_conn_actor)>> waiting;
  std::unordered_map<std::uint64_t, progress_ptr> delayed;
  std::uint64_t next_delay_id = 0;
  std::minstd_rand rng{std::random_device{}()};
  call_deadlines calls;  // exchanges handed to gateway-conns (ask_within)
  // Log rows of finished exchanges: the ones that arrive while a write is in flight go
  // together in the next (at most gateway.log_queue_max wait; more are dropped and counted).
  std::vector<gateway_log_entry> log_rows;
  bool log_writing = false;
  std::uint64_t log_rows_dropped = 0;        // since the last warning
  std::uint64_t log_rows_dropped_total = 0;  // for /metrics
};

using self_ptr = gateway_client_actor::stateful_pointer<gateway_client_state>;

std::string error_message_of(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("error") && doc["error"].IsObject() &&
      doc["error"].HasMember("message") && doc["error"]["message"].IsString())
    return doc["error"]["message"].GetString();
  return body.substr(0, 200);
}

std::string control_number_of(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("control_number") &&
      doc["control_number"].IsString())
    return doc["control_number"].GetString();
  return {};
}

milliseconds retry_after_of(const outbound_response& r) {
  auto text = r.header("retry-after");
  if (text.empty()) return milliseconds{0};
  try {
    return milliseconds{std::stoll(text) * 1000};
  } catch (...) {
    return milliseconds{0};
  }
}

exchange_reading read_exchange(const gateway_call& call, const outbound_response& r) {
  exchange_reading x;
  auto transient = [&](std::string status, std::string reason) {
    x.final = false;
    x.breaker_failure = true;
    x.log_status = std::move(status);
    x.result.verdict = gateway_verdict::retry_later;
    x.result.reason = std::move(reason);
    x.retry_after = retry_after_of(r);
  };
  if (r.error != wire_error::none) {
    transient(r.error == wire_error::timeout ? "timeout" : "connection_error", r.error_text);
    return x;
  }
  auto s = r.status;
  if (s >= 500 || s == 408 || s == 425 || s == 429) {
    transient("retryable", "HTTP " + std::to_string(s));
    return x;
  }
  if (call.kind == gateway_call_kind::withdrawal) {
    if ((s >= 200 && s < 300) || s == 404) {
      x.result.verdict = gateway_verdict::done;
      x.log_status = s == 404 ? "unknown" : "withdrawn";
      return x;
    }
  } else if (s == 200 || s == 201) {
    auto cn = control_number_of(r.body);
    if (cn.empty() || cn.size() > 64) {
      transient("malformed", "a 200 without a usable control_number");
      x.breaker_failure = false;
      return x;
    }
    x.result.verdict = gateway_verdict::issued;
    x.result.control_number = cn;
    x.log_status = "issued";
    return x;
  } else if (s == 202) {
    x.result.verdict = gateway_verdict::accepted;
    x.log_status = "accepted";
    return x;
  }
  // Any other answer is final and says nothing about the gateway's health.
  x.result.verdict = gateway_verdict::refused;
  x.result.reason = error_message_of(r.body);
  if (x.result.reason.empty()) x.result.reason = "HTTP " + std::to_string(s);
  x.log_status = "refused";
  return x;
}

/// Writes the waiting log rows in one statement, unless a write is in flight (its end writes
/// what came meanwhile). The log is best effort: a lost row must not hold up the money path.
/// The write shares a group-commit transaction with other writes (it locks nothing they could
/// hold): one row a transaction of its own cost a WAL flush for every gateway call.
void write_log(self_ptr self) {
  auto& st = self->state;
  if (st.log_writing || st.log_rows.empty()) return;
  if (auto dropped = std::exchange(st.log_rows_dropped, 0))
    logger_of(log_module::gateway)
        .warn("{} gateway log rows dropped: more than gateway.log_queue_max waited", dropped);
  st.log_writing = true;
  auto rows = std::exchange(st.log_rows, {});
  auto count = rows.size();
  db_call<bool>(
      self, st.cfg.db, "gateway_log_insert", true, st.cfg.db_timeout,
      [rows = std::move(rows)](pg_connection& c) {
        insert_gateway_logs(c, rows);
        return true;
      },
      [self, count](const db_outcome& o, std::optional<bool>&& ok) {
        self->state.log_writing = false;
        if (!ok)
          logger_of(log_module::gateway).warn("{} gateway log rows lost: {}", count, o.message);
        write_log(self);
      },
      {}, db_queueing::grouped_write({}));
}

void log_exchange(self_ptr self, const call_progress& p, const exchange_reading& x,
                  const outbound_response& r) {
  gateway_log_entry e;
  e.bill_id = p.call.bill_id;
  e.req_type = p.call.kind == gateway_call_kind::withdrawal ? "withdrawal" : "control_number";
  e.status = x.log_status;
  if (r.error == wire_error::none) e.http_status = r.status;
  e.latency_ms = r.took.count();
  e.attempt = static_cast<std::int32_t>(p.attempt);
  e.detail = r.error != wire_error::none ? r.error_text : x.result.reason;
  auto& st = self->state;
  if (st.log_rows.size() >= st.cfg.gateway.log_queue_max) {
    ++st.log_rows_dropped;
    ++st.log_rows_dropped_total;
    return;
  }
  st.log_rows.push_back(std::move(e));
  write_log(self);
}

void release(self_ptr self, gateway_conn_actor conn) {
  auto& st = self->state;
  if (!st.waiting.empty()) {
    auto next = std::move(st.waiting.front());
    st.waiting.pop_front();
    next(std::move(conn));
    return;
  }
  st.idle.push_back(std::move(conn));
}

void attempt(self_ptr self, progress_ptr p);

void finish_exchange(self_ptr self, progress_ptr p, const outbound_response& r) {
  auto& st = self->state;
  auto x = read_exchange(p->call, r);
  st.breaker->record(x.breaker_failure, r.took, self->clock().now());
  log_exchange(self, *p, x, r);
  if (x.final || p->attempt >= st.cfg.gateway.attempts) {
    if (!x.final) x.result.retry_after_ms = static_cast<std::uint32_t>(x.retry_after.count());
    p->promise.deliver(std::move(x.result));
    return;
  }
  auto delay =
      full_jitter(st.cfg.gateway.retry_base, st.cfg.gateway.retry_cap, p->attempt - 1, st.rng);
  delay = std::max(delay, x.retry_after);
  if (delay > st.cfg.gateway.retry_cap) {
    // The gateway asks for more patience than one call has: the job comes back later.
    x.result.retry_after_ms = static_cast<std::uint32_t>(delay.count());
    p->promise.deliver(std::move(x.result));
    return;
  }
  auto id = st.next_delay_id++;
  st.delayed.emplace(id, std::move(p));
  self->delayed_send(self, delay, run_atom::value, id);
}

void run_on(self_ptr self, progress_ptr p, gateway_conn_actor conn) {
  auto& st = self->state;
  ++p->attempt;
  outbound_request req;
  req.method = "POST";
  req.target = p->call.target;
  req.body = p->call.body;
  // Signed afresh per attempt so a retry late in the schedule is never stale.
  req.headers.emplace_back("X-Signature",
                           sign_request(st.cfg.gateway.secret_out, st.cfg.unix_now(), "POST",
                                        st.cfg.sign_prefix + req.target, req.body));
  auto timeout = st.cfg.gateway.timeout;
  auto job = std::make_shared<const std::pair<outbound_request, std::int64_t>>(std::move(req),
                                                                               timeout.count());
  ask_within<exchange_answer>(
      self, conn, timeout + std::chrono::seconds{2},
      [self, p, conn](const exchange_answer& answer) {
        release(self, conn);
        finish_exchange(self, p, *answer);
      },
      [self, p, conn](const caf::error& err) {
        release(self, conn);
        outbound_response r;
        r.error = wire_error::timeout;
        r.error_text = "gateway-conn did not answer: " + caf::to_string(err);
        r.took = self->state.cfg.gateway.timeout;
        finish_exchange(self, p, r);
      },
      exchange_atom::value, std::move(job));
}

void attempt(self_ptr self, progress_ptr p) {
  auto& st = self->state;
  auto now = self->clock().now();
  // Capacity is checked before the breaker so a refused call never takes a half-open probe.
  if (st.idle.empty() && st.waiting.size() >= st.cfg.gateway.max_waiting) {
    gateway_result r;
    r.reason = "gateway client queue full";
    r.retry_after_ms = 1'000;
    p->promise.deliver(std::move(r));
    return;
  }
  if (!st.breaker->allow(now)) {
    gateway_result r;
    r.reason = "gateway breaker open";
    r.retry_after_ms = static_cast<std::uint32_t>(
        std::max<std::int64_t>(st.breaker->retry_after(now).count(), 1'000));
    p->promise.deliver(std::move(r));
    return;
  }
  if (!st.idle.empty()) {
    auto conn = std::move(st.idle.back());
    st.idle.pop_back();
    run_on(self, std::move(p), std::move(conn));
    return;
  }
  st.waiting.emplace_back([self, p](gateway_conn_actor conn) { run_on(self, p, std::move(conn)); });
}

gateway_client_actor::behavior_type gateway_client_impl(self_ptr self, gateway_client_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.breaker = std::make_unique<circuit_breaker>(st.cfg.gateway.breaker, [](breaker_state from,
                                                                            breaker_state to) {
    logger_of(log_module::gateway).warn("gateway breaker {} -> {}", to_string(from), to_string(to));
  });
  for (std::uint32_t i = 0; i < st.cfg.gateway.connections; ++i) {
    auto conn = st.cfg.spawn_conn ? st.cfg.spawn_conn(self->system())
                                  : spawn_gateway_conn(self->system(), st.cfg.make_transport);
    self->link_to(conn);  // the connections live and die with their client
    st.idle.push_back(conn);
  }
  return {
      [self](metrics_atom) {
        auto& s = self->state;
        auto f = std::make_shared<figure_set>();
        add_breaker_figures(*f, "gateway", *s.breaker, std::chrono::steady_clock::now());
        f->add("billd_gateway_connections_idle", "", static_cast<double>(s.idle.size()));
        f->add("billd_gateway_waiting", "", static_cast<double>(s.waiting.size()));
        f->add("billd_gateway_retries_scheduled", "", static_cast<double>(s.delayed.size()));
        f->add("billd_gateway_log_rows_waiting", "", static_cast<double>(s.log_rows.size()));
        f->add("billd_gateway_log_rows_dropped_total", "",
               static_cast<double>(s.log_rows_dropped_total));
        add_mailbox_depth(*f, "gateway-client", self->mailbox().size());
        return figures_ptr{f};
      },
      [self](call_atom, gateway_call& call) -> caf::result<gateway_result> {
        auto p = std::make_shared<call_progress>();
        p->call = std::move(call);
        p->promise = self->make_response_promise<gateway_result>();
        auto promise = p->promise;
        attempt(self, std::move(p));
        return promise;
      },
      [self](state_atom) -> caf::result<std::string, std::uint32_t> {
        return {std::string{to_string(self->state.breaker->state(self->clock().now()))},
                static_cast<std::uint32_t>(self->state.waiting.size())};
      },
      [self](expire_atom) { expire_calls(self); },
      [self](run_atom, std::uint64_t id) {
        auto it = self->state.delayed.find(id);
        if (it == self->state.delayed.end()) return;
        auto p = std::move(it->second);
        self->state.delayed.erase(it);
        attempt(self, std::move(p));
      },
  };
}

}  // namespace

gateway_client_actor spawn_gateway_client(caf::actor_system& sys, gateway_client_config cfg) {
  return sys.spawn(gateway_client_impl, std::move(cfg));
}

std::chrono::milliseconds gateway_call_budget(const gateway_settings& g) {
  auto per_attempt = g.timeout + g.retry_cap + std::chrono::seconds{2};
  return per_attempt * g.attempts + std::chrono::seconds{5};
}

}  // namespace billd
