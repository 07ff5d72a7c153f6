#include "actors/circuit_breaker.hpp"

#include <algorithm>

namespace billd {

std::string_view to_string(breaker_state s) {
  switch (s) {
    case breaker_state::closed:
      return "closed";
    case breaker_state::open:
      return "open";
    case breaker_state::half_open:
      return "half_open";
  }
  return "closed";
}

circuit_breaker::circuit_breaker(breaker_settings cfg, transition_hook on_transition)
    : cfg_(cfg), on_transition_(std::move(on_transition)), current_open_(cfg.open) {}

void circuit_breaker::move_to(breaker_state to, clock::time_point now) {
  auto from = state_;
  if (from == to) return;
  state_ = to;
  ++transitions_;
  if (to == breaker_state::open) {
    open_until_ = now + current_open_;
  } else if (to == breaker_state::half_open) {
    probes_admitted_ = probes_done_ = probes_failed_ = 0;
  } else {
    window_.clear();
    current_open_ = cfg_.open;
  }
  if (on_transition_) on_transition_(from, to);
}

bool circuit_breaker::allow(clock::time_point now) {
  if (state_ == breaker_state::open) {
    if (now < open_until_) return false;
    move_to(breaker_state::half_open, now);
  }
  if (state_ == breaker_state::half_open) {
    if (probes_admitted_ >= cfg_.probes) return false;
    ++probes_admitted_;
  }
  return true;
}

void circuit_breaker::record(bool failed, std::chrono::milliseconds took, clock::time_point now) {
  bool slow = took >= cfg_.slow;
  if (state_ == breaker_state::half_open) {
    ++probes_done_;
    if (failed || slow) ++probes_failed_;
    if (probes_done_ < cfg_.probes) return;
    // Closes when fewer than half of the probes failed; otherwise opens for twice as long.
    if (probes_failed_ * 2 < probes_done_) {
      move_to(breaker_state::closed, now);
    } else {
      current_open_ = std::min(current_open_ * 2, cfg_.open_max);
      move_to(breaker_state::open, now);
    }
    return;
  }
  if (state_ == breaker_state::open) return;  // a call admitted before it opened
  window_.push_back(static_cast<std::uint8_t>((failed ? 1 : 0) | (slow ? 2 : 0)));
  while (window_.size() > cfg_.window) window_.pop_front();
  if (window_.size() < cfg_.min_calls) return;
  std::size_t failures = 0, slows = 0;
  for (auto bits : window_) {
    failures += bits & 1;
    slows += (bits >> 1) & 1;
  }
  auto pct = [this](std::size_t n) { return n * 100 / window_.size(); };
  if (pct(failures) >= cfg_.failure_pct || pct(slows) >= cfg_.slow_pct)
    move_to(breaker_state::open, now);
}

breaker_state circuit_breaker::state(clock::time_point now) const {
  if (state_ == breaker_state::open && now >= open_until_) return breaker_state::half_open;
  return state_;
}

std::chrono::milliseconds circuit_breaker::retry_after(clock::time_point now) const {
  if (state_ != breaker_state::open || now >= open_until_) return std::chrono::milliseconds{0};
  return std::chrono::duration_cast<std::chrono::milliseconds>(open_until_ - now);
}

void add_breaker_figures(figure_set& f, const std::string& dependency, const circuit_breaker& b,
                         circuit_breaker::clock::time_point now, const std::string& extra) {
  auto labels = "dependency=\"" + dependency + "\"" + (extra.empty() ? "" : "," + extra);
  double code = 0;
  switch (b.state(now)) {
    case breaker_state::closed:
      code = 0;
      break;
    case breaker_state::half_open:
      code = 1;
      break;
    case breaker_state::open:
      code = 2;
      break;
  }
  f.add("billd_breaker_state", labels, code);
  f.add("billd_breaker_transitions_total", labels, static_cast<double>(b.transitions()));
}

}  // namespace billd
