#pragma once
// Query strings: percent-decoding, duplicates and unknown parameters are explicit errors.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/field_error.hpp"

namespace billd {

/// Decoded query parameters in order.
class query_params {
 public:
  /// Parses `a=b&c=d`; malformed percent escapes or invalid UTF-8 are reported in errors.
  query_params(std::string_view query, field_errors& errors);
  std::optional<std::string> get(std::string_view name) const;
  /// An RFC 3339 parameter, normalised to UTC with milliseconds; a malformed one is reported.
  std::optional<std::string> timestamp(std::string_view name, field_errors& errors) const;
  /// Reports parameters not in known, and repeated ones, as errors.
  void check(std::initializer_list<std::string_view> known, field_errors& errors) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

/// Percent-decodes s ('+' stays a plus sign, RFC 3986); nullopt when an escape is malformed
/// or the result is not UTF-8.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace billd
