#pragma once
// Cached bill reads answered on the Asio thread. `GET /api/v1/bills/{id}` whose token the
// connection's front has already verified and whose bill the cache shard holds is answered by
// the Asio thread that parsed it, with no actor hop: below saturation each hop to a front and
// back costs a thread wake-up on either side, which made such a read cost about three times
// its closed-loop CPU (docs/benchmarks.md). The rules are the front's, in the front's order,
// applied to the same shared state: the front's token cache (which auth revokes in before it
// answers), the shared rate limiter and the cache shard's memory level (which invalidate_bill
// empties before a write is answered). The answers are counted in the front's next report
// through the edge. Anything else (another route, a token not yet verified, a role the
// route refuses, a miss) is declined and goes on as before: to the edge's admission, then
// the front. What is answered here is answered whatever the front's load: it takes no place
// there (docs/architecture.md, "Cached reads on the Asio thread").

#include <cstddef>
#include <memory>
#include <optional>

#include "actors/bill_cache.hpp"
#include "actors/rate_limiter.hpp"
#include "actors/token_cache.hpp"
#include "config/settings.hpp"
#include "net/edge_admission.hpp"
#include "net/http_types.hpp"

namespace billd {

struct fast_reads_deps {
  settings cfg;
  cache_slots caches;
  token_caches tokens;  // by front index
  std::shared_ptr<rate_limiter> limiter;
  std::shared_ptr<edge_admission> edge;
};

class fast_reads {
 public:
  explicit fast_reads(fast_reads_deps deps);

  /// The answer to `ex` from the shared state of front `front`, recorded for its report; or
  /// nullopt when the front must answer it.
  std::optional<http_response> try_answer(const http_exchange& ex, std::size_t front);

 private:
  fast_reads_deps deps_;
};

}  // namespace billd
