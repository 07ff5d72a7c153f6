#define CAF_SUITE rate_limiter
#include <utility>

#include "caf/test/unit_test.hpp"

#include "actors/rate_limiter.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

const rate_limiter::clock::time_point t0{std::chrono::hours{1}};

}  // namespace

CAF_TEST(a_bucket_allows_a_minutes_quota_at_once_then_refills_steadily) {
  rate_limiter limiter{1000};
  for (std::uint32_t i = 0; i < 60; ++i) {
    auto d = limiter.take("token:a", 60, t0);
    CAF_REQUIRE(d.allowed);
    CAF_CHECK_EQUAL(d.remaining, 59 - i);
    CAF_CHECK_EQUAL(d.quota, 60u);
  }
  auto refused = limiter.take("token:a", 60, t0);
  CAF_CHECK(!refused.allowed);
  CAF_CHECK_EQUAL(refused.remaining, 0u);
  CAF_CHECK_EQUAL(refused.retry_after_s, 1u);  // 60 per minute: one a second
  CAF_CHECK_EQUAL(refused.reset_s, 60u);
  // Half a second later there is still nothing; a second later there is one request.
  CAF_CHECK(!limiter.take("token:a", 60, t0 + 500ms).allowed);
  CAF_CHECK(limiter.take("token:a", 60, t0 + 1'000ms).allowed);
  CAF_CHECK(!limiter.take("token:a", 60, t0 + 1'100ms).allowed);
  // Another client has its own bucket.
  CAF_CHECK(limiter.take("token:b", 60, t0).allowed);
}

CAF_TEST(a_slow_quota_says_how_long_to_wait) {
  rate_limiter limiter{1000};
  CAF_REQUIRE(limiter.take("ip:10.0.0.1", 2, t0).allowed);
  CAF_REQUIRE(limiter.take("ip:10.0.0.1", 2, t0).allowed);
  auto refused = limiter.take("ip:10.0.0.1", 2, t0);
  CAF_CHECK(!refused.allowed);
  CAF_CHECK_EQUAL(refused.retry_after_s, 30u);  // 2 per minute: one per 30 s
  CAF_CHECK(limiter.take("ip:10.0.0.1", 2, t0 + 30s).allowed);
}

CAF_TEST(a_lower_quota_applies_at_once) {
  rate_limiter limiter{1000};
  CAF_REQUIRE(limiter.take("token:c", 100, t0).allowed);
  auto d = limiter.take("token:c", 3, t0);
  CAF_CHECK(d.allowed);
  CAF_CHECK_EQUAL(d.remaining, 2u);
}

CAF_TEST(memory_is_bounded_and_idle_clients_go_first) {
  rate_limiter limiter{160};  // 10 per stripe
  for (int i = 0; i < 5'000; ++i) limiter.take("ip:" + std::to_string(i), 60, t0);
  CAF_CHECK_LESS_OR_EQUAL(limiter.size(), 160u);
  // A client held back keeps its empty bucket while many others come and go: the churn
  // cannot hand it a fresh quota.
  rate_limiter kept{160};  // ten buckets per stripe
  for (int i = 0; i < 60; ++i) kept.take("token:busy", 60, t0);
  for (int i = 0; i < 1'000; ++i) kept.take("ip:" + std::to_string(i), 60, t0);
  CAF_CHECK_LESS_OR_EQUAL(kept.size(), 160u);
  CAF_CHECK(!kept.take("token:busy", 60, t0).allowed);
}
