#pragma once
// Minimal JSON text output for the entities billd renders on its hot paths and stores for
// idempotent replay. Parsing lives in net/ (rapidjson); writing needs no library.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// Appends s as a JSON string literal (quotes included), escaping per RFC 8259.
void append_json_string(std::string& out, std::string_view s);

/// Appends a JSON string, or null when absent.
void append_json_nullable(std::string& out, const std::optional<std::string>& s);

/// Builds one JSON object field by field: `{"a":1,"b":"x"}`.
/// `[a,b]` from already-rendered JSON values.
std::string json_array(const std::vector<std::string>& rendered);

/// `["a","b"]` from strings.
std::string json_string_array(const std::vector<std::string>& values);

class json_object {
 public:
  // Room for a bill (about 470 bytes) from the start: growing to it took five reallocations.
  json_object() {
    out_.reserve(512);
    out_ += '{';
  }
  json_object& str(std::string_view key, std::string_view value);
  json_object& opt(std::string_view key, const std::optional<std::string>& value);
  json_object& num(std::string_view key, std::int64_t value);
  /// A number with up to three decimals (figures in ms, percentages); non-finite → 0.
  json_object& real(std::string_view key, double value);
  json_object& boolean(std::string_view key, bool value);
  /// Inserts already-rendered JSON (an object, array or literal).
  json_object& raw(std::string_view key, std::string_view json);
  /// Closes the object and hands over the text (the builder is empty afterwards).
  std::string finish();

 private:
  void key(std::string_view k);
  std::string out_;
  bool first_ = true;
};

}  // namespace billd
