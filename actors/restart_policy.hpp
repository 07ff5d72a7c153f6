#pragma once
// When to restart a failed child and when to give up (ARCHITECTURE.md "Supervision"):
// delay min(backoff_max, base·2^n) ±20 % jitter, n reset after reset_after without failure;
// more than max_restarts failures within period exhausts the budget.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>

#include "config/settings.hpp"

namespace billd {

/// Backoff of one child: how many times it failed in a row.
class restart_backoff {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  restart_backoff(const supervisor_settings& limits, std::uint64_t seed);
  /// Records a failure at `now` and returns the delay before the restart.
  std::chrono::milliseconds on_failure(time_point now);
  std::uint32_t consecutive_failures() const { return consecutive_; }

 private:
  supervisor_settings limits_;
  std::minstd_rand rng_;
  std::uint32_t consecutive_ = 0;
  std::optional<time_point> last_failure_;
};

/// The restart budget of one supervisor.
class restart_budget {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  explicit restart_budget(const supervisor_settings& limits) : limits_(limits) {}
  /// Records a failure at `now`; false when it exceeds max_restarts within period.
  bool admit(time_point now);

 private:
  supervisor_settings limits_;
  std::deque<time_point> failures_;
};

}  // namespace billd
