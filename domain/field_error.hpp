#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// One invalid request field, reported in the `errors` array of a validation problem.
struct field_error {
  /// Dotted path of the field, e.g. "payer.name".
  std::string field;
  /// Client-facing message, phrased to follow the field name ("must be 1 to 200 characters").
  std::string message;
};

/// Every invalid field of one request, in the order they were found.
using field_errors = std::vector<field_error>;

/// True when errors already holds an entry for field.
inline bool has_error_for(const field_errors& errors, std::string_view field) {
  return std::any_of(errors.begin(), errors.end(),
                     [field](const field_error& e) { return e.field == field; });
}

}  // namespace billd
