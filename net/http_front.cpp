#include "net/http_front.hpp"

#include <spdlog/spdlog.h>

#include "domain/crypto.hpp"
#include "log/module_log.hpp"
#include "net/compression.hpp"
#include "net/front_rules.hpp"
#include "net/front_state.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

void run_route(front_self self, request_ctx ctx) {
  switch (ctx.route.id) {
    case route_id::health:
      return handle_health(self, std::move(ctx));
    case route_id::health_live: {
      // Normally answered by the session's fast path; this serves it if it ever arrives here.
      http_response r;
      r.body = R"({"status":"live"})";
      return respond(self, ctx, std::move(r));
    }
    case route_id::health_ready:
      return handle_health_ready(self, std::move(ctx));
    case route_id::auth_login:
      return handle_login(self, std::move(ctx));
    case route_id::auth_logout:
      return handle_logout(self, std::move(ctx));
    case route_id::auth_me:
      return handle_me(self, std::move(ctx));
    case route_id::users_create:
      return handle_users_create(self, std::move(ctx));
    case route_id::users_list:
      return handle_users_list(self, std::move(ctx));
    case route_id::users_get:
      return handle_users_get(self, std::move(ctx));
    case route_id::users_update:
      return handle_users_update(self, std::move(ctx));
    case route_id::bills_create:
      return handle_bills_create(self, std::move(ctx));
    case route_id::bills_list:
      return handle_bills_list(self, std::move(ctx));
    case route_id::bills_get:
      return handle_bills_get(self, std::move(ctx));
    case route_id::bills_cancel:
      return handle_bills_cancel(self, std::move(ctx));
    case route_id::bills_control_number:
      return handle_bills_control_number(self, std::move(ctx));
    case route_id::bills_payments:
      return handle_bills_payments(self, std::move(ctx));
    case route_id::bills_gateway_log:
      return handle_bills_gateway_log(self, std::move(ctx));
    case route_id::gateway_control_number:
      return handle_gateway_control_number(self, std::move(ctx));
    case route_id::gateway_payment:
      return handle_gateway_payment(self, std::move(ctx));
    case route_id::payments_list:
      return handle_payments_list(self, std::move(ctx));
    case route_id::payments_get:
      return handle_payments_get(self, std::move(ctx));
    case route_id::audit_list:
      return handle_audit_list(self, std::move(ctx));
    case route_id::reports_summary:
      return handle_reports_summary(self, std::move(ctx));
    case route_id::webhooks_create:
      return handle_webhooks_create(self, std::move(ctx));
    case route_id::webhooks_list:
      return handle_webhooks_list(self, std::move(ctx));
    case route_id::webhooks_delete:
      return handle_webhooks_delete(self, std::move(ctx));
    case route_id::webhooks_deliveries:
      return handle_webhooks_deliveries(self, std::move(ctx));
    case route_id::bills_import:
      return handle_bills_import(self, std::move(ctx));
    case route_id::jobs_get:
      return handle_jobs_get(self, std::move(ctx));
    case route_id::alerts_list:
      return handle_alerts_list(self, std::move(ctx));
    case route_id::metrics_prometheus:
      return handle_prometheus(self, std::move(ctx));
    case route_id::metrics:
      return handle_metrics(self, std::move(ctx));
    case route_id::metrics_database:
      return handle_metrics_database(self, std::move(ctx));
    case route_id::metrics_cache:
      return handle_metrics_cache(self, std::move(ctx));
    case route_id::thresholds_get:
      return handle_thresholds_get(self, std::move(ctx));
    case route_id::thresholds_put:
      return handle_thresholds_put(self, std::move(ctx));
    case route_id::alerts_check:
      return handle_alerts_check(self, std::move(ctx));
  }
}

/// This front's token cache (shared with its Asio thread and auth).
token_cache& own_tokens(front_self self) { return *self->state.deps->tokens[self->state.index]; }

/// Counts the request against its client's bucket; false (429 answered) when over the quota.
bool within_rate(front_self self, request_ctx& ctx, std::string key, std::uint32_t quota,
                 const char* policy) {
  auto d = self->state.deps->limiter->take(key, quota, clock::now());
  ctx.rate = d;
  ctx.rate_policy = policy;
  if (d.allowed) return true;
  ++self->state.report.rate_limited;
  respond(self, ctx, rate_limited_response(d, ctx.req().path));
  return false;
}

