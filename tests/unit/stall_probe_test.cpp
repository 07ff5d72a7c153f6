#define CAF_SUITE stall_probe
// The machine stall probe of billd-bench's open loop: what it counts as a stall, and that it
// keeps to its window.
#include "bench/stall_probe.hpp"

#include "caf/test/unit_test.hpp"

using namespace billd::bench;
using namespace std::chrono_literals;

CAF_TEST(the_tally_keeps_the_worst_wake_up_and_counts_those_past_20_ms) {
  gap_tally t;
  t.add(300us);
  t.add(101ms);
  t.add(20ms);  // at the bound: late, not a stall
  t.add(21ms);
  t.add(2ms);
  CAF_CHECK(t.worst == 101ms);
  CAF_CHECK_EQUAL(t.stalls, 2u);
}

CAF_TEST(tallies_of_several_cpus_merge_into_the_worst_and_the_sum_of_stalls) {
  gap_tally a, b;
  a.add(30ms);
  a.add(5ms);
  b.add(120ms);
  b.add(25ms);
  a.merge(b);
  CAF_CHECK(a.worst == 120ms);
  CAF_CHECK_EQUAL(a.stalls, 3u);
}

CAF_TEST(a_probe_tallies_only_wake_ups_due_inside_its_window) {
  auto now = stall_probe::clock::now();
  // The window closes before it opens: the probe ends at once and tallies nothing.
  stall_probe empty{now + 1h, now};
  auto none = empty.finish();
  CAF_CHECK(none.worst == 0us);
  CAF_CHECK_EQUAL(none.stalls, 0u);
  // A window of 50 ms: the probe wakes in it and ends by itself at its close.
  stall_probe brief{now, now + 50ms};
  brief.finish();
  CAF_CHECK(stall_probe::clock::now() >= now + 49ms);
}

CAF_TEST(a_probe_told_to_stop_ends_before_its_window_closes) {
  auto now = stall_probe::clock::now();
  stall_probe long_one{now, now + 1h};
  long_one.stop();
  long_one.finish();  // returns: the probe did not sleep out the hour
  CAF_CHECK(stall_probe::clock::now() < now + 1h);
}
