#pragma once
// A db-pool for actor tests on CAF's deterministic coordinator: it holds every task until the
// test answers them all (the tasks' bodies need a real connection, so an answer here is a
// failure outcome, `overloaded` unless the test picks another: what such tests check is which
// tasks an actor asks for, and when).

#include <memory>
#include <string>
#include <vector>

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

}  // namespace billd::test
