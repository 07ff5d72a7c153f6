#define CAF_SUITE performance_level
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/performance_level.hpp"

using namespace billd;

CAF_TEST(the_worse_of_error_rate_and_latency_decides_the_band) {
  CAF_CHECK_EQUAL(to_string(performance_of(0, 0)), "excellent");
  CAF_CHECK_EQUAL(to_string(performance_of(0.05, 49.9)), "excellent");
  CAF_CHECK_EQUAL(to_string(performance_of(0.05, 50)), "good");
  CAF_CHECK_EQUAL(to_string(performance_of(0.5, 10)), "good");
  CAF_CHECK_EQUAL(to_string(performance_of(0, 999)), "fair");
  CAF_CHECK_EQUAL(to_string(performance_of(4.9, 10)), "fair");
  CAF_CHECK_EQUAL(to_string(performance_of(19, 10)), "poor");
  CAF_CHECK_EQUAL(to_string(performance_of(0, 4'999)), "poor");
  CAF_CHECK_EQUAL(to_string(performance_of(20, 10)), "critical");
  CAF_CHECK_EQUAL(to_string(performance_of(0, 5'000)), "critical");
}
