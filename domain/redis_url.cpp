#include "domain/redis_url.hpp"

#include <cctype>
#include <charconv>

namespace billd {
namespace {

template <class Int>
bool parse_int(std::string_view text, Int& out, Int min, Int max) {
  Int v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < min || v > max) return false;
  out = v;
  return true;
}

}  // namespace

std::optional<redis_target> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  redis_target t;
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    auto userinfo = url.substr(0, at);
    url.remove_prefix(at + 1);
    // Redis 6 ACL users are not used: the user part must be empty ("redis://:pw@host").
    if (!userinfo.starts_with(':') || userinfo.size() < 2) return std::nullopt;
    t.password = std::string{userinfo.substr(1)};
  }
  auto authority = url.substr(0, url.find('/'));
  if (authority.size() < url.size()) {
    auto db = url.substr(authority.size() + 1);
    if (!db.empty() && !parse_int<std::uint32_t>(db, t.db, 0, 1'000'000)) return std::nullopt;
  }
  if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    if (!parse_int<std::uint16_t>(authority.substr(colon + 1), t.port, 1, 65'535))
      return std::nullopt;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::nullopt;
  for (char c : authority)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
      return std::nullopt;
  t.host = std::string{authority};
  return t;
}

}  // namespace billd
