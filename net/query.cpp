#include "net/query.hpp"

#include "domain/civil_time.hpp"
#include "domain/text_rules.hpp"

#include <algorithm>

namespace billd {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    // '+' stays '+' (RFC 3986): phone numbers and UTC offsets are common filter values.
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  if (!is_valid_utf8(out)) return std::nullopt;
  return out;
}

query_params::query_params(std::string_view query, field_errors& errors) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) {
      errors.push_back({std::string{pair.substr(0, eq)}, "is not validly percent-encoded UTF-8"});
      continue;
    }
    params_.emplace_back(std::move(*name), std::move(*value));
  }
}

std::optional<std::string> query_params::get(std::string_view name) const {
  for (const auto& [k, v] : params_)
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> query_params::timestamp(std::string_view name,
                                                   field_errors& errors) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  auto ms = parse_rfc3339_ms(*v);
  if (!ms) {
    errors.push_back({std::string{name}, "must be an RFC 3339 timestamp"});
    return std::nullopt;
  }
  return format_rfc3339_ms(*ms);
}

void query_params::check(std::initializer_list<std::string_view> known,
                         field_errors& errors) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& name = params_[i].first;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      errors.push_back({name, "unknown query parameter"});
      continue;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (params_[j].first == name) {
        errors.push_back({name, "must not be repeated"});
        break;
      }
  }
}

}  // namespace billd