void authorized(front_self self, request_ctx ctx) {
  const auto& cfg = self->state.deps->cfg;
  // Active sessions: tokens used lately, each reported once a second at most.
  own_tokens(self).note_session(ctx.token_hash);
  if (!within_rate(self, ctx, token_bucket(ctx.token_hash), quota_of(cfg.rate, ctx.who.role),
                   "token"))
    return;
  if (!role_allows(ctx.route.who, ctx.who.role))
    return respond_problem(self, ctx, problem::forbidden, "your role may not do this");
  run_route(self, std::move(ctx));
}

void authenticate(front_self self, request_ctx ctx) {
  auto token = bearer_token(ctx.req());
  if (!token)
    return respond_problem(self, ctx, problem::unauthenticated, "a bearer token is required");
  ctx.token_hash = sha256_hex(*token);
  if (auto who = own_tokens(self).find(ctx.token_hash, clock::now())) {
    ctx.who = std::move(*who);
    return authorized(self, std::move(ctx));
  }
  auto auth = self->state.deps->auth->get();
  if (!auth) return respond_problem(self, ctx, problem::overloaded, "authentication is restarting");
  await_answer(self, ctx, problem::overloaded, "cannot verify the token right now");
  auto revocations = own_tokens(self).revocations();
  self->request(auth, caf::infinite, verify_atom::value, ctx.token_hash)
      .then(
          [self, ctx, revocations](principal& who) mutable {
            if (!answer_arrived(self, ctx)) return;
            if (who.user_id.empty())
              return respond_problem(self, ctx, problem::unauthenticated,
                                     "the token is invalid or expired");
            // This request is answered either way; a revocation since the ask keeps the
            // verification out of the cache.
            own_tokens(self).trust(ctx.token_hash, who,
                                   trusted_until(self->state.deps->cfg.auth, who), revocations);
            ctx.who = std::move(who);
            authorized(self, std::move(ctx));
          },
          [self, ctx](caf::error&) {
            if (!answer_arrived(self, ctx)) return;
            respond_problem(self, ctx, problem::overloaded, "cannot verify the token right now");
          });
}

/// The metrics label of a route index ("unmatched" for paths no route serves).
std::string route_name(std::size_t index) {
  return std::string{index < route_id_count ? route_label(static_cast<route_id>(index))
                                            : std::string_view{"unmatched"}};
}

/// Counts an answer in this front's report; a slow one is logged once and kept.
void record_answer(front_self self, const request_ctx& ctx, int status) {
  auto& st = self->state;
  auto took = clock::now() - ctx.ex->received;
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  auto status_class = static_cast<std::size_t>(std::clamp(status / 100, 0, 5));
  auto& fig = st.by_route[ctx.route_index * 6 + status_class];
  if (!fig) fig = std::make_unique<route_figures>();
  ++fig->count;
  fig->latency.record(static_cast<std::uint64_t>(micros));
  ++st.report.statuses[status];
  const auto& m = st.deps->cfg.metrics;
  if (took < m.slow_request) return;
  auto ms = static_cast<double>(micros) / 1000.0;
  auto route = route_name(ctx.route_index);
  logger_of(log_module::http)
      .warn("[{}] slow request: {} -> {} took {:.1f} ms", ctx.req().request_id, route, status, ms);
  if (st.report.slow.size() < m.slow_request_keep)
    st.report.slow.push_back(slow_request{ctx.req().request_id, route, status, ms, unix_now_ms()});
}

/// Sends what this front saw since the last report (also when idle: in-flight and mailbox
/// depth are gauges).
void send_report(front_self self) {
  auto& st = self->state;
  auto r = std::make_shared<front_report>(std::move(st.report));
  st.report = front_report{};
  for (std::size_t i = 0; i < st.by_route.size(); ++i) {
    auto& fig = st.by_route[i];
    if (!fig || fig->count == 0) continue;
    r->routes[{route_name(i / 6), static_cast<int>(i % 6)}] = std::move(*fig);
    *fig = route_figures{};
  }
  // Answers made on the Asio threads for this front (net/edge_admission.hpp): refusals and
  // cached reads (net/fast_reads.hpp).
  st.deps->edge->take_answers(
      st.index, [&](std::size_t route, unsigned status, const latency_histogram& latency) {
        auto key = std::pair{route_name(route), static_cast<int>(std::min(status / 100, 5u))};
        auto& fig = r->routes[key];
        fig.count += latency.count();
        fig.latency.merge(latency);
        r->statuses[static_cast<int>(status)] += latency.count();
        if (status == 503) r->shed += latency.count();  // the only 503 made there: a refusal
        if (status == 429) r->rate_limited += latency.count();
      });
  r->front = st.index;
  r->in_flight = st.in_flight;
  r->mailbox = static_cast<std::uint32_t>(self->mailbox().size());
  r->sessions = own_tokens(self).take_sessions();
  if (auto monitor = st.deps->monitor->get())
    caf::anon_send(monitor, report_atom::value, front_report_ptr{std::move(r)});
}

