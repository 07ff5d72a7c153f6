#include "storage/pg_array.hpp"

#include <string_view>

namespace billd {
namespace {

void append_quoted(std::string& out, std::string_view item) {
  out += '"';
  for (char c : item) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string pg_array(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (items[i])
      append_quoted(out, *items[i]);
    else
      out += "NULL";
  }
  out += '}';
  return out;
}

std::string pg_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    append_quoted(out, items[i]);
  }
  out += '}';
  return out;
}

}  // namespace billd
