#pragma once
// One figure an actor reports to the monitor (metrics_atom), read in a test on CAF's
// deterministic coordinator: a test actor asks, and the scheduler runs until it has the answer.

#include <memory>
#include <string>

#include "actors/atoms.hpp"
#include "actors/figures.hpp"
#include "tests/unit/ask_once.hpp"

namespace billd::test {

/// The value `actor` reports now for `family` with exactly `labels` (-1 when it reports none);
/// `fx` is the test_coordinator_fixture.
template <class Fixture, class Handle>
double figure_of(Fixture& fx, const Handle& actor, const std::string& family,
                 const std::string& labels = "") {
  auto out = std::make_shared<double>(-1);
  ask_once(
      fx, actor,
      [out, family, labels](const figures_ptr& f) {
        for (const auto& v : f->values)
          if (v.family == family && v.labels == labels) *out = v.value;
      },
      metrics_atom::value);
  return *out;
}

}  // namespace billd::test
