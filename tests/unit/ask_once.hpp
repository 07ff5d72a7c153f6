#pragma once
// A request from a test on CAF's deterministic coordinator: a one-off actor asks, and the
// scheduler runs until nothing is left to do. The answer may come then, or later, once the test
// lets the asked actor's own dependencies answer and runs the scheduler again.

#include <caf/event_based_actor.hpp>

namespace billd::test {

/// Sends `msg...` to `actor` and hands its answer to `on_reply`; `fx` is the
/// test_coordinator_fixture.
template <class Fixture, class Handle, class OnReply, class... Ts>
void ask_once(Fixture& fx, const Handle& actor, OnReply on_reply, Ts... msg) {
  // The unused int: CAF 0.17 dereferences a null argument tuple when a function-based actor
  // is spawned without arguments (UBSan reports it), so every test actor takes one.
  fx.sys.spawn(
      [actor, on_reply, msg...](caf::event_based_actor* caller, int) {
        caller->request(actor, caf::infinite, msg...).then(on_reply);
      },
      0);
  fx.sched.run();
}

}  // namespace billd::test
