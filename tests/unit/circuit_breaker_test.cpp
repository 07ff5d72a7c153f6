#define CAF_SUITE circuit_breaker
#include <utility>

#include "caf/test/unit_test.hpp"

#include "actors/backoff.hpp"
#include "actors/circuit_breaker.hpp"

#include <vector>

using namespace billd;
using namespace std::chrono_literals;

namespace {

breaker_settings small() {
  breaker_settings s;
  s.window = 4;
  s.min_calls = 4;
  s.failure_pct = 50;
  s.slow_pct = 50;
  s.slow = 100ms;
  s.open = 1'000ms;
  s.open_max = 3'000ms;
  s.probes = 2;
  return s;
}

struct fixture {
  circuit_breaker::clock::time_point now{};
  std::vector<std::pair<breaker_state, breaker_state>> seen;
  circuit_breaker breaker{small(),
                          [this](breaker_state a, breaker_state b) { seen.emplace_back(a, b); }};

  void call(bool failed, std::chrono::milliseconds took = 1ms) {
    CAF_REQUIRE(breaker.allow(now));
    breaker.record(failed, took, now);
  }
  void open_it() {
    for (int i = 0; i < 4; ++i) call(true);
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(circuit_breaker_tests, fixture)

CAF_TEST(stays_closed_below_min_calls_even_when_all_fail) {
  for (int i = 0; i < 3; ++i) call(true);
  CAF_CHECK(breaker.state(now) == breaker_state::closed);
  CAF_CHECK(seen.empty());
}

CAF_TEST(opens_at_half_failures_of_a_full_window) {
  call(false);
  call(false);
  call(true);
  CAF_CHECK(breaker.state(now) == breaker_state::closed);
  call(true);
  CAF_CHECK(breaker.state(now) == breaker_state::open);
  CAF_CHECK(!breaker.allow(now));
  CAF_CHECK_EQUAL(breaker.retry_after(now).count(), 1000);
  CAF_CHECK_EQUAL(seen.size(), 1u);
}

CAF_TEST(slow_successes_open_it_too) {
  for (int i = 0; i < 4; ++i) call(false, 150ms);
  CAF_CHECK(breaker.state(now) == breaker_state::open);
}

CAF_TEST(old_failures_slide_out_of_the_window) {
  call(true);
  call(false);
  call(false);
  call(false);  // window t f f f: 1 of 4 failed
  call(true);   // the first failure slid out: f f f t, still 1 of 4
  CAF_CHECK(breaker.state(now) == breaker_state::closed);
}

CAF_TEST(half_open_admits_exactly_the_probes_and_closes_when_they_succeed) {
  open_it();
  now += 1'000ms;
  CAF_CHECK(breaker.state(now) == breaker_state::half_open);
  CAF_CHECK(breaker.allow(now));
  CAF_CHECK(breaker.allow(now));
  CAF_CHECK(!breaker.allow(now));  // only `probes` calls
  breaker.record(false, 1ms, now);
  breaker.record(false, 1ms, now);
  CAF_CHECK(breaker.state(now) == breaker_state::closed);
  CAF_CHECK_EQUAL(breaker.transitions(), 3u);  // open, half_open, closed
}

CAF_TEST(a_failed_probe_round_reopens_for_twice_as_long_up_to_the_max) {
  open_it();
  auto fail_probes = [this] {
    CAF_REQUIRE(breaker.allow(now));
    CAF_REQUIRE(breaker.allow(now));
    breaker.record(true, 1ms, now);
    breaker.record(false, 1ms, now);  // 1 of 2 failed: not fewer than half → re-open
  };
  now += 1'000ms;
  fail_probes();
  CAF_CHECK(breaker.state(now) == breaker_state::open);
  CAF_CHECK_EQUAL(breaker.retry_after(now).count(), 2000);
  now += 2'000ms;
  fail_probes();
  CAF_CHECK_EQUAL(breaker.retry_after(now).count(), 3000);  // capped by open_max
  now += 3'000ms;
  CAF_REQUIRE(breaker.allow(now));
  CAF_REQUIRE(breaker.allow(now));
  breaker.record(false, 1ms, now);
  breaker.record(false, 1ms, now);
  CAF_CHECK(breaker.state(now) == breaker_state::closed);
  open_it();  // closing reset the open time to its first value
  CAF_CHECK_EQUAL(breaker.retry_after(now).count(), 1000);
}

CAF_TEST(results_of_calls_admitted_before_it_opened_are_ignored) {
  CAF_REQUIRE(breaker.allow(now));  // in flight while the breaker opens
  open_it();
  breaker.record(false, 1ms, now);
  CAF_CHECK(breaker.state(now) == breaker_state::open);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(full_jitter_stays_within_the_capped_exponential) {
  std::minstd_rand rng{7};
  for (std::uint32_t n = 0; n < 12; ++n)
    for (int i = 0; i < 50; ++i) {
      auto d = full_jitter(200ms, 2'000ms, n, rng);
      CAF_CHECK(d >= 0ms);
      CAF_CHECK(d <= capped_exponential(200ms, 2'000ms, n));
    }
  CAF_CHECK_EQUAL(capped_exponential(200ms, 2'000ms, 0).count(), 200);
  CAF_CHECK_EQUAL(capped_exponential(200ms, 2'000ms, 3).count(), 1600);
  CAF_CHECK_EQUAL(capped_exponential(200ms, 2'000ms, 60).count(), 2000);
}

CAF_TEST(job_delays_grow_from_min_to_max_and_never_go_below_min) {
  std::minstd_rand rng{11};
  for (std::uint32_t n = 1; n < 40; ++n) {
    auto d = job_retry_delay(1'000ms, 300'000ms, n, rng);
    auto step = capped_exponential(1'000ms, 300'000ms, n - 1);
    CAF_CHECK(d >= 1'000ms);
    CAF_CHECK(d >= step / 2);
    CAF_CHECK(d <= step);
  }
}
