#pragma once
// Supervisors built on monitor/down_msg (CAF 0.17 has none): restart with backoff and jitter,
// a restart budget, escalation, ordered shutdown. See ARCHITECTURE.md "Supervision".

#include <caf/fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace billd {

/// How a failure spreads among siblings.
enum class restart_strategy : std::uint8_t {
  one_for_one,  // restart only the failed child
  rest_for_one  // restart the failed child and every child started after it
};

/// One supervised child: `start` spawns it (and publishes its handle to its slot).
struct child_spec {
  std::string name;
  std::function<caf::actor(caf::actor_system&)> start;
};

/// A supervisor's configuration. `on_tick`, when set, runs every tick_interval (the root uses
/// it to refresh the liveness heartbeat).
struct supervisor_spec {
  std::string name;
  restart_strategy strategy = restart_strategy::one_for_one;
  supervisor_settings limits;
  std::vector<child_spec> children;
  std::function<void()> on_tick;
  /// Called with a child's name each time it is restarted (the monitor counts restarts).
  std::function<void(const std::string&)> on_restart;
  std::chrono::milliseconds tick_interval{100};
  std::uint64_t seed = 0;  // jitter seed; fixed in tests
};

/// Restart counts per child name, for the monitor: (names, counts) of equal length.
/// Requested with `stats_atom`.

/// Spawns a supervisor that starts its children in order. It stops them in reverse order
/// when it receives an exit message, and dies with an error after escalating.
caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_spec spec);

/// A child_spec for a nested supervisor.
child_spec supervisor_child(supervisor_spec spec);

/// The error a supervisor dies with when its restart budget is exhausted.
caf::error restart_budget_exhausted(const std::string& supervisor_name);

/// True when reason is restart_budget_exhausted (the root turns it into exit code 70).
bool is_budget_exhausted(const caf::error& reason);

}  // namespace billd
