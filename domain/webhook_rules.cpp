#include "domain/webhook_rules.hpp"

#include "domain/text_rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace billd {
namespace {

/// The host of "scheme://host[:port][/...]" (brackets kept off IPv6 literals).
std::string_view host_of(std::string_view rest) {
  auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    return close == std::string_view::npos ? std::string_view{} : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

std::optional<std::array<unsigned, 4>> ipv4(std::string_view host) {
  std::array<unsigned, 4> out{};
  for (int i = 0; i < 4; ++i) {
    auto dot = host.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    auto part = host.substr(0, dot);
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), out[i]);
    if (ec != std::errc{} || p != part.data() + part.size() || part.empty() || out[i] > 255)
      return std::nullopt;
    host = dot == std::string_view::npos ? std::string_view{} : host.substr(dot + 1);
  }
  return out;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  auto v4 = ipv4(host);
  return v4 && (*v4)[0] == 127;
}

bool is_private_address(std::string_view host) {
  if (auto v4 = ipv4(host)) {
    auto [a, b, c, d] = *v4;
    (void)c;
    (void)d;
    return a == 10 || a == 0 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
           (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127);
  }
  auto lower = ascii_lower(host);
  return lower == "::" || lower.starts_with("fc") || lower.starts_with("fd") ||
         lower.starts_with("fe8") || lower.starts_with("fe9") || lower.starts_with("fea") ||
         lower.starts_with("feb");
}

std::optional<std::string> check_webhook_url(std::string_view url, bool allow_private) {
  if (url.size() > 2048) return "must be at most 2048 characters";
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return "must be a URL without spaces or control characters";
  bool https = url.starts_with("https://");
  bool http = url.starts_with("http://");
  if (!https && !http) return "must be an https URL (http only for loopback)";
  auto host = host_of(url.substr(https ? 8 : 7));
  if (host.empty()) return "must name a host";
  if (http && !is_loopback_host(host)) return "must use https unless the host is loopback";
  if (is_private_address(host) && !allow_private)
    return "must not name a private address (webhooks.allow_private_networks)";
  return std::nullopt;
}

std::optional<std::string> check_webhook_events(const std::vector<std::string>& events) {
  if (events.empty()) return "must name at least one event";
  std::set<std::string_view> seen;
  for (const auto& e : events) {
    if (std::find(std::begin(webhook_event_types), std::end(webhook_event_types), e) ==
        std::end(webhook_event_types))
      return "has an unknown event: " + e;
    if (!seen.insert(e).second) return "names " + e + " twice";
  }
  return std::nullopt;
}

std::optional<std::string> check_webhook_secret(std::string_view secret) {
  if (secret.size() < 32) return "must be at least 32 bytes";
  if (secret.size() > 256) return "must be at most 256 bytes";
  return std::nullopt;
}

}  // namespace billd
