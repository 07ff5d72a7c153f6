#include "actors/restart_policy.hpp"

#include <algorithm>

namespace billd {

restart_backoff::restart_backoff(const supervisor_settings& limits, std::uint64_t seed)
    : limits_(limits), rng_(static_cast<std::minstd_rand::result_type>(seed | 1)) {}

std::chrono::milliseconds restart_backoff::on_failure(time_point now) {
  if (last_failure_ && now - *last_failure_ >= limits_.reset_after) consecutive_ = 0;
  last_failure_ = now;
  // Cap the exponent before shifting so the multiplication cannot overflow.
  auto exponent = std::min<std::uint32_t>(consecutive_, 30);
  ++consecutive_;
  auto nominal =
      std::min<std::int64_t>(limits_.backoff_max.count(), limits_.backoff_base.count() << exponent);
  std::uniform_real_distribution<double> jitter{0.8, 1.2};
  auto delay = static_cast<std::int64_t>(static_cast<double>(nominal) * jitter(rng_));
  return std::chrono::milliseconds{std::max<std::int64_t>(1, delay)};
}

bool restart_budget::admit(time_point now) {
  while (!failures_.empty() && now - failures_.front() > limits_.period) failures_.pop_front();
  failures_.push_back(now);
  return failures_.size() <= limits_.max_restarts;
}

}  // namespace billd
