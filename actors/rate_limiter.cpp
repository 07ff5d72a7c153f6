#include "actors/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace billd {
namespace {

using seconds_f = std::chrono::duration<double>;

double per_second(std::uint32_t quota) {
  return quota / std::chrono::duration_cast<seconds_f>(rate_limiter::window).count();
}

/// The bucket's tokens as of now (refilled since its last update, capped at the quota).
double refilled(double tokens, std::uint32_t quota, std::chrono::steady_clock::duration idle) {
  auto add = std::chrono::duration_cast<seconds_f>(idle).count() * per_second(quota);
  return std::min<double>(quota, tokens + std::max(0.0, add));
}

std::uint32_t ceil_seconds(double s) {
  return static_cast<std::uint32_t>(std::max(0.0, std::ceil(s - 1e-9)));
}

}  // namespace

rate_limiter::rate_limiter(std::size_t max_clients)
    : per_stripe_max_(std::max<std::size_t>(1, max_clients / stripes)) {}

void rate_limiter::make_room(stripe& s, clock::time_point now) {
  std::erase_if(s.buckets, [now](const auto& kv) {
    const auto& b = kv.second;
    return refilled(b.tokens, b.quota, now - b.updated) >= b.quota;
  });
  if (s.buckets.size() < per_stripe_max_) return;
  // Forgetting a bucket hands its client a full one: drop the bucket where that gives away
  // the least, so churning the table cannot reset a client that is being held back.
  auto given_away = [now](const bucket& b) {
    return b.quota - refilled(b.tokens, b.quota, now - b.updated);
  };
  auto cheapest = std::min_element(
      s.buckets.begin(), s.buckets.end(),
      [&](const auto& a, const auto& b) { return given_away(a.second) < given_away(b.second); });
  s.buckets.erase(cheapest);
}

rate_limiter::decision rate_limiter::take(std::string_view key, std::uint32_t quota,
                                          clock::time_point now) {
  auto& s = stripes_[std::hash<std::string_view>{}(key) % stripes];
  std::lock_guard<std::mutex> guard{s.mutex};
  std::string name{key};
  auto it = s.buckets.find(name);
  if (it == s.buckets.end()) {
    if (s.buckets.size() >= per_stripe_max_) make_room(s, now);
    it = s.buckets.emplace(std::move(name), bucket{static_cast<double>(quota), quota, now}).first;
  }
  auto& b = it->second;
  // A changed quota (configuration, or another role) takes effect at once.
  b.tokens = refilled(std::min<double>(b.tokens, quota), quota, now - b.updated);
  b.quota = quota;
  b.updated = now;
  decision d;
  d.quota = quota;
  d.allowed = b.tokens >= 1.0;
  if (d.allowed) b.tokens -= 1.0;
  d.remaining = static_cast<std::uint32_t>(std::floor(b.tokens));
  d.reset_s = ceil_seconds((quota - b.tokens) / per_second(quota));
  if (!d.allowed) d.retry_after_s = std::max(1u, ceil_seconds((1.0 - b.tokens) / per_second(quota)));
  return d;
}

std::size_t rate_limiter::size() const {
  std::size_t n = 0;
  for (const auto& s : stripes_) {
    std::lock_guard<std::mutex> guard{s.mutex};
    n += s.buckets.size();
  }
  return n;
}

}  // namespace billd
