#pragma once
// The one circuit breaker of ARCHITECTURE.md "Circuit breakers": a plain state machine with an
// injected clock, owned by the actor that talks to the dependency (db-pool, gateway-client,
// Redis). Only execution on the connection or the wire is recorded, never queueing in billd.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>

#include "actors/figures.hpp"
#include "config/settings.hpp"

namespace billd {

enum class breaker_state : std::uint8_t { closed, open, half_open };

/// "closed", "open", "half_open" (as /health and /metrics show it).
std::string_view to_string(breaker_state s);

class circuit_breaker {
 public:
  using clock = std::chrono::steady_clock;
  using transition_hook = std::function<void(breaker_state from, breaker_state to)>;

  explicit circuit_breaker(breaker_settings cfg, transition_hook on_transition = nullptr);

  /// May a call start now? Open → refuses until open time passed, then half-open admits
  /// exactly `probes` calls. A true answer must be followed by record().
  bool allow(clock::time_point now);

  /// The result of an admitted call: failed (by the dependency's own rules) and its duration.
  void record(bool failed, std::chrono::milliseconds took, clock::time_point now);

  /// The state as of now (an open breaker whose time passed reports half_open).
  breaker_state state(clock::time_point now) const;

  /// Time until the next probe may run (zero unless open); for Retry-After.
  std::chrono::milliseconds retry_after(clock::time_point now) const;

  std::uint64_t transitions() const { return transitions_; }

 private:
  void move_to(breaker_state to, clock::time_point now);
  breaker_settings cfg_;
  transition_hook on_transition_;
  breaker_state state_ = breaker_state::closed;
  std::deque<std::uint8_t> window_;  // bit 0 failed, bit 1 slow; newest at the back
  clock::time_point open_until_{};
  std::chrono::milliseconds current_open_{0};
  std::uint32_t probes_admitted_ = 0;
  std::uint32_t probes_done_ = 0;
  std::uint32_t probes_failed_ = 0;
  std::uint64_t transitions_ = 0;
};

/// billd_breaker_state (0 closed, 1 half-open, 2 open) and billd_breaker_transitions_total
/// for `dependency` ("postgresql", "gateway", "redis"); `extra` labels (e.g. shard="1") follow.
void add_breaker_figures(figure_set& f, const std::string& dependency, const circuit_breaker& b,
                         circuit_breaker::clock::time_point now, const std::string& extra = "");

}  // namespace billd
