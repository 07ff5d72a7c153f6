#define CAF_SUITE latency_histogram
#include <utility>

#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "domain/latency_histogram.hpp"

using histogram = billd::latency_histogram;

CAF_TEST(every_value_lands_in_a_bucket_whose_top_is_within_one_sixty_fourth) {
  std::uint64_t v = 0;
  for (int i = 0; i < 200'000; ++i, v = v < 128 ? v + 1 : v + v / 97 + 1) {
    if (v >= (std::uint64_t{1} << 31)) break;  // past the top: the overflow bucket
    auto b = histogram::bucket_of(v);
    auto top = histogram::bucket_top(b);
    CAF_REQUIRE(b >= 0 && b < histogram::bucket_count);
    CAF_REQUIRE(top >= v);
    if (v < 128) CAF_REQUIRE_EQUAL(top, v);  // exact at the bottom
    CAF_REQUIRE(top - v <= v / 64);
    if (b > 0) CAF_REQUIRE(histogram::bucket_top(b - 1) < v);  // and no lower bucket fits it
  }
  CAF_CHECK_EQUAL(histogram::bucket_of(~std::uint64_t{0}), histogram::bucket_count - 1);
}

CAF_TEST(percentiles_match_a_sorted_sample_within_the_bucket_precision) {
  std::mt19937_64 rng{7};
  std::lognormal_distribution<double> latency{7.0, 1.0};  // around a millisecond, long tail
  std::vector<std::uint64_t> sample;
  histogram h;
  for (int i = 0; i < 100'000; ++i) {
    auto v = static_cast<std::uint64_t>(latency(rng));
    sample.push_back(v);
    h.record(v);
  }
  std::sort(sample.begin(), sample.end());
  for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
    auto exact = sample[static_cast<std::size_t>(std::ceil(p / 100 * 100'000.0)) - 1];
    auto got = h.percentile(p);
    CAF_CHECK(got >= exact);
    CAF_CHECK(got - exact <= exact / 64);
  }
  CAF_CHECK_EQUAL(h.percentile(100), sample.back());
  CAF_CHECK_EQUAL(h.max(), sample.back());
  CAF_CHECK_EQUAL(h.min(), sample.front());
  CAF_CHECK_EQUAL(h.count(), 100'000u);
}

CAF_TEST(merged_histograms_equal_one_that_saw_everything) {
  histogram a, b, all;
  for (std::uint64_t v = 1; v < 50'000; v += 7) {
    (v % 2 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  CAF_CHECK_EQUAL(a.count(), all.count());
  for (double p : {1.0, 50.0, 99.0, 100.0}) CAF_CHECK_EQUAL(a.percentile(p), all.percentile(p));
  CAF_CHECK_EQUAL(a.mean(), all.mean());
  CAF_CHECK_EQUAL(histogram{}.percentile(99), 0u);
}

CAF_TEST(counts_at_most_a_bound_follow_whole_buckets) {
  histogram h;
  for (std::uint64_t v : {10u, 100u, 1'000u, 10'000u, 100'000u}) h.record(v);
  CAF_CHECK_EQUAL(h.count_at_most(9), 0u);
  CAF_CHECK_EQUAL(h.count_at_most(10), 1u);
  CAF_CHECK_EQUAL(h.count_at_most(1'000), 2u);  // 1 000 shares a bucket reaching above it
  CAF_CHECK_EQUAL(h.count_at_most(1'015), 3u);  // 1 000's bucket (up to 1 007) is below
  CAF_CHECK_EQUAL(h.count_at_most(1'000'000), 5u);
}
