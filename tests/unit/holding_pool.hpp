#pragma once
// A db-pool for actor tests on CAF's deterministic coordinator: it holds every task until the
// test answers them all (the tasks' bodies need a real connection, so an answer here is a
// failure outcome, `overloaded` unless the test picks another: what such tests check is which
// tasks an actor asks for, and when).

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/actor_slot.hpp"
#include "actors/db_pool.hpp"

namespace billd::test {

struct held_tasks {
  std::vector<caf::typed_response_promise<db_outcome>> pending;
  std::vector<std::string> names;  // of every task received, in order
  db_outcome answer_with = [] {    // what restart_atom answers them with
    db_outcome o;
    o.code = db_outcome_code::overloaded;
    return o;
  }();
};

/// Answers the held tasks when sent restart_atom (promises must be delivered from the actor
/// that holds them).
inline db_pool_actor::behavior_type holding_pool(db_pool_actor::pointer self,
                                                 std::shared_ptr<held_tasks> held) {
  return {
      [self, held](run_atom, db_task_ptr& task) -> caf::result<db_outcome> {
        auto rp = self->make_response_promise<db_outcome>();
        held->pending.push_back(rp);
        held->names.push_back(task ? task->name : std::string{});
        return rp;
      },
      [](stats_atom) {
        return caf::result<std::uint32_t, std::uint32_t, std::uint32_t, std::uint64_t>(
            0u, 0u, 0u, std::uint64_t{0});
      },
      [](conns_atom) { return std::vector<caf::actor>{}; },
      [](metrics_atom) { return figures_ptr{}; },
      [](tick_atom, std::uint64_t) {},
      [held](restart_atom, std::uint64_t) {
        for (auto& rp : held->pending) rp.deliver(held->answer_with);
        held->pending.clear();
      },
  };
}

/// A holding pool as a test fixture holds it: spawned on `sys`, reached by the actor under test
/// through `slot` as it would reach the real one. The fixture stops it (stop(), then runs the
/// scheduler) and runs the scheduler after answer_all().
struct held_pool {
  std::shared_ptr<held_tasks> tasks = std::make_shared<held_tasks>();
  db_pool_actor actor;
  slot_ptr<db_pool_actor> slot = make_slot<db_pool_actor>();

  explicit held_pool(caf::actor_system& sys) : actor(sys.spawn(holding_pool, tasks)) {
    slot->set(actor);
  }

  /// Answers every held task with tasks->answer_with.
  void answer_all() const { caf::anon_send(actor, restart_atom::value, std::uint64_t{0}); }

  /// Tasks named `name` received so far.
  std::size_t asked(std::string_view name) const {
    return static_cast<std::size_t>(std::count(tasks->names.begin(), tasks->names.end(), name));
  }

  void stop() const { caf::anon_send_exit(actor, caf::exit_reason::user_shutdown); }
};

}  // namespace billd::test
