#include "actors/login_throttle.hpp"

#include <algorithm>

namespace billd {
namespace {
std::string user_ip_key(const std::string& username, const std::string& ip) {
  return "u\x1f" + username + "\x1f" + ip;
}
std::string ip_key(const std::string& ip) { return "i\x1f" + ip; }
}  // namespace

std::uint32_t login_throttle::check(const std::string& key, std::uint32_t max,
                                    time_point now) const {
  auto it = windows_.find(key);
  if (it == windows_.end() || now - it->second.start >= limits_.window) return 0;
  if (it->second.failures < max) return 0;
  auto left =
      std::chrono::duration_cast<std::chrono::seconds>(limits_.window - (now - it->second.start));
  return static_cast<std::uint32_t>(std::max<std::int64_t>(1, left.count() + 1));
}

std::uint32_t login_throttle::blocked_for(const std::string& username, const std::string& ip,
                                          time_point now) const {
  return std::max(check(user_ip_key(username, ip), limits_.per_user_ip, now),
                  check(ip_key(ip), limits_.per_ip, now));
}

void login_throttle::bump(const std::string& key, time_point now) {
  if (windows_.size() >= limits_.entries_max && !windows_.contains(key)) {
    std::erase_if(windows_,
                  [&](const auto& kv) { return now - kv.second.start >= limits_.window; });
    if (windows_.size() >= limits_.entries_max) {
      auto oldest = std::min_element(windows_.begin(), windows_.end(), [](auto& a, auto& b) {
        return a.second.start < b.second.start;
      });
      windows_.erase(oldest);
    }
  }
  auto& w = windows_[key];
  if (w.failures == 0 || now - w.start >= limits_.window) w = window{now, 0};
  ++w.failures;
}

void login_throttle::record_failure(const std::string& username, const std::string& ip,
                                    time_point now) {
  bump(user_ip_key(username, ip), now);
  bump(ip_key(ip), now);
}

}  // namespace billd
