#pragma once
// A latency histogram with fixed log-linear buckets (HDR-style), shared by billd's request
// metrics and billd-bench: 64 linear sub-buckets per
// power of two, so any recorded value is reported within 1/64 (1.6 %) of itself (exactly below
// 128 µs), from 1 µs to about 35 minutes, in a fixed 13 KiB array. Recording is an increment;
// histograms of several threads merge by addition.

#include <array>
#include <cstdint>

namespace billd {

class latency_histogram {
 public:
  static constexpr int sub_bits = 6;  // 64 sub-buckets per power of two
  static constexpr int sub_count = 1 << sub_bits;
  static constexpr int magnitudes = 31 - sub_bits;  // up to 2^31 µs
  static constexpr int bucket_count = sub_count * (magnitudes + 1);

  /// Records one value (microseconds); values past the top land in the last bucket.
  void record(std::uint64_t micros);
  void merge(const latency_histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t sum() const { return sum_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }

  /// The value at percentile p (0 < p ≤ 100): the top of the bucket holding it, capped at max.
  std::uint64_t percentile(double p) const;

  /// How many recorded values are at most `micros` (counting whole buckets: a bucket counts
  /// when its top is ≤ micros), for fixed Prometheus `le` bounds.
  std::uint64_t count_at_most(std::uint64_t micros) const;

  /// The bucket of a value and the largest value that bucket holds (exposed for tests).
  static int bucket_of(std::uint64_t micros);
  static std::uint64_t bucket_top(int bucket);

 private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0, sum_ = 0, max_ = 0, min_ = ~std::uint64_t{0};
};

}  // namespace billd
