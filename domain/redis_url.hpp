#pragma once
// Where the Redis second cache level is: cache.redis_url, parsed once at start.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace billd {

struct redis_target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string password;  // empty: no AUTH
  std::uint32_t db = 0;  // SELECT after connecting
};

/// redis://[:PASSWORD@]HOST[:PORT][/DB]; nullopt when malformed.
std::optional<redis_target> parse_redis_url(std::string_view url);

}  // namespace billd
