#include "domain/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace billd {

int latency_histogram::bucket_of(std::uint64_t v) {
  if (v < static_cast<std::uint64_t>(sub_count)) return static_cast<int>(v);  // exact below 64
  // Magnitude m ≥ 1 covers [2^(m+5), 2^(m+6)) in 64 steps of 2^(m-1).
  auto top_bit = static_cast<int>(std::bit_width(v)) - 1;  // ≥ sub_bits
  int magnitude = top_bit - sub_bits + 1;
  if (magnitude > magnitudes) return bucket_count - 1;
  auto sub = static_cast<int>(v >> (magnitude - 1)) - sub_count;  // 0..63
  return magnitude * sub_count + sub;
}

std::uint64_t latency_histogram::bucket_top(int bucket) {
  if (bucket < sub_count) return static_cast<std::uint64_t>(bucket);
  int magnitude = bucket / sub_count;
  auto sub = static_cast<std::uint64_t>(bucket % sub_count + sub_count);
  return ((sub + 1) << (magnitude - 1)) - 1;
}

void latency_histogram::record(std::uint64_t micros) {
  ++counts_[static_cast<std::size_t>(bucket_of(micros))];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
  min_ = std::min(min_, micros);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

std::uint64_t latency_histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucket_top(static_cast<int>(i)), max_);
  }
  return max_;
}

std::uint64_t latency_histogram::count_at_most(std::uint64_t micros) const {
  auto last = bucket_of(micros);
  if (bucket_top(last) > micros) --last;
  std::uint64_t n = 0;
  for (int i = 0; i <= last; ++i) n += counts_[static_cast<std::size_t>(i)];
  return n;
}

}  // namespace billd
