#pragma once
// The open-loop schedule of one connection (wrk2's model): request k is due at
// start + offset + k × interval, whatever happened before. A request sent late because the
// connection was still waiting for an answer counts its latency from when it was due, so a
// stall shows in every request it delayed instead of vanishing (no coordinated omission).

#include <chrono>
#include <cstdint>
#include <vector>

namespace billd::bench {

class open_loop_schedule {
 public:
  using clock = std::chrono::steady_clock;

  /// `total_rate` requests per second shared by `connections`; this is connection `index`,
  /// whose first request is staggered by index/connections of an interval.
  open_loop_schedule(clock::time_point start, double total_rate, int connections, int index);

  /// When request k of this connection is due.
  clock::time_point due(std::uint64_t k) const;

  /// The index of the next request to send (advances).
  std::uint64_t take() { return next_++; }

  clock::duration interval() const { return interval_; }

 private:
  clock::time_point first_;
  clock::duration interval_;
  std::uint64_t next_ = 0;
};

/// How many of `connections` each lane gets when lanes carry `shares` of the load (shares
/// sum to 1): in proportion, largest remainders first, at least one each while there are
/// connections for it. The counts sum to `connections`.
std::vector<int> split_connections(int connections, const std::vector<double>& shares);

}  // namespace billd::bench
