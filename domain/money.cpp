#include "domain/money.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace billd {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Parses one "CODE:EXP" entry; returns nullopt and sets error when malformed.
std::optional<currency> parse_currency_entry(std::string_view entry, std::string& error) {
  const auto colon = entry.find(':');
  if (colon == std::string_view::npos) {
    error = "currency entry '" + std::string(entry) + "' must have the form CODE:EXPONENT";
    return std::nullopt;
  }
  const auto code = trim_spaces(entry.substr(0, colon));
  const auto exp = trim_spaces(entry.substr(colon + 1));
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), is_upper)) {
    error = "currency code '" + std::string(code) + "' must be 3 upper-case letters";
    return std::nullopt;
  }
  if (exp.size() != 1 || !is_digit(exp[0]) || exp[0] - '0' > currency_exponent_max) {
    error = "currency " + std::string(code) + " must have an exponent from 0 to " +
            std::to_string(currency_exponent_max);
    return std::nullopt;
  }
  return currency{std::string(code), exp[0] - '0'};
}

std::string fraction_message(int exponent) {
  if (exponent == 0) return "must be a decimal string of digits without a fraction";
  return "must be a decimal string with exactly " + std::to_string(exponent) + " fraction digits";
}

}  // namespace

std::optional<currency_set> currency_set::parse(std::string_view spec, std::string& error) {
  currency_set result;
  while (true) {
    const auto comma = spec.find(',');
    const auto entry = trim_spaces(spec.substr(0, comma));
    auto parsed = parse_currency_entry(entry, error);
    if (!parsed) return std::nullopt;
    if (result.find(parsed->code) != nullptr) {
      error = "currency " + parsed->code + " is listed twice";
      return std::nullopt;
    }
    result.currencies_.push_back(std::move(*parsed));
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  // The loop returns on an empty entry, so at least one currency is accepted here.
  return result;
}

const currency* currency_set::find(std::string_view code) const {
  const auto it = std::find_if(currencies_.begin(), currencies_.end(),
                               [code](const currency& c) { return c.code == code; });
  return it == currencies_.end() ? nullptr : &*it;
}

const std::vector<currency>& currency_set::all() const { return currencies_; }

std::optional<std::int64_t> parse_amount(std::string_view text, int exponent, std::string& error) {
  if (exponent < 0 || exponent > currency_exponent_max) {
    error = "has a currency with an unsupported exponent";
    return std::nullopt;
  }
  const auto fraction_len = static_cast<std::size_t>(exponent);
  const auto dot = text.find('.');
  const auto whole = text.substr(0, dot);
  const auto fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const bool digits_only = std::all_of(whole.begin(), whole.end(), is_digit) &&
                           std::all_of(fraction.begin(), fraction.end(), is_digit);
  const bool fraction_ok = exponent == 0
                               ? dot == std::string_view::npos
                               : dot != std::string_view::npos && fraction.size() == fraction_len;
  const bool leading_zero = whole.size() > 1 && whole[0] == '0';
  if (whole.empty() || !digits_only || !fraction_ok || leading_zero) {
    error = fraction_message(exponent);
    return std::nullopt;
  }
  // Without leading zeros the digit count bounds the value, so this check precedes any
  // multiplication and no overflow can happen below.
  const bool whole_is_zero = whole == "0";
  if (!whole_is_zero && whole.size() + fraction_len > static_cast<std::size_t>(amount_digits_max)) {
    error = "is too large";
    return std::nullopt;
  }
  std::int64_t minor = 0;
  for (const char c : whole) minor = minor * 10 + (c - '0');
  for (const char c : fraction) minor = minor * 10 + (c - '0');
  if (minor == 0) {
    error = "must be greater than zero";
    return std::nullopt;
  }
  if (minor >= amount_minor_limit) {
    error = "is too large";
    return std::nullopt;
  }
  return minor;
}

std::string format_amount(std::int64_t minor, int exponent) {
  const bool negative = minor < 0;
  // Work on the unsigned magnitude so INT64_MIN does not overflow on negation.
  auto magnitude =
      negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  const auto fraction_len = static_cast<std::size_t>(std::max(exponent, 0));
  if (digits.size() < fraction_len + 1) digits.resize(fraction_len + 1, '0');
  std::reverse(digits.begin(), digits.end());
  if (fraction_len > 0) digits.insert(digits.size() - fraction_len, 1, '.');
  if (negative) digits.insert(0, 1, '-');
  return digits;
}

}  // namespace billd
