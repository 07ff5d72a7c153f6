#include "net/pagination.hpp"

#include <charconv>

#include "domain/ids.hpp"
#include "domain/json_text.hpp"

namespace billd {
namespace {

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_encode(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += b64[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += b64[(acc << (6 - bits)) & 63];
  return out;
}

std::optional<std::string> b64url_decode(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(b64, 64, c);
    if (p == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(p - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string filter_tag(std::string_view filters) {
  return std::to_string(stable_hash(filters) & 0xffffffffu);
}

}  // namespace

page_request read_page_request(const std::optional<std::string>& limit,
                               const std::optional<std::string>& cursor, std::string_view filters,
                               field_errors& errors) {
  page_request page;
  if (limit) {
    int v = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc{} || end != limit->data() + limit->size() || v < 1 || v > 100)
      errors.push_back({"limit", "must be an integer from 1 to 100"});
    else
      page.limit = v;
  }
  if (cursor) {
    auto decoded = b64url_decode(*cursor);
    auto sep = decoded ? decoded->find('|') : std::string::npos;
    if (sep == std::string::npos || decoded->substr(0, sep) != filter_tag(filters))
      errors.push_back({"cursor", "is not a cursor issued for these filters"});
    else
      page.before_id = decoded->substr(sep + 1);
  }
  return page;
}

std::string make_cursor(std::string_view last_id, std::string_view filters) {
  return b64url_encode(filter_tag(filters) + "|" + std::string{last_id});
}

std::string page_json(const std::string& items_array, const std::optional<std::string>& next) {
  return json_object{}.raw("items", items_array).opt("next_cursor", next).finish();
}

}  // namespace billd
