#pragma once
// Admission at the edge. The Asio threads count what they handed each front and it has not yet
// answered; a request that front would refuse anyway (its load is over the priority's bound)
// is answered 503 on the Asio thread, without an actor hop. Under overload the hop, the front's
// mailbox and the CAF worker it waits for are what a refusal would otherwise cost and wait
// behind. The refusals are kept here until the front's next report (once a second) counts them.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "domain/latency_histogram.hpp"
#include "net/router.hpp"

namespace billd {

/// The front admission rule (ARCHITECTURE.md): P0 always; P1 below `bound` requests in flight;
/// P2 below 80 % of it.
bool admits(priority prio, std::int64_t in_flight, std::uint32_t bound);

class edge_admission {
 public:
  /// `bound` is front.max_inflight, the bound of each of `fronts` fronts.
  edge_admission(std::size_t fronts, std::uint32_t bound);

  /// What `enter` decided; a refusal names its route (route_id_count when unmatched).
  struct entry {
    bool admitted = true;
    std::size_t route_index = route_id_count;
  };

  /// Counts a request for `front` unless that front's load refuses it. Routing (for the
  /// priority) happens only near the bound, so a front with room pays nothing for it.
  entry enter(std::size_t front, std::string_view method, std::string_view path);
  /// A request `enter` counted was answered, or its connection closed.
  void leave(std::size_t front);

  /// Records a refusal answered on an Asio thread (its route index, route_id_count when
  /// unmatched, and how long it took) for `front`'s next report.
  void record_shed(std::size_t front, std::size_t route_index, std::uint64_t micros);
  /// Hands `front`'s recorded refusals to `take` (route index, their latencies) and forgets
  /// them.
  void take_sheds(std::size_t front,
                  const std::function<void(std::size_t, const latency_histogram&)>& take);

  /// Requests handed to fronts and not yet answered, all fronts.
  std::int64_t in_flight() const;

 private:
  struct front_edge {
    std::atomic<std::int64_t> load{0};
    std::mutex shed_mutex;
    std::vector<std::unique_ptr<latency_histogram>> sheds;  // by route index, made on first use
  };
  std::uint32_t bound_;
  std::vector<std::unique_ptr<front_edge>> fronts_;
};

}  // namespace billd
