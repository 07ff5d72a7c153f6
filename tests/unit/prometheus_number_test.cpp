#define CAF_SUITE prometheus_number
// Sample values in the Prometheus text format: counts and bucket bounds read as plain
// decimals, every value reads back exactly, and the three special values have the names the
// format gives them.
#include "net/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "caf/test/unit_test.hpp"

using namespace billd;

namespace {
std::string number(double v) {
  std::string out;
  append_prometheus_number(out, v);
  return out;
}
}  // namespace

CAF_TEST(whole_numbers_are_written_in_full_not_in_exponent_form) {
  CAF_CHECK_EQUAL(number(300000), "300000");
  CAF_CHECK_EQUAL(number(1e15), "1000000000000000");
  CAF_CHECK_EQUAL(number(9007199254740992.0), "9007199254740992");
  CAF_CHECK_EQUAL(number(0), "0");
  CAF_CHECK_EQUAL(number(-0.0), "0");
  CAF_CHECK_EQUAL(number(-42), "-42");
}

CAF_TEST(bucket_bounds_and_small_figures_are_plain_decimals) {
  CAF_CHECK_EQUAL(number(0.0005), "0.0005");
  CAF_CHECK_EQUAL(number(0.000001), "0.000001");
  CAF_CHECK_EQUAL(number(0.25), "0.25");
  CAF_CHECK_EQUAL(number(1e-7), "1e-07");
  CAF_CHECK_EQUAL(number(2e16), "2e+16");
}

CAF_TEST(fractions_and_huge_values_read_back_exactly) {
  for (double v : {0.1, 1.0 / 3.0, 123456.789, 2.5e-5, 1e300, 2e16, -1e-300}) {
    auto text = number(v);
    double back = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), back);
    CAF_CHECK(ec == std::errc{});
    CAF_CHECK(end == text.data() + text.size());
    CAF_CHECK_EQUAL(back, v);
  }
}

CAF_TEST(nan_and_infinities_use_the_names_of_the_text_format) {
  CAF_CHECK_EQUAL(number(std::numeric_limits<double>::quiet_NaN()), "NaN");
  CAF_CHECK_EQUAL(number(std::numeric_limits<double>::infinity()), "+Inf");
  CAF_CHECK_EQUAL(number(-std::numeric_limits<double>::infinity()), "-Inf");
}

CAF_TEST(values_append_to_what_is_already_written) {
  std::string out = "billd_jobs ";
  append_prometheus_number(out, 3e5);
  CAF_CHECK_EQUAL(out, "billd_jobs 300000");
}
