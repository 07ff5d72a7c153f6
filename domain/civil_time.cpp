#include "domain/civil_time.hpp"

#include <cstddef>
#include <utility>

namespace billd {
namespace {

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_minute = 60 * ms_per_second;
constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;
constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

// Reads exactly `count` ASCII digits at `pos`; nullopt when any is not a digit or text is short.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Parses "YYYY-MM-DD" at the start of text (years 0000..9999), checking the calendar.
std::optional<civil_date> read_date(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = read_digits(text, 0, 4);
  const auto month = read_digits(text, 5, 2);
  const auto day = read_digits(text, 8, 2);
  if (!year || !month || !day) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) {
    return std::nullopt;
  }
  return civil_date{*year, *month, *day};
}

// Appends value in decimal, zero-padded to at least width digits; a sign precedes the padding.
void append_padded(std::string& out, std::int64_t value, std::size_t width) {
  if (value < 0) out.push_back('-');
  auto magnitude =
      value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

// Parses the time zone suffix ("Z", "z", "+03:00", "-00:30") into an offset east of UTC in ms.
std::optional<std::int64_t> read_offset_ms(std::string_view text) {
  if (text == "Z" || text == "z") return 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  const auto hours = read_digits(text, 1, 2);
  const auto minutes = read_digits(text, 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  const std::int64_t offset = *hours * ms_per_hour + *minutes * ms_per_minute;
  return text[0] == '-' ? -offset : offset;
}

// Parses ".d{1,9}" at the start of text; returns the milliseconds and the length consumed.
std::optional<std::pair<std::int64_t, std::size_t>> read_fraction(std::string_view text) {
  if (text.empty() || text[0] != '.') return std::pair<std::int64_t, std::size_t>{0, 0};
  std::size_t len = 1;
  std::int64_t ms = 0;
  while (len < text.size() && text[len] >= '0' && text[len] <= '9') {
    // Digits past the third are below a millisecond: truncated, as documented.
    if (len <= 3) ms = ms * 10 + (text[len] - '0');
    ++len;
  }
  const std::size_t digits = len - 1;
  if (digits < 1 || digits > 9) return std::nullopt;
  for (std::size_t i = digits; i < 3; ++i) ms *= 10;
  return std::pair<std::int64_t, std::size_t>{ms, len};
}

}  // namespace

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && is_leap_year(year)) return 29;
  return days[month - 1];
}

std::optional<civil_date> parse_civil_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  auto date = read_date(text);
  if (!date || date->year < civil_year_min || date->year > civil_year_max) return std::nullopt;
  return date;
}

std::string to_string(const civil_date& d) {
  std::string out;
  out.reserve(10);
  append_padded(out, d.year, 4);
  out.push_back('-');
  append_padded(out, d.month, 2);
  out.push_back('-');
  append_padded(out, d.day, 2);
  return out;
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS" is 19 characters; fraction and offset follow.
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  const auto date = read_date(text);
  if (!date || text[13] != ':' || text[16] != ':') return std::nullopt;
  const auto hour = read_digits(text, 11, 2);
  const auto minute = read_digits(text, 14, 2);
  const auto second = read_digits(text, 17, 2);
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  const auto fraction = read_fraction(text.substr(19));
  if (!fraction) return std::nullopt;
  const auto offset = read_offset_ms(text.substr(19 + fraction->second));
  if (!offset) return std::nullopt;
  const std::int64_t local_ms = days_from_civil(*date) * ms_per_day + *hour * ms_per_hour +
                                *minute * ms_per_minute + *second * ms_per_second + fraction->first;
  return local_ms - *offset;
}

std::string format_rfc3339_ms(std::int64_t unix_ms) {
  // Floor division so instants before 1970 land on the right day and positive time of day.
  std::int64_t days = unix_ms / ms_per_day;
  std::int64_t ms_of_day = unix_ms % ms_per_day;
  if (ms_of_day < 0) {
    ms_of_day += ms_per_day;
    --days;
  }
  std::string out = to_string(civil_from_days(days));
  out.reserve(24);
  out.push_back('T');
  append_padded(out, ms_of_day / ms_per_hour, 2);
  out.push_back(':');
  append_padded(out, ms_of_day % ms_per_hour / ms_per_minute, 2);
  out.push_back(':');
  append_padded(out, ms_of_day % ms_per_minute / ms_per_second, 2);
  out.push_back('.');
  append_padded(out, ms_of_day % ms_per_second, 3);
  out.push_back('Z');
  return out;
}

std::int64_t days_from_civil(const civil_date& d) {
  const std::int64_t y = std::int64_t{d.year} - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                           // [0, 399]
  const std::int64_t mp = d.month > 2 ? d.month - 3 : d.month + 9;  // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;          // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   // [0, 146096]
  return era * 146097 + doe - 719468;
}

civil_date civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;  // shift the epoch to 0000-03-01
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;                           // [1, 31]
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;                            // [1, 12]
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return civil_date{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

}  // namespace billd
