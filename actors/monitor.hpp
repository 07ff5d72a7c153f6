#pragma once
// monitor: gathers the figures that /metrics serves from the actors that own them. Fronts
// report request counts in batches (never one message per request); supervisors report
// restarts as they happen.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

#include "actors/atoms.hpp"

namespace billd {

/// (count, requests, server_errors) from fronts; (restart, child name) from supervisors;
/// stats → (requests, server_errors, restarts).
using monitor_actor = caf::typed_actor<
    caf::reacts_to<count_atom, std::uint64_t, std::uint64_t>,
    caf::reacts_to<restart_atom, std::string>,
    caf::replies_to<stats_atom>::with<std::uint64_t, std::uint64_t, std::uint64_t>>;

/// Spawns the monitor.
monitor_actor spawn_monitor(caf::actor_system& sys, int unused_tag);

}  // namespace billd
