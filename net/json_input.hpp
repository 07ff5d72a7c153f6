#pragma once
// Request bodies in: content type (415), JSON syntax and UTF-8 (400 invalid-json), duplicate
// keys (400), then typed field readers that report wrong types and unknown fields (422).

#include <rapidjson/document.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "domain/field_error.hpp"
#include "net/http_types.hpp"

namespace billd {

/// A parsed body: the document, or the problem response to send instead.
using parsed_json = std::variant<std::shared_ptr<rapidjson::Document>, http_response>;

/// Checks Content-Type is application/json (any charset parameter must be utf-8), parses the
/// body strictly (iterative, UTF-8 validated, no trailing data) and refuses duplicate keys.
parsed_json parse_json_body(const http_request& req);

/// Reads the members of one JSON object, recording every problem in errors.
class object_reader {
 public:
  object_reader(const rapidjson::Value& obj, std::string prefix, field_errors& errors);
  /// A string member; absent or null → nullopt; other types → "must be a string".
  std::optional<std::string> string(std::string_view name);
  /// A boolean member; absent or null → nullopt; other types → "must be a boolean".
  std::optional<bool> boolean(std::string_view name);
  /// A number member; absent or null → nullopt; other types → "must be a number".
  std::optional<double> number(std::string_view name);
  /// An integer member (no fraction, within int64); absent or null → nullopt; anything else →
  /// "must be an integer".
  std::optional<std::int64_t> integer(std::string_view name);
  /// An object member; absent or null → nullptr; other types → "must be an object".
  const rapidjson::Value* object(std::string_view name);
  /// Reports every member not in known as "unknown field".
  void reject_unknown(std::initializer_list<std::string_view> known);
  /// The dotted path of a member.
  std::string path(std::string_view name) const;

 private:
  const rapidjson::Value* member(std::string_view name) const;
  const rapidjson::Value& obj_;
  std::string prefix_;
  field_errors& errors_;
};

}  // namespace billd
