#pragma once
// One figure an actor reports to the monitor (metrics_atom), read in a test on CAF's
// deterministic coordinator: a test actor asks, and the scheduler runs until it has the answer.

#include <caf/event_based_actor.hpp>

#include <memory>
#include <string>

#include "actors/atoms.hpp"
#include "actors/figures.hpp"

namespace billd::test {

/// The value `actor` reports now for `family` with exactly `labels` (-1 when it reports none);
/// `fx` is the test_coordinator_fixture.
template <class Fixture, class Handle>
double figure_of(Fixture& fx, const Handle& actor, const std::string& family,
                 const std::string& labels = "") {
  auto out = std::make_shared<double>(-1);
  // The unused int: CAF 0.17 dereferences a null argument tuple when a function-based actor
  // is spawned without arguments.
  fx.sys.spawn(
      [out, actor, family, labels](caf::event_based_actor* caller, int) {
        caller->request(actor, caf::infinite, metrics_atom::value)
            .then([out, family, labels](const figures_ptr& f) {
              for (const auto& v : f->values)
                if (v.family == family && v.labels == labels) *out = v.value;
            });
      },
      0);
  fx.sched.run();
  return *out;
}

}  // namespace billd::test
