#include "actors/alert_rules.hpp"

#include <fmt/format.h>

#include "domain/json_text.hpp"

namespace billd {

std::vector<alert_event> evaluate_alerts(const alert_inputs& in, const alert_thresholds& t,
                                         const actor_alert_limits& limits) {
  std::vector<alert_event> out;
  const auto& w = in.last_5min;
  if (w.requests >= limits.min_requests && w.error_rate_pct() >= t.error_rate_pct)
    out.push_back({"error_rate", "critical",
                   fmt::format("{:.1f} % of the last 5 minutes' answers were server errors "
                               "(threshold {:.1f} %)",
                               w.error_rate_pct(), t.error_rate_pct),
                   json_object{}
                       .real("error_rate_pct", w.error_rate_pct())
                       .num("requests", static_cast<std::int64_t>(w.requests))
                       .num("server_errors", static_cast<std::int64_t>(w.server_errors))
                       .real("threshold", t.error_rate_pct)
                       .finish()});
  if (w.requests > 0 && w.avg_ms() >= static_cast<double>(t.avg_response_ms))
    out.push_back({"response_time", "warning",
                   fmt::format("average response {:.0f} ms over the last 5 minutes (threshold "
                               "{} ms)",
                               w.avg_ms(), t.avg_response_ms),
                   json_object{}
                       .real("avg_response_ms", w.avg_ms())
                       .num("threshold", t.avg_response_ms)
                       .finish()});
  if (static_cast<std::int64_t>(w.slow) >= t.slow_requests)
    out.push_back({"slow_requests", "warning",
                   fmt::format("{} slow requests in the last 5 minutes (threshold {})", w.slow,
                               t.slow_requests),
                   json_object{}
                       .num("slow_requests", static_cast<std::int64_t>(w.slow))
                       .num("threshold", t.slow_requests)
                       .finish()});
  if (static_cast<std::int64_t>(in.active_sessions) >= t.active_sessions)
    out.push_back(
        {"active_sessions", "warning",
         fmt::format("{} active sessions (threshold {})", in.active_sessions, t.active_sessions),
         json_object{}
             .num("active_sessions", static_cast<std::int64_t>(in.active_sessions))
             .num("threshold", t.active_sessions)
             .finish()});
  json_object restarting;
  std::string names;
  for (const auto& [kind, n] : in.restarts_last_minute)
    if (n > limits.restarts_per_minute) {
      restarting.num(kind, static_cast<std::int64_t>(n));
      names += (names.empty() ? "" : ", ") + kind;
    }
  if (!names.empty())
    out.push_back({"actor_restarts", "critical",
                   fmt::format("restarting more than {} times a minute: {}",
                               limits.restarts_per_minute, names),
                   json_object{}.raw("restarts_last_minute", restarting.finish()).finish()});
  json_object open;
  names.clear();
  for (const auto& [breaker, for_s] : in.breakers_open)
    if (for_s >= limits.breaker_open) {
      open.num(breaker, for_s.count());
      names += (names.empty() ? "" : ", ") + breaker;
    }
  if (!names.empty())
    out.push_back({"breaker_open", "critical",
                   fmt::format("circuit breaker open for {} s or more: {}",
                               limits.breaker_open.count(), names),
                   json_object{}.raw("open_seconds", open.finish()).finish()});
  return out;
}

}  // namespace billd
