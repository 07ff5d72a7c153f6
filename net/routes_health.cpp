// Health: /health (summary) and /health/ready (database reachable, migrations applied, fsync
// on, not draining). /health/live is answered by the session's fast path.

#include <unistd.h>

#include <fstream>

#include "actors/db_call.hpp"
#include "domain/json_text.hpp"
#include "net/front_state.hpp"
#include "net/metrics_json.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

/// What readiness needs from the database.
struct db_health {
  bool fsync_on = false;
  std::size_t pending_migrations = 0;
  double probe_ms = 0;  // the probe's round trip through the pool, set by probe_database
};

/// Health probes get a short deadline of their own: health never waits long on the database.
constexpr std::chrono::milliseconds probe_timeout{1'000};

template <class Done>
void probe_database(front_self self, Done done) {
  auto started = std::chrono::steady_clock::now();
  auto timed = [started, done = std::move(done)](const db_outcome& o,
                                                 std::optional<db_health>&& h) mutable {
    if (h)
      h->probe_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
    done(o, std::move(h));
  };
  db_call<db_health>(
      self, self->state.deps->db, "health_probe", false, probe_timeout,
      [](pg_connection& c) {
        db_health h;
        h.fsync_on = c.exec("SELECT current_setting('fsync')").text(0, 0) == "on";
        h.pending_migrations = pending_migrations(c).size();
        return h;
      },
      std::move(timed), "health-probe", db_queueing::urgent_probe());
}

/// The pool's own figures (breaker state, connections, queue), asked with the probe's deadline;
/// null when the pool did not answer.
template <class Then>
void probe_pool(front_self self, Then then) {
  auto pool = self->state.deps->db->get();
  if (!pool) return then(figures_ptr{});
  self->request(pool, probe_timeout, metrics_atom::value)
      .then([then](figures_ptr& f) { then(f); },
            [then](const caf::error&) { then(figures_ptr{}); });
}

std::string pool_json(const figure_set& f) {
  auto busy = owned_value(f, "billd_db_pool_connections", "state=\"busy\"");
  auto idle = owned_value(f, "billd_db_pool_connections", "state=\"idle\"");
  return json_object{}
      .num("size", static_cast<std::int64_t>(busy + idle))
      .num("busy", static_cast<std::int64_t>(busy))
      .num("waiting", static_cast<std::int64_t>(owned_value(f, "billd_db_pool_waiting")))
      .finish();
}

std::string database_check(const std::optional<db_health>& h, const db_outcome& o,
                           const figures_ptr& pool) {
  json_object check;
  if (!h) {
    check.str("status", "down")
        .str("detail",
             o.code == db_outcome_code::overloaded ? "unreachable or busy" : "probe failed");
  } else {
    bool ok = h->fsync_on && h->pending_migrations == 0;
    check.str("status", ok ? "up" : "misconfigured")
        .boolean("fsync", h->fsync_on)
        .num("pending_migrations", static_cast<std::int64_t>(h->pending_migrations))
        .real("probe_ms", h->probe_ms);
  }
  check.str("breaker", pool                  ? breaker_state_of(*pool, "postgresql")
                       : o.retry_after_s > 0 ? "open"
                                             : "unknown");
  if (pool) check.raw("pool", pool_json(*pool));
  return check.finish();
}

/// The cache shards: all running is "up"; a restarting one serves its reads from PostgreSQL
/// (X-Cache: BYPASS) meanwhile, which is "degraded" for the cache, not for billd.
std::string cache_check(const cache_slots& caches) {
  std::int64_t running = 0;
  for (const auto& slot : caches) running += slot->get() ? 1 : 0;
  auto all = static_cast<std::int64_t>(caches.size());
  return json_object{}
      .str("status", running == all ? "up" : "degraded")
      .num("shards", all)
      .num("running", running)
      .finish();
}

/// Resident memory of the process, from /proc/self/statm.
std::string memory_check() {
  std::ifstream statm{"/proc/self/statm"};
  std::int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  auto rss = resident * static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE));
  return json_object{}.str("status", "ok").num("rss_bytes", rss).finish();
}

/// The gateway check: "unconfigured", or the breaker state and queue of the gateway-client
/// (asked with the probe's own deadline, so a stuck client cannot stall /health).
template <class Then>
void probe_gateway(front_self self, Then then) {
  const auto& deps = *self->state.deps;
  if (deps.cfg.gateway.url.empty())
    return then(json_object{}.str("status", "unconfigured").finish(), false);
  auto client = deps.gateway->get();
  if (!client)
    return then(json_object{}.str("status", "restarting").str("breaker", "unknown").finish(), true);
  self->request(client, probe_timeout, state_atom::value)
      .then(
          [then](const std::string& breaker, std::uint32_t waiting) {
            bool open = breaker != "closed";
            then(json_object{}
                     .str("status", open ? "degraded" : "up")
                     .str("breaker", breaker)
                     .num("waiting", waiting)
                     .finish(),
                 open);
          },
          [then](const caf::error&) {
            then(json_object{}.str("status", "unknown").str("breaker", "unknown").finish(), true);
          });
}

}  // namespace

void handle_health_ready(front_self self, request_ctx ctx) {
  if (self->state.deps->draining->load()) {
    http_response r;
    r.status = 503;
    r.body = R"({"status":"draining"})";
    return respond(self, ctx, std::move(r));
  }
  probe_database(self, [self, ctx](const db_outcome& o, std::optional<db_health>&& h) {
    bool ready = h && h->fsync_on && h->pending_migrations == 0;
    http_response r;
    r.status = ready ? 200 : 503;
    r.body =
        json_object{}
            .str("status", ready ? "ready" : "not_ready")
            .raw("checks", json_object{}.raw("database", database_check(h, o, nullptr)).finish())
            .finish();
    respond(self, ctx, std::move(r));
  });
}

void handle_health(front_self self, request_ctx ctx) {
  probe_database(self, [self, ctx](const db_outcome& o, std::optional<db_health>&& h) {
    probe_pool(self, [self, ctx, o, h](figures_ptr pool) {
      probe_gateway(
          self, [self, ctx, o, h, pool](const std::string& gateway, bool gateway_degraded) {
            const auto& deps = *self->state.deps;
            bool db_ok = h && h->fsync_on && h->pending_migrations == 0;
            bool draining = deps.draining->load();
            // A gateway outage degrades billd (bills wait as pending) but does not make it
            // unhealthy.
            auto status = !db_ok                           ? "unhealthy"
                          : (draining || gateway_degraded) ? "degraded"
                                                           : "healthy";
            auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::steady_clock::now() - deps.started);
            auto checks = json_object{}
                              .raw("database", database_check(h, o, pool))
                              .raw("cache", cache_check(deps.caches))
                              .raw("gateway", gateway)
                              .raw("memory", memory_check())
                              .raw("cluster", R"({"mode":"single","members":1})")
                              .raw("draining", json_object{}.boolean("draining", draining).finish())
                              .finish();
            http_response r;
            r.status = db_ok ? 200 : 503;
            r.body = json_object{}
                         .str("status", status)
                         .raw("checks", checks)
                         .str("version", deps.version)
                         .num("uptime_s", uptime.count())
                         .finish();
            respond(self, ctx, std::move(r));
          });
    });
  });
}

}  // namespace billd
