#define CAF_SUITE money
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/money.hpp"

#include <cstdint>
#include <string>

using namespace billd;

namespace {

// Parses text and returns the minor units, or -1 with the message left in last_error.
std::string last_error;

std::int64_t parse(const char* text, int exponent) {
  last_error.clear();
  auto minor = parse_amount(text, exponent, last_error);
  return minor ? *minor : -1;
}

}  // namespace

CAF_TEST(two_digit_amounts_parse_to_minor_units) {
  CAF_CHECK_EQUAL(parse("15000.00", 2), 1500000);
  CAF_CHECK_EQUAL(parse("0.05", 2), 5);
  CAF_CHECK_EQUAL(parse("0.50", 2), 50);
  CAF_CHECK_EQUAL(parse("1.99", 2), 199);
  CAF_CHECK(last_error.empty());
}

CAF_TEST(zero_exponent_amounts_have_no_fraction) {
  CAF_CHECK_EQUAL(parse("1500", 0), 1500);
  CAF_CHECK_EQUAL(parse("1500.", 0), -1);
  CAF_CHECK_EQUAL(parse("1500.0", 0), -1);
  CAF_CHECK_EQUAL(last_error, "must be a decimal string of digits without a fraction");
}

CAF_TEST(other_exponents_need_exactly_that_many_fraction_digits) {
  CAF_CHECK_EQUAL(parse("1.234", 3), 1234);
  CAF_CHECK_EQUAL(parse("1.2345", 4), 12345);
  CAF_CHECK_EQUAL(parse("1.23", 3), -1);
  CAF_CHECK_EQUAL(parse("1.2345", 3), -1);
}

CAF_TEST(a_wrong_number_of_fraction_digits_is_not_rounded) {
  CAF_CHECK_EQUAL(parse("1.5", 2), -1);
  CAF_CHECK_EQUAL(last_error, "must be a decimal string with exactly 2 fraction digits");
  CAF_CHECK_EQUAL(parse("1.505", 2), -1);
  CAF_CHECK_EQUAL(parse("1", 2), -1);
  CAF_CHECK_EQUAL(parse("1.", 2), -1);
  CAF_CHECK_EQUAL(parse(".50", 2), -1);
}

CAF_TEST(signs_exponents_and_spaces_are_rejected) {
  for (const char* text : {"-1.00", "+1.00", "1e3", "1E3", "1.00e0", " 1.00", "1.00 ", "1 000.00",
                           "1,000.00", "", ".", "abc", "0x10", "1.0a", "1..00", "1.-1"}) {
    CAF_CHECK_EQUAL(parse(text, 2), -1);
    CAF_CHECK_EQUAL(last_error, "must be a decimal string with exactly 2 fraction digits");
  }
  CAF_CHECK_EQUAL(parse("-5", 0), -1);
  CAF_CHECK_EQUAL(parse("1e3", 0), -1);
}

CAF_TEST(leading_zeros_are_rejected) {
  CAF_CHECK_EQUAL(parse("01.00", 2), -1);
  CAF_CHECK_EQUAL(parse("00.50", 2), -1);
  CAF_CHECK_EQUAL(parse("007", 0), -1);
  CAF_CHECK_EQUAL(parse("0.01", 2), 1);
}

CAF_TEST(zero_is_not_a_valid_amount) {
  CAF_CHECK_EQUAL(parse("0.00", 2), -1);
  CAF_CHECK_EQUAL(last_error, "must be greater than zero");
  CAF_CHECK_EQUAL(parse("0", 0), -1);
  CAF_CHECK_EQUAL(last_error, "must be greater than zero");
}

CAF_TEST(the_largest_amount_is_one_below_ten_to_the_thirteenth_minor_units) {
  CAF_CHECK_EQUAL(parse("99999999999.99", 2), amount_minor_limit - 1);
  CAF_CHECK_EQUAL(parse("9999999999999", 0), amount_minor_limit - 1);
  CAF_CHECK_EQUAL(parse("100000000000.00", 2), -1);
  CAF_CHECK_EQUAL(last_error, "is too large");
  CAF_CHECK_EQUAL(parse("10000000000000", 0), -1);
  CAF_CHECK_EQUAL(last_error, "is too large");
}

