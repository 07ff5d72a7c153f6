#include "bench/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace billd::bench {

open_loop_schedule::open_loop_schedule(clock::time_point start, double total_rate, int connections,
                                       int index) {
  auto per_connection = total_rate / std::max(1, connections);
  interval_ = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(per_connection, 1e-9)));
  first_ = start + interval_ * index / std::max(1, connections);
}

open_loop_schedule::clock::time_point open_loop_schedule::due(std::uint64_t k) const {
  return first_ + interval_ * static_cast<clock::rep>(k);
}

std::vector<int> split_connections(int connections, const std::vector<double>& shares) {
  auto lanes = static_cast<int>(shares.size());
  std::vector<int> counts(shares.size(), 0);
  if (lanes == 0 || connections <= 0) return counts;
  // One each first, so a small lane (health at 10 %) is never left without a connection.
  auto floor_each = connections >= lanes ? 1 : 0;
  auto rest = connections - floor_each * lanes;
  std::vector<double> remainders(shares.size());
  for (std::size_t i = 0; i < shares.size(); ++i) {
    auto exact = shares[i] * rest;
    counts[i] = floor_each + static_cast<int>(std::floor(exact));
    remainders[i] = exact - std::floor(exact);
  }
  std::vector<std::size_t> order(shares.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  auto left = connections - std::accumulate(counts.begin(), counts.end(), 0);
  for (std::size_t k = 0; left > 0; k = (k + 1) % order.size(), --left) ++counts[order[k]];
  return counts;
}

}  // namespace billd::bench
