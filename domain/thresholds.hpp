#pragma once
// Alert thresholds (API.md "Operations"): what the alert actor compares the last five minutes
// with. Stored in PostgreSQL (one row), changed by PUT /api/v1/metrics/thresholds.

#include <cstdint>
#include <string>

namespace billd {

struct alert_thresholds {
  double error_rate_pct = 10;  // 5xx (shed 503s included) among all answers, in %
  std::int64_t avg_response_ms = 2'000;
  std::int64_t slow_requests = 50;  // requests over metrics.slow_request_ms
  std::int64_t active_sessions = 1'000;
  std::int64_t cooldown_s = 300;  // per alert kind
  std::int64_t version = 1;       // for ETag / If-Match
};

/// The JSON of API.md: {"error_rate_pct","avg_response_ms","slow_requests","active_sessions",
/// "cooldown_s"} (the version travels in the ETag).
std::string thresholds_json(const alert_thresholds& t);

/// Allowed ranges (checked by the PUT route and by the table's constraints).
inline constexpr double error_rate_pct_max = 100;
inline constexpr std::int64_t threshold_int_max = 1'000'000'000;
inline constexpr std::int64_t cooldown_s_max = 7 * 86'400;

}  // namespace billd
