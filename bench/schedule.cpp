#include "bench/schedule.hpp"

#include <algorithm>

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

}  // namespace billd::bench
