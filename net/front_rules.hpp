#pragma once
// The rules every authenticated request passes, whether a front answers it or an Asio thread
// does (net/fast_reads.hpp): the bearer token, the role, the rate limit and its headers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/messages.hpp"
#include "actors/rate_limiter.hpp"
#include "config/settings.hpp"
#include "net/http_types.hpp"
#include "net/router.hpp"

namespace billd {

/// The token of `Authorization: Bearer <token>` (1–512 chars), if the header has that form.
std::optional<std::string> bearer_token(const http_request& req);

/// Whether `role` may use a route open to `who`.
bool role_allows(access who, user_role role);

/// The per-minute quota of a role.
std::uint32_t quota_of(const rate_settings& rate, user_role role);

/// The rate-limiter bucket of a token (its hash): one per token, whichever thread answers.
std::string token_bucket(std::string_view token_hash);

/// Health and metrics (P0) and signed gateway calls have bounds of their own (API.md).
bool rate_exempt(const route_match& route);

/// Until when a verification of `who` is trusted: the cache TTL or the session's own end,
/// whichever is first.
std::chrono::steady_clock::time_point trusted_until(const auth_settings& cfg, const principal& who);

/// The 429 of a refused request.
http_response rate_limited_response(const rate_limiter::decision& d, std::string_view path);

/// Adds the RateLimit-Policy and RateLimit headers (IETF httpapi ratelimit-headers,
/// structured-field form) of a request counted under `policy` ("token" or "ip").
void add_rate_headers(http_response& resp, const rate_limiter::decision& d,
                      std::string_view policy);

}  // namespace billd
