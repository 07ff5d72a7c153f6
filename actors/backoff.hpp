#pragma once
// Delays between retries (ARCHITECTURE.md "Retries"): full jitter for the attempts of one call,
// and the growing schedule of durable jobs. Pure functions of their inputs and a random draw.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace billd {

/// min(cap, base·2^n) without overflow, for n ≥ 0.
inline std::chrono::milliseconds capped_exponential(std::chrono::milliseconds base,
                                                    std::chrono::milliseconds cap,
                                                    std::uint32_t n) {
  auto d = base;
  for (std::uint32_t i = 0; i < n && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

/// Full jitter before attempt n+1 of a call: uniform in [0, min(cap, base·2^n)].
template <class Rng>
std::chrono::milliseconds full_jitter(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                      std::uint32_t n, Rng& rng) {
  auto bound = capped_exponential(base, cap, n).count();
  std::uniform_int_distribution<std::int64_t> pick(0, bound);
  return std::chrono::milliseconds{pick(rng)};
}

/// Delay of a job after its n-th failed attempt (n ≥ 1): min..max doubling, drawn from the
/// upper half of the step so a crowd of jobs spreads out but never retries early.
template <class Rng>
std::chrono::milliseconds job_retry_delay(std::chrono::milliseconds min,
                                          std::chrono::milliseconds max, std::uint32_t n,
                                          Rng& rng) {
  auto step = capped_exponential(min, max, n == 0 ? 0 : n - 1).count();
  std::uniform_int_distribution<std::int64_t> pick(step / 2, step);
  return std::chrono::milliseconds{std::max<std::int64_t>(pick(rng), min.count())};
}

}  // namespace billd
