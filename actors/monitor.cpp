#include "actors/monitor.hpp"

#include <caf/all.hpp>

#include <map>

namespace billd {
namespace {

struct monitor_state {
  static inline const char* name = "monitor";
  std::uint64_t requests = 0;
  std::uint64_t server_errors = 0;
  std::map<std::string, std::uint64_t> restarts;
};

monitor_actor::behavior_type monitor_impl(monitor_actor::stateful_pointer<monitor_state> self,
                                          int) {
  return {
      [self](count_atom, std::uint64_t requests, std::uint64_t server_errors) {
        self->state.requests += requests;
        self->state.server_errors += server_errors;
      },
      [self](restart_atom, const std::string& child) { ++self->state.restarts[child]; },
      [self](stats_atom) {
        std::uint64_t restarts = 0;
        for (const auto& [name, n] : self->state.restarts) restarts += n;
        return caf::result<std::uint64_t, std::uint64_t, std::uint64_t>(
            self->state.requests, self->state.server_errors, restarts);
      },
  };
}

}  // namespace

monitor_actor spawn_monitor(caf::actor_system& sys, int unused_tag) {
  // One spawn argument: a function-based actor spawned without any trips UBSan (CAF017.md).
  return sys.spawn(monitor_impl, unused_tag);
}

}  // namespace billd
