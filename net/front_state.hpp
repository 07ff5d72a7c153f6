#pragma once
// The state of an http-front actor and the helpers its route handlers share.
// Included by net/http_front.cpp and net/routes_*.cpp only.

#include <caf/all.hpp>

#include <rapidjson/fwd.h>

#include <array>
#include <chrono>
#include <string_view>
#include <unordered_map>

#include "actors/db_call.hpp"
#include "actors/messages.hpp"
#include "actors/monitor.hpp"
#include "actors/reply_mapping.hpp"
#include "net/http_front.hpp"
#include "net/pagination.hpp"
#include "net/problem.hpp"
#include "net/router.hpp"

namespace billd {

/// One admitted request.
struct request_ctx {
  exchange_ptr ex;
  route_match route;
  principal who;
  std::string token_hash;
  /// Set when the request counted against a rate limit: its RateLimit headers.
  std::optional<rate_limiter::decision> rate;
  std::string rate_policy;                   // "token" or "ip"
  std::size_t route_index = route_id_count;  // the route's id, route_id_count when unmatched
  const http_request& req() const { return ex->request; }
};

/// A request waiting for another actor's answer (await_answer): what to answer when the
/// answer misses its deadline.
struct awaited_answer {
  std::chrono::steady_clock::time_point due;
  problem on_expiry;
  const char* detail;  // a literal
  request_ctx ctx;
};

struct front_state {
  static inline const char* name = "http-front";
  std::uint32_t index = 0;
  std::shared_ptr<const front_deps> deps;
  std::uint32_t in_flight = 0;
  // What this front saw since its last report to the monitor (sent once a second). Request
  // figures live in a table indexed by (route, status class) — no allocation or string per
  // request — and become the report's route table when it is sent.
  front_report report;
  std::array<std::unique_ptr<route_figures>, (route_id_count + 1) * 6> by_route;
  /// Requests waiting for an actor's answer, by exchange; bounded by in_flight.
  std::unordered_map<const http_exchange*, awaited_answer> awaiting;
};

using front_self = http_front_actor::stateful_pointer<front_state>;

/// Sends the answer, ends admission and counts it.
void respond(front_self self, const request_ctx& ctx, http_response resp);

/// The HTTP form of an actor's reply.
http_response reply_to_http(const api_reply& reply, const http_request& req);

/// Sends a problem for req.
void respond_problem(front_self self, const request_ctx& ctx, problem p, std::string_view detail,
                     const field_errors& errors = {});

/// Parses a JSON object body; answers the problem itself and returns nullptr on failure.
std::shared_ptr<rapidjson::Document> object_body(front_self self, const request_ctx& ctx);

/// Answers a failed or refused database call.
void respond_failure(front_self self, const request_ctx& ctx, const db_outcome& outcome,
                     bool write);

/// Runs effect as an idempotent write on the db-pool under the request's Idempotency-Key
/// (`key`, empty when none) and answers with its reply; `after` sees a fresh (not replayed)
/// success first.
void idempotent_write(front_self self, const request_ctx& ctx, std::string name, std::string key,
                      std::function<api_reply(pg_connection&)> effect,
                      std::function<void()> after = nullptr);

/// Answers a read of one JSON document: the failure, 404 (`missing`) when absent, else 200.
void respond_found(front_self self, const request_ctx& ctx, const db_outcome& outcome,
                   std::optional<std::optional<std::string>>&& found, std::string_view missing);

/// Reads `?limit=` as the only query parameter; answers 422 itself and returns nullopt then.
std::optional<int> read_limit_only(front_self self, const request_ctx& ctx);

/// The request deadline inside billd.
std::chrono::milliseconds request_timeout(front_self self);

/// Notes that ctx waits for another actor's answer until front.request_timeout_ms from now.
/// Fronts send their requests with no CAF timeout: CAF 0.17 fires a request's timeout even
/// after its answer arrived (a message, a worker woken, a handler looked up and dropped),
/// which cost more CPU per cached read than the read itself. Instead the front's expire tick
/// answers `on_expiry` for an answer that misses the deadline. The caller's handlers start
/// with answer_arrived.
void await_answer(front_self self, const request_ctx& ctx, problem on_expiry, const char* detail);

/// Ends the wait await_answer began. False when ctx was answered already (its deadline passed):
/// the caller drops the late answer and starts nothing more for it.
bool answer_arrived(front_self self, const request_ctx& ctx);

/// Answers every awaited request whose deadline has passed (the expire tick).
void expire_overdue(front_self self);

/// How often the expire tick runs: a tenth of the deadline, within [10 ms, 1 s].
std::chrono::milliseconds expire_interval(front_self self);

/// Runs a database write that serves ctx, answered by the request's deadline like the front's
/// other awaited answers: the pool answers a write with its real outcome, however late (only
/// stuck work is given up), so the front keeps the deadline itself. `done(in_time, outcome,
/// value)` always runs, since a late write still happened; it answers only when in_time.
template <class T, class Body, class Done>
void front_db_write(front_self self, const request_ctx& ctx, std::string name, Body body,
                    Done done) {
  await_answer(self, ctx, problem::outcome_unknown, "the database did not answer in time");
  db_call<T>(
      self, self->state.deps->db, std::move(name), true, request_timeout(self), std::move(body),
      [self, ctx, done = std::move(done)](const db_outcome& o, std::optional<T>&& value) mutable {
        done(answer_arrived(self, ctx), o, std::move(value));
      },
      ctx.req().request_id);
}

/// Answers a list as one keyset page: `fetch(pg_connection&)` returns up to limit + 1 rows in
/// list order, each with its cursor `id` and rendered `json`; `filters` binds the next cursor.
template <class Row, class Fetch>
void respond_keyset_page(front_self self, const request_ctx& ctx, std::string name, Fetch fetch,
                         int limit, std::string filters) {
  db_call<std::vector<Row>>(
      self, self->state.deps->db, std::move(name), false, request_timeout(self), std::move(fetch),
      [self, ctx, limit, filters = std::move(filters)](const db_outcome& o,
                                                       std::optional<std::vector<Row>>&& rows) {
        if (!rows) return respond_failure(self, ctx, o, false);
        http_response r;
        r.body = keyset_page_json(*rows, limit, filters);
        respond(self, ctx, std::move(r));
      },
      ctx.req().request_id);
}

/// Idempotency-Key header → key (empty when absent); adds a field error when malformed.
std::string read_idempotency_key(const http_request& req, field_errors& errors);

/// The idempotency context of a write: its key and, only when there is a key, the request's
/// fingerprint (API.md: method + path + raw body, hashed). Nothing reads the fingerprint of a
/// write without a key, and hashing the body was 2 % of billd's CPU on creates.
idempotency_ref idempotency_of(const http_request& req, std::string key);

/// Sends a command to the shard that owns `key` (a bill id, or a control number for payments)
/// and answers with its reply; `after` sees the reply first (e.g. to wake the jobs actor).
template <class Cmd, class Atom, class After = void (*)(const api_reply&)>
void send_to_shard(
    front_self self, request_ctx ctx, const std::string& key, Atom atom, Cmd cmd,
    After after = [](const api_reply&) {}) {
  const auto& shards = self->state.deps->shards;
  auto shard = shards[shard_of(key, static_cast<std::uint32_t>(shards.size()))]->get();
  if (!shard) return respond_problem(self, ctx, problem::overloaded, "billing is restarting");
  await_answer(self, ctx, problem::outcome_unknown, "the billing shard did not answer");
  self->request(shard, caf::infinite, atom, std::move(cmd))
      .then(
          [self, ctx, after](api_reply& reply) {
            after(reply);  // even late: the write happened
            if (answer_arrived(self, ctx)) respond(self, ctx, reply_to_http(reply, ctx.req()));
          },
          [self, ctx](caf::error& err) {
            if (!answer_arrived(self, ctx)) return;
            // Still queued at a dead shard: nothing ran. Otherwise the write may have run.
            auto p = err == caf::sec::request_receiver_down ? problem::overloaded
                                                            : problem::outcome_unknown;
            respond_problem(self, ctx, p, "the billing shard did not answer");
          });
}

// Route handlers (net/routes_*.cpp).
void handle_health(front_self self, request_ctx ctx);
void handle_health_ready(front_self self, request_ctx ctx);
void handle_login(front_self self, request_ctx ctx);
void handle_logout(front_self self, request_ctx ctx);
void handle_me(front_self self, request_ctx ctx);
void handle_users_create(front_self self, request_ctx ctx);
void handle_users_list(front_self self, request_ctx ctx);
void handle_users_get(front_self self, request_ctx ctx);
void handle_users_update(front_self self, request_ctx ctx);
void handle_bills_create(front_self self, request_ctx ctx);
void handle_bills_list(front_self self, request_ctx ctx);
void handle_bills_get(front_self self, request_ctx ctx);
void handle_bills_cancel(front_self self, request_ctx ctx);
void handle_bills_control_number(front_self self, request_ctx ctx);
void handle_bills_payments(front_self self, request_ctx ctx);
void handle_bills_gateway_log(front_self self, request_ctx ctx);
void handle_gateway_control_number(front_self self, request_ctx ctx);
void handle_gateway_payment(front_self self, request_ctx ctx);
void handle_payments_list(front_self self, request_ctx ctx);
void handle_payments_get(front_self self, request_ctx ctx);
void handle_audit_list(front_self self, request_ctx ctx);
void handle_reports_summary(front_self self, request_ctx ctx);
void handle_webhooks_create(front_self self, request_ctx ctx);
void handle_bills_import(front_self self, request_ctx ctx);
void handle_jobs_get(front_self self, request_ctx ctx);
void handle_alerts_list(front_self self, request_ctx ctx);
/// If-Match → the version it names; nullopt for "*" or absent; -1 when unparseable (never
/// matches, so the answer is 412).
std::optional<std::int64_t> if_match_version(const http_request& req);

void handle_prometheus(front_self self, request_ctx ctx);
void handle_thresholds_get(front_self self, request_ctx ctx);
void handle_thresholds_put(front_self self, request_ctx ctx);
void handle_alerts_check(front_self self, request_ctx ctx);
void handle_metrics(front_self self, request_ctx ctx);
void handle_metrics_database(front_self self, request_ctx ctx);
void handle_metrics_cache(front_self self, request_ctx ctx);
void handle_webhooks_list(front_self self, request_ctx ctx);
void handle_webhooks_delete(front_self self, request_ctx ctx);
void handle_webhooks_deliveries(front_self self, request_ctx ctx);

}  // namespace billd
