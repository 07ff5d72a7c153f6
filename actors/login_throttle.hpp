#pragma once
// Login throttling of API.md: 5 failures per (username, IP) or 50 per IP within a minute
// block further attempts — even with the right password — until the window passes.
// Memory is bounded: expired windows are dropped, and at capacity the oldest go first.

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace billd {

/// Fixed-window failure counters keyed by (username, IP) and by IP.
class login_throttle {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  struct limits {
    std::uint32_t per_user_ip = 5;
    std::uint32_t per_ip = 50;
    std::chrono::milliseconds window{60'000};
    std::size_t entries_max = 100'000;
  };
  explicit login_throttle(limits l) : limits_(l) {}
  /// Seconds until attempts are allowed again (0 when allowed now).
  std::uint32_t blocked_for(const std::string& username, const std::string& ip,
                            time_point now) const;
  void record_failure(const std::string& username, const std::string& ip, time_point now);
  std::size_t size() const { return windows_.size(); }

 private:
  struct window {
    time_point start;
    std::uint32_t failures = 0;
  };
  std::uint32_t check(const std::string& key, std::uint32_t max, time_point now) const;
  void bump(const std::string& key, time_point now);
  limits limits_;
  std::unordered_map<std::string, window> windows_;
};

}  // namespace billd
