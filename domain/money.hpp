#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// An accepted currency: its ISO 4217 code and exponent (number of fraction digits).
struct currency {
  /// Three upper-case letters, e.g. "TZS".
  std::string code;
  /// ISO 4217 exponent in [0, currency_exponent_max]: 2 for TZS, 0 for UGX.
  int exponent;
};

/// Largest exponent a configured currency may have (ISO 4217 uses at most 4).
inline constexpr int currency_exponent_max = 4;

/// Accepted currencies and their ISO 4217 exponents, from configuration
/// "TZS:2,KES:2,UGX:0,USD:2,EUR:2".
class currency_set {
 public:
  /// nullopt and a message in error when spec is malformed (code must be 3 upper-case letters,
  /// exponent 0..4, no duplicates, at least one). Spaces around entries are ignored.
  static std::optional<currency_set> parse(std::string_view spec, std::string& error);

  /// The accepted currency with exactly this code (case-sensitive), or nullptr when not accepted.
  const currency* find(std::string_view code) const;

  /// Every accepted currency, in configuration order.
  const std::vector<currency>& all() const;

 private:
  std::vector<currency> currencies_;
};

/// Amounts are < 10^13 minor units (API.md); also keeps sums of many payments far from overflow.
inline constexpr std::int64_t amount_minor_limit = 10'000'000'000'000;

/// Number of decimal digits of amount_minor_limit - 1; a longer digit string is always too large.
inline constexpr int amount_digits_max = 13;

/// Parses a money string per API.md: ^(0|[1-9][0-9]*)(\.[0-9]{e})?$, fraction present exactly when
/// e > 0; result must be > 0 and < amount_minor_limit. On failure returns nullopt and sets error to
/// a client-facing message ("must be a decimal string with exactly 2 fraction digits", "must be
/// greater than zero", "is too large").
std::optional<std::int64_t> parse_amount(std::string_view text, int exponent, std::string& error);

/// Formats minor units: format_amount(1500000, 2) == "15000.00", format_amount(1500, 0) == "1500",
/// format_amount(5, 2) == "0.05". Expects minor >= 0 and exponent >= 0.
std::string format_amount(std::int64_t minor, int exponent);

}  // namespace billd
