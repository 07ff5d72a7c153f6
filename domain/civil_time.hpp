#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace billd {

/// A calendar date without a time zone (proleptic Gregorian), e.g. a bill's due_date.
struct civil_date {
  /// Full year, e.g. 2026.
  int year;
  /// 1..12.
  int month;
  /// 1..31, valid for the month.
  int day;
  /// Field-wise equality.
  friend bool operator==(const civil_date&, const civil_date&) = default;
};

/// Earliest and latest years parse_civil_date accepts (API dates are never before the epoch).
inline constexpr int civil_year_min = 1970;
/// See civil_year_min; four digits is all the "YYYY" form can hold.
inline constexpr int civil_year_max = 9999;

/// True when year is a Gregorian leap year.
bool is_leap_year(int year);

/// Number of days in month (1..12) of year.
int days_in_month(int year, int month);

/// Strict "YYYY-MM-DD" with a real calendar day (leap years), years 1970..9999.
std::optional<civil_date> parse_civil_date(std::string_view text);

/// "YYYY-MM-DD", e.g. "2026-11-22"; years outside 0..9999 get as many digits as they need.
std::string to_string(const civil_date& d);

/// RFC 3339 timestamp with any offset ("2026-11-22T10:00:00Z", "…T13:00:00.5+03:00", lower-case
/// t/z accepted, fraction up to 9 digits truncated to ms) → unix milliseconds UTC. Years 0000..9999
/// as RFC 3339 allows. nullopt when invalid; leap seconds (":60") are rejected because unix time
/// cannot represent them.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

/// Unix milliseconds → "2026-11-22T10:00:00.123Z" (always UTC, always three fraction digits).
std::string format_rfc3339_ms(std::int64_t unix_ms);

/// Days since 1970-01-01 for a civil date (Howard Hinnant's days_from_civil); negative before it.
std::int64_t days_from_civil(const civil_date& d);

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days). Expects
/// |days| small enough for the year to fit an int (about ±7.8e11).
civil_date civil_from_days(std::int64_t days);

}  // namespace billd
