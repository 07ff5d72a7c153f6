#pragma once
// Per-client rate limits of API.md: a token bucket per token (per IP when anonymous) holding a
// minute's quota, refilled continuously. One limiter is shared by every front (lock stripes,
// no message per request), so a client spread over connections on several fronts still gets
// exactly its quota. Memory is bounded: at capacity a stripe first drops the buckets that have
// refilled completely (idle clients lose nothing), then the one whose loss gives away least.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace billd {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// The answer for one request, with what the RateLimit headers show.
  struct decision {
    bool allowed = true;
    std::uint32_t quota = 0;          // per window
    std::uint32_t remaining = 0;      // after this request
    std::uint32_t reset_s = 0;        // until the bucket is full again
    std::uint32_t retry_after_s = 0;  // refused: until one request is allowed
  };

  /// The window of every quota: a minute.
  static constexpr std::chrono::seconds window{60};

  explicit rate_limiter(std::size_t max_clients);

  /// Takes one request from key's bucket (quota per minute).
  decision take(std::string_view key, std::uint32_t quota, clock::time_point now);

  /// Buckets held (for metrics and tests).
  std::size_t size() const;

 private:
  struct bucket {
    double tokens = 0;
    std::uint32_t quota = 0;
    clock::time_point updated;
  };
  struct stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, bucket> buckets;
  };
  static constexpr std::size_t stripes = 16;
  void make_room(stripe& s, clock::time_point now);
  std::size_t per_stripe_max_;
  std::array<stripe, stripes> stripes_;
};

}  // namespace billd