void handle(front_self self, exchange_ptr ex) {
  const auto& req = ex->request;
  auto routed = route(req.method, req.path);
  // Admission was decided on the Asio thread (net/edge_admission.hpp) before the request was
  // handed over; every answer goes through respond(), which ends its count here.
  ++self->state.in_flight;
  request_ctx ctx{ex, route_match{}, principal{}, {}, std::nullopt, {}};
  if (!routed.match) {
    if (routed.allowed.empty())
      return respond_problem(self, ctx, problem::not_found, "no such resource");
    auto r = problem_response(problem::method_not_allowed, "method not allowed here", req.path);
    r.with("Allow", allow_header(routed.allowed));
    return respond(self, ctx, std::move(r));
  }
  ctx.route = *routed.match;
  ctx.route_index = static_cast<std::size_t>(ctx.route.id);
  if (ctx.route.who != access::anyone) return authenticate(self, std::move(ctx));
  if (!rate_exempt(ctx.route) &&
      !within_rate(self, ctx, "ip:" + req.remote_ip,
                   self->state.deps->cfg.rate.anonymous_per_minute, "ip"))
    return;
  run_route(self, std::move(ctx));
}

}  // namespace

void respond(front_self self, const request_ctx& ctx, http_response resp) {
  auto& st = self->state;
  // A request is answered once: a late answer after its deadline's 503 is dropped here too.
  // (Its awaiting entry, if any, was ended by answer_arrived or by the expire tick.)
  if (ctx.ex->answered) return;
  if (ctx.rate) add_rate_headers(resp, *ctx.rate, ctx.rate_policy);
  compress_response(ctx.req(), resp, st.deps->cfg.http);
  --st.in_flight;
  record_answer(self, ctx, resp.status);
  // Refusals (503: shed, breaker open) are counted, not logged one by one: under overload a
  // line per refusal would cost more than the refusal. Their causes are logged once.
  auto level =
      resp.status >= 500 && resp.status != 503 ? spdlog::level::warn : spdlog::level::debug;
  logger_of(log_module::http)
      .log(level, "[{}] {} {} -> {}", ctx.req().request_id, ctx.req().method, ctx.req().path,
           resp.status);
  ctx.ex->answer(std::move(resp));
}

void respond_problem(front_self self, const request_ctx& ctx, problem p, std::string_view detail,
                     const field_errors& errors) {
  respond(self, ctx, problem_response(p, detail, ctx.req().path, errors));
}

std::chrono::milliseconds request_timeout(front_self self) {
  return self->state.deps->cfg.front.request_timeout;
}

http_front_actor spawn_http_front(caf::actor_system& sys, std::uint32_t index,
                                  std::shared_ptr<const front_deps> deps) {
  auto impl = [](front_self self, std::uint32_t idx,
                 std::shared_ptr<const front_deps> d) -> http_front_actor::behavior_type {
    self->state.index = idx;
    self->state.deps = std::move(d);
    self->delayed_send(self, std::chrono::seconds{1}, tick_atom::value);
    self->delayed_send(self, expire_interval(self), expire_atom::value);
    return {
        [self](handle_atom, exchange_ptr& ex) { handle(self, std::move(ex)); },
        [self](tick_atom) {
          send_report(self);
          self->delayed_send(self, std::chrono::seconds{1}, tick_atom::value);
        },
        [self](expire_atom) {
          expire_overdue(self);
          self->delayed_send(self, expire_interval(self), expire_atom::value);
        },
    };
  };
  return sys.spawn(impl, index, std::move(deps));
}

}  // namespace billd
