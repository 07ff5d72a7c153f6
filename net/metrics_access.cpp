#include "net/metrics_access.hpp"

#include <sodium.h>

#include "domain/webhook_rules.hpp"

namespace billd {

bool metrics_scrape_allowed(std::string_view remote_ip,
                            std::optional<std::string_view> authorization,
                            const std::string& token) {
  if (remote_ip.starts_with("::ffff:")) remote_ip.remove_prefix(7);  // IPv4 on an IPv6 socket
  if (is_loopback_host(remote_ip)) return true;
  constexpr std::string_view scheme = "Bearer ";
  if (token.empty() || !authorization || !authorization->starts_with(scheme)) return false;
  auto given = authorization->substr(scheme.size());
  return given.size() == token.size() &&
         sodium_memcmp(given.data(), token.data(), token.size()) == 0;
}

}  // namespace billd
