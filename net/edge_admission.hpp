#pragma once
// Admission at the edge. The Asio threads count what they handed each front and it has not yet
// answered; a request that front would refuse anyway (its load is over the priority's bound)
// is answered 503 on the Asio thread, without an actor hop. Under overload the hop, the front's
// mailbox and the CAF worker it waits for are what a refusal would otherwise cost and wait
// behind. Whatever an Asio thread answers itself for a front (these refusals, cached reads of
// net/fast_reads.hpp) is kept here until the front's next report (once a second) counts it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
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
  /// A request `enter` counted was answered by its front (its connection may be gone: the work
  /// held the front until then).
  void leave(std::size_t front);

  /// Records an answer made on an Asio thread for `front`'s next report: its route index
  /// (route_id_count when unmatched), its status and how long it took.
  void record_answer(std::size_t front, std::size_t route_index, unsigned status,
                     std::uint64_t micros);
  /// Hands `front`'s recorded answers to `take` (route index, status, their latencies) and
  /// forgets them.
  void take_answers(
      std::size_t front,
      const std::function<void(std::size_t, unsigned, const latency_histogram&)>& take);

  /// Requests handed to fronts and not yet answered, all fronts.
  std::int64_t in_flight() const;

 private:
  struct front_edge {
    std::atomic<std::int64_t> load{0};
    std::mutex answers_mutex;
    std::map<std::pair<std::size_t, unsigned>, latency_histogram> answers;  // by route, status
  };
  std::uint32_t bound_;
  std::vector<std::unique_ptr<front_edge>> fronts_;
};

}  // namespace billd
