#pragma once
// What the alert actor raises, as a pure function of what it observed (unit-tested without
// actors): the thresholds of API.md over the last five minutes, and the actor-level rules of
// issue 6 — an actor kind restarting too often, a breaker open too long. Dead jobs are raised
// where they die (jobs), in the same transaction.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "actors/monitor.hpp"
#include "domain/thresholds.hpp"
#include "storage/alert_store.hpp"

namespace billd {

/// What a check looks at.
struct alert_inputs {
  window_figures last_5min;
  std::uint64_t active_sessions = 0;
  std::map<std::string, std::uint64_t> restarts_last_minute;  // actor kind → restarts
  std::map<std::string, std::chrono::seconds> breakers_open;  // breaker → open for
};

/// The actor-level limits (configuration, not thresholds).
struct actor_alert_limits {
  std::uint64_t restarts_per_minute = 5;  // more than this → actor_restarts
  std::chrono::seconds breaker_open{60};  // open at least this long → breaker_open
  std::uint64_t min_requests = 20;        // fewer in the window: no error-rate verdict
};

/// The alerts the inputs call for (one per kind at most; cooldowns are the caller's).
std::vector<alert_event> evaluate_alerts(const alert_inputs& in, const alert_thresholds& t,
                                         const actor_alert_limits& limits);

}  // namespace billd
