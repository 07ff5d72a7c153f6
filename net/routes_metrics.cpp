// GET /metrics (Prometheus; loopback clients, or the bearer metrics.token) and the admin JSON
// views GET /api/v1/metrics, /api/v1/metrics/database, /api/v1/metrics/cache. Each asks the
// monitor for one snapshot; the monitor gathers it from the actors that own the figures.

#include "actors/db_call.hpp"
#include "net/front_state.hpp"
#include "net/metrics_access.hpp"
#include "net/metrics_json.hpp"
#include "net/prometheus.hpp"
#include "storage/db_stats_store.hpp"

namespace billd {
namespace {

/// A scrape waits for the slowest owner (pull timeout) and a little more for the monitor.
std::chrono::milliseconds snapshot_timeout(front_self self) {
  return self->state.deps->cfg.metrics.pull_timeout * 2 + std::chrono::milliseconds{500};
}

/// Asks the monitor for a snapshot, then `render(snapshot)`; answers 503 itself when the
/// monitor is restarting or does not answer.
template <class Render>
void with_snapshot(front_self self, request_ctx ctx, Render render) {
  auto monitor = self->state.deps->monitor->get();
  if (!monitor) return respond_problem(self, ctx, problem::overloaded, "the monitor is restarting");
  self->request(monitor, snapshot_timeout(self), metrics_atom::value)
      .then([self, ctx, render](metrics_snapshot_ptr& snap) mutable { render(ctx, *snap); },
            [self, ctx](caf::error&) {
              respond_problem(self, ctx, problem::overloaded, "metrics are not available now");
            });
}

void respond_json(front_self self, const request_ctx& ctx, std::string body) {
  http_response r;
  r.body = std::move(body);
  r.with("Cache-Control", "no-store");
  respond(self, ctx, std::move(r));
}

}  // namespace

void handle_prometheus(front_self self, request_ctx ctx) {
  if (!metrics_scrape_allowed(ctx.req().remote_ip, ctx.req().header("authorization"),
                              self->state.deps->cfg.metrics.token)) {
    auto r = problem_response(problem::unauthenticated,
                              "metrics are served to loopback clients or with metrics.token",
                              ctx.req().path);
    r.with("WWW-Authenticate", "Bearer realm=\"billd-metrics\"");
    return respond(self, ctx, std::move(r));
  }
  with_snapshot(self, std::move(ctx), [self](const request_ctx& c, const metrics_snapshot& s) {
    http_response r;
    r.content_type = prometheus_content_type;
    r.body = prometheus_text(s);
    r.with("Cache-Control", "no-store");
    respond(self, c, std::move(r));
  });
}

void handle_metrics(front_self self, request_ctx ctx) {
  with_snapshot(self, std::move(ctx), [self](const request_ctx& c, const metrics_snapshot& s) {
    respond_json(self, c, service_metrics_json(s));
  });
}

void handle_metrics_cache(front_self self, request_ctx ctx) {
  with_snapshot(self, std::move(ctx), [self](const request_ctx& c, const metrics_snapshot& s) {
    respond_json(self, c, cache_metrics_json(s));
  });
}

void handle_metrics_database(front_self self, request_ctx ctx) {
  with_snapshot(self, std::move(ctx), [self](const request_ctx& c, const metrics_snapshot& s) {
    auto snap = std::make_shared<metrics_snapshot>(s);
    auto slow_ms = static_cast<double>(self->state.deps->cfg.db.slow_query.count());
    // Table sizes come from PostgreSQL itself; without it the rest is still answered.
    db_call<std::vector<table_size>>(
        self, self->state.deps->db, "table_sizes", false,
        self->state.deps->cfg.metrics.pull_timeout,
        [](pg_connection& conn) { return table_sizes(conn); },
        [self, c, snap, slow_ms](const db_outcome&, std::optional<std::vector<table_size>>&& t) {
          respond_json(self, c, database_metrics_json(*snap, slow_ms, t));
        },
        c.req().request_id);
  });
}

}  // namespace billd
