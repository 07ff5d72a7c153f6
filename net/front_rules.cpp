#include "net/front_rules.hpp"

#include <algorithm>

#include "domain/text_rules.hpp"
#include "net/problem.hpp"

namespace billd {

std::optional<std::string> bearer_token(const http_request& req) {
  auto h = req.header("authorization");
  if (!h || h->size() < 8) return std::nullopt;
  if (ascii_lower(h->substr(0, 7)) != "bearer ") return std::nullopt;
  auto token = h->substr(7);
  if (token.empty() || token.size() > 512) return std::nullopt;
  return std::string{token};
}

bool role_allows(access who, user_role role) {
  switch (who) {
    case access::anyone:
    case access::any_user:
      return true;
    case access::clerk:
      return role == user_role::clerk || role == user_role::admin;
    case access::admin:
      return role == user_role::admin;
    case access::reader:
      return role == user_role::admin || role == user_role::viewer;
  }
  return false;
}

std::uint32_t quota_of(const rate_settings& rate, user_role role) {
  switch (role) {
    case user_role::admin:
      return rate.admin_per_minute;
    case user_role::clerk:
      return rate.clerk_per_minute;
    case user_role::viewer:
      return rate.viewer_per_minute;
  }
  return rate.viewer_per_minute;
}

std::string token_bucket(std::string_view token_hash) { return "token:" + std::string{token_hash}; }

bool rate_exempt(const route_match& route) {
  return route.prio == priority::p0 || route.id == route_id::gateway_control_number ||
         route.id == route_id::gateway_payment;
}

std::chrono::steady_clock::time_point trusted_until(const auth_settings& cfg,
                                                    const principal& who) {
  auto now = std::chrono::steady_clock::now();
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto left = std::chrono::milliseconds{std::max<std::int64_t>(0, who.expires_at_ms - now_ms)};
  return std::min(now + cfg.token_cache_ttl, now + left);
}

http_response rate_limited_response(const rate_limiter::decision& d, std::string_view path) {
  auto r = problem_response(problem::rate_limited, "too many requests; slow down", path);
  r.with("Retry-After", std::to_string(d.retry_after_s));
  return r;
}

void add_rate_headers(http_response& resp, const rate_limiter::decision& d,
                      std::string_view policy) {
  std::string quoted{"\""};
  quoted.append(policy).append("\"");
  resp.with("RateLimit-Policy", quoted + ";q=" + std::to_string(d.quota) +
                                    ";w=" + std::to_string(rate_limiter::window.count()));
  resp.with("RateLimit",
            quoted + ";r=" + std::to_string(d.remaining) + ";t=" + std::to_string(d.reset_s));
}

}  // namespace billd
