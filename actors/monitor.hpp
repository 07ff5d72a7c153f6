#pragma once
// monitor (under the ops supervisor): gathers the figures that /metrics, /api/v1/metrics* and
// the alert checks serve. Fronts aggregate their own request counts and latency histograms
// and send them once a second (never one message per request); supervisors report restarts
// as they happen; everything else is pulled from the actors that own it when asked (each
// answers `metrics` with its figures, within metrics.pull_timeout_ms or is left out).

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/auth.hpp"
#include "actors/bill_cache.hpp"
#include "actors/billing_shard.hpp"
#include "actors/db_pool.hpp"
#include "actors/figures.hpp"
#include "actors/gateway_client.hpp"
#include "actors/jobs.hpp"
#include "actors/maintenance.hpp"
#include "config/settings.hpp"

namespace billd {

/// Requests of one route with one status class (2 for 2xx …): how many and how long.
struct route_figures {
  std::uint64_t count = 0;
  latency_histogram latency;
};

/// One request that took at least metrics.slow_request_ms.
struct slow_request {
  std::string request_id;
  std::string route;
  int status = 0;
  double ms = 0;
  std::int64_t at_unix_ms = 0;
};

/// (route label, status class) → figures.
using route_table = std::map<std::pair<std::string, int>, route_figures>;

/// What one front saw since its last report.
struct front_report {
  std::uint32_t front = 0;
  route_table routes;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t shed = 0;          // refused by admission (503 before any work)
  std::uint64_t rate_limited = 0;  // 429
  std::uint64_t late_answers = 0;  // actors' answers that came after the request's deadline
  std::uint32_t in_flight = 0;     // now
  std::uint32_t mailbox = 0;       // now
  std::vector<slow_request> slow;
  std::vector<std::string> sessions;  // token hashes used (each once per report)
};
using front_report_ptr = std::shared_ptr<const front_report>;

/// Request figures over the last five minutes (what alert thresholds look at).
struct window_figures {
  std::uint64_t requests = 0;
  std::uint64_t server_errors = 0;  // 5xx, shed 503s included
  std::uint64_t slow = 0;
  double latency_sum_ms = 0;
  double error_rate_pct() const;
  double avg_ms() const;
};

/// Everything a scrape needs, as of one moment.
struct metrics_snapshot {
  route_table routes;  // since start, all fronts
  std::map<int, std::uint64_t> statuses;
  std::uint64_t shed = 0, rate_limited = 0, late_answers = 0;
  std::uint32_t in_flight = 0;
  window_figures last_5min;
  std::vector<slow_request> slow;  // newest last
  std::uint64_t active_sessions = 0;
  std::map<std::string, std::uint64_t> restarts;  // child kind → restarts
  std::map<std::string, std::uint64_t> restarts_last_minute;
  figure_set owned;                  // from the owning actors, equal series summed
  std::vector<std::string> missing;  // owners that did not answer in time
  double uptime_s = 0;

  std::uint64_t requests() const;
  std::uint64_t server_errors() const;
  latency_histogram all_latency() const;
};
using metrics_snapshot_ptr = std::shared_ptr<const metrics_snapshot>;

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::front_report_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::metrics_snapshot_ptr)

namespace billd {

using report_atom = caf::atom_constant<caf::atom("report")>;
using alerts_atom = caf::atom_constant<caf::atom("alerts")>;

/// report(front figures); restart(child kind); metrics → snapshot; (metrics, alerts) → the
/// snapshot an alert check reads, without billd_jobs (no rule looks at it, and it is the one
/// figure that costs a PostgreSQL count); stats → (requests, server errors, restarts) since start.
using monitor_actor = caf::typed_actor<
    caf::reacts_to<report_atom, front_report_ptr>, caf::reacts_to<restart_atom, std::string>,
    caf::replies_to<metrics_atom>::with<metrics_snapshot_ptr>,
    caf::replies_to<metrics_atom, alerts_atom>::with<metrics_snapshot_ptr>,
    caf::replies_to<stats_atom>::with<std::uint64_t, std::uint64_t, std::uint64_t>>;

/// The actors a scrape asks (slots: whoever runs there now).
struct monitor_sources {
  slot_ptr<db_pool_actor> pool;
  cache_slots caches;
  std::vector<slot_ptr<billing_shard_actor>> shards;
  slot_ptr<auth_actor> auth;
  slot_ptr<jobs_actor> jobs;
  slot_ptr<gateway_client_actor> gateway;
  slot_ptr<maintenance_actor> maintenance;
};

struct monitor_config {
  metrics_settings metrics;
  monitor_sources sources;
};

monitor_actor spawn_monitor(caf::actor_system& sys, const monitor_config& cfg);

}  // namespace billd