CAF_TEST(huge_digit_strings_are_too_large_without_overflow) {
  CAF_CHECK_EQUAL(parse("9223372036854775807", 0), -1);
  CAF_CHECK_EQUAL(last_error, "is too large");
  CAF_CHECK_EQUAL(parse("18446744073709551616.00", 2), -1);
  CAF_CHECK_EQUAL(last_error, "is too large");
  const std::string long_text = std::string(400, '9') + ".99";
  last_error.clear();
  CAF_CHECK(!parse_amount(long_text, 2, last_error).has_value());
  CAF_CHECK_EQUAL(last_error, "is too large");
}

CAF_TEST(format_amount_places_the_decimal_point_by_exponent) {
  CAF_CHECK_EQUAL(format_amount(1500000, 2), "15000.00");
  CAF_CHECK_EQUAL(format_amount(1500, 0), "1500");
  CAF_CHECK_EQUAL(format_amount(5, 2), "0.05");
  CAF_CHECK_EQUAL(format_amount(0, 2), "0.00");
  CAF_CHECK_EQUAL(format_amount(0, 0), "0");
  CAF_CHECK_EQUAL(format_amount(12345, 4), "1.2345");
  CAF_CHECK_EQUAL(format_amount(amount_minor_limit - 1, 2), "99999999999.99");
}

CAF_TEST(formatted_amounts_parse_back_to_the_same_minor_units) {
  for (int exponent = 0; exponent <= currency_exponent_max; ++exponent) {
    for (std::int64_t minor :
         {std::int64_t{1}, std::int64_t{9}, std::int64_t{10}, std::int64_t{100},
          std::int64_t{123456789}, amount_minor_limit - 1}) {
      std::string error;
      const auto text = format_amount(minor, exponent);
      const auto back = parse_amount(text, exponent, error);
      CAF_CHECK(back.has_value());
      if (back) CAF_CHECK_EQUAL(*back, minor);
    }
  }
}

CAF_TEST(the_default_currency_spec_parses) {
  std::string error;
  const auto set = currency_set::parse("TZS:2,KES:2,UGX:0,USD:2,EUR:2", error);
  CAF_REQUIRE(set.has_value());
  CAF_CHECK_EQUAL(set->all().size(), 5u);
  CAF_REQUIRE(set->find("UGX") != nullptr);
  CAF_CHECK_EQUAL(set->find("UGX")->exponent, 0);
  CAF_CHECK_EQUAL(set->find("TZS")->exponent, 2);
  CAF_CHECK(set->find("tzs") == nullptr);
  CAF_CHECK(set->find("JPY") == nullptr);
  CAF_CHECK_EQUAL(set->all().front().code, "TZS");
}

CAF_TEST(spaces_around_currency_entries_are_ignored) {
  std::string error;
  const auto set = currency_set::parse("TZS:2, KES:2 , UGX : 0", error);
  CAF_REQUIRE(set.has_value());
  CAF_CHECK_EQUAL(set->all().size(), 3u);
  CAF_CHECK_EQUAL(set->find("UGX")->exponent, 0);
}

CAF_TEST(malformed_currency_specs_are_rejected_with_a_message) {
  for (const char* spec : {"", "TZS", "TZS:", "tzs:2", "TZSS:2", "TZ:2", "T1S:2", "TZS:5", "TZS:-1",
                           "TZS:22", "TZS:2,", ",TZS:2", "TZS:2,TZS:0", "TZS:2;KES:2"}) {
    std::string error;
    CAF_CHECK(!currency_set::parse(spec, error).has_value());
    CAF_CHECK(!error.empty());
  }
}
