#define CAF_SUITE civil_time
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/civil_time.hpp"

#include <cstdint>
#include <string>

using namespace billd;

namespace {

// Parses text, returning a value no valid timestamp maps to when it is rejected.
constexpr std::int64_t rejected = INT64_MIN;

std::int64_t ms_of(const char* text) { return parse_rfc3339_ms(text).value_or(rejected); }

}  // namespace

CAF_TEST(real_calendar_dates_parse) {
  const auto d = parse_civil_date("2026-11-22");
  CAF_REQUIRE(d.has_value());
  CAF_CHECK_EQUAL(d->year, 2026);
  CAF_CHECK_EQUAL(d->month, 11);
  CAF_CHECK_EQUAL(d->day, 22);
  CAF_CHECK(parse_civil_date("2024-02-29").has_value());
  CAF_CHECK(parse_civil_date("2000-02-29").has_value());
  CAF_CHECK(parse_civil_date("1970-01-01").has_value());
  CAF_CHECK(parse_civil_date("9999-12-31").has_value());
}

CAF_TEST(impossible_dates_are_rejected) {
  for (const char* text : {"2026-02-29", "1900-02-29", "2100-02-29", "2026-04-31", "2026-13-01",
                           "2026-00-10", "2026-01-00", "2026-01-32"}) {
    CAF_CHECK(!parse_civil_date(text).has_value());
  }
}

CAF_TEST(dates_must_be_strictly_yyyy_mm_dd) {
  for (const char* text : {"", "2026-1-22", "2026-11-2", "26-11-22", "2026/11/22", "2026-11-22 ",
                           " 2026-11-22", "2026-11-22T00:00:00Z", "20261122", "+2026-11-22",
                           "2026-11-2a", "1969-12-31", "0000-01-01"}) {
    CAF_CHECK(!parse_civil_date(text).has_value());
  }
}

CAF_TEST(dates_format_as_yyyy_mm_dd) {
  CAF_CHECK_EQUAL(to_string(civil_date{2026, 11, 22}), "2026-11-22");
  CAF_CHECK_EQUAL(to_string(civil_date{1970, 1, 5}), "1970-01-05");
  CAF_CHECK(parse_civil_date(to_string(civil_date{2024, 2, 29})) == (civil_date{2024, 2, 29}));
}

CAF_TEST(day_numbers_match_known_dates) {
  CAF_CHECK_EQUAL(days_from_civil({1970, 1, 1}), 0);
  CAF_CHECK_EQUAL(days_from_civil({1970, 1, 2}), 1);
  CAF_CHECK_EQUAL(days_from_civil({1969, 12, 31}), -1);
  CAF_CHECK_EQUAL(days_from_civil({2000, 3, 1}), 11017);
  CAF_CHECK_EQUAL(days_from_civil({2026, 11, 22}), 20779);
  CAF_CHECK(civil_from_days(20779) == (civil_date{2026, 11, 22}));
  CAF_CHECK(civil_from_days(-1) == (civil_date{1969, 12, 31}));
}

CAF_TEST(day_numbers_round_trip_over_many_years) {
  int mismatches = 0;
  std::int64_t expected = days_from_civil({1899, 12, 31});
  for (std::int64_t day = expected; day < days_from_civil({2401, 1, 1}); ++day) {
    const auto date = civil_from_days(day);
    if (days_from_civil(date) != day) ++mismatches;
    if (date.day < 1 || date.day > days_in_month(date.year, date.month)) ++mismatches;
  }
  CAF_CHECK_EQUAL(mismatches, 0);
}

CAF_TEST(utc_timestamps_parse_to_unix_milliseconds) {
  CAF_CHECK_EQUAL(ms_of("1970-01-01T00:00:00Z"), 0);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00Z"), 1'795'341'600'000);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00.123Z"), 1'795'341'600'123);
  CAF_CHECK_EQUAL(ms_of("2026-11-22t10:00:00z"), 1'795'341'600'000);
}

CAF_TEST(offsets_are_normalised_to_utc) {
  CAF_CHECK_EQUAL(ms_of("2026-11-22T13:00:00.5+03:00"), 1'795'341'600'500);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T05:30:00-04:30"), 1'795'341'600'000);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00-00:00"), 1'795'341'600'000);
  // An offset can move the instant to another day.
  CAF_CHECK_EQUAL(ms_of("2026-11-23T01:00:00+15:00"), 1'795'341'600'000);
  CAF_CHECK_EQUAL(ms_of("1970-01-01T00:00:00+01:00"), -3'600'000);
}

CAF_TEST(fractions_beyond_milliseconds_are_truncated) {
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00.1Z"), 1'795'341'600'100);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00.12Z"), 1'795'341'600'120);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00.1239Z"), 1'795'341'600'123);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00.999999999Z"), 1'795'341'600'999);
  CAF_CHECK_EQUAL(ms_of("2026-11-22T10:00:00.9999999999Z"), rejected);  // 10 digits
}

CAF_TEST(malformed_timestamps_are_rejected) {
  for (const char* text :
       {"", "2026-11-22", "2026-11-22T10:00:00", "2026-11-22 10:00:00Z", "2026-11-22T10:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:00:60Z",
        "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00+3:00", "2026-11-22T10:00:00+0300",
        "2026-11-22T10:00:00+24:00", "2026-11-22T10:00:00+03:60", "2026-02-30T10:00:00Z",
        "2026-11-22T10:00:00ZZ", "2026-11-22T10:00:00Z ", "2026-11-22T1a:00:00Z",
        "2026-11-22T10:00:00,5Z", "2026-11-22T10:00:00UTC"}) {
    CAF_CHECK_EQUAL(ms_of(text), rejected);
  }
}

CAF_TEST(milliseconds_format_as_rfc3339_utc) {
  CAF_CHECK_EQUAL(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  CAF_CHECK_EQUAL(format_rfc3339_ms(1'795'341'600'123), "2026-11-22T10:00:00.123Z");
  CAF_CHECK_EQUAL(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  CAF_CHECK_EQUAL(format_rfc3339_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
}

CAF_TEST(formatted_timestamps_parse_back_to_the_same_instant) {
  for (const std::int64_t ms :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{1'795'341'600'123},
        std::int64_t{253'402'300'799'999}}) {
    CAF_CHECK_EQUAL(ms_of(format_rfc3339_ms(ms).c_str()), ms);
  }
}
