#pragma once
// cache × cache.shards (ARCHITECTURE.md "Cache"): bill reads cache-aside, sharded by bill id so
// no single actor caps throughput. Concurrent misses of one bill make one query (single
// flight). The billing shards — and the maintenance actor for expiries — invalidate a bill
// after every committed change and before answering, so a read that starts after a write's
// answer never sees the old bill; a load that an invalidation overtook still answers the
// readers that were waiting for it but is not stored. Bounded by entries and bytes (LRU) and
// a TTL. Money-moving paths never read from here: the shards read PostgreSQL under locks.
//
// With cache.redis_url each shard also has a second level in Redis, reached through its own
// redis-link and guarded by its own breaker: L1 miss → Redis → PostgreSQL, and a bill loaded
// from PostgreSQL is stored in both. While the breaker is open (or the shard already has
// cache.redis_inflight_max commands outstanding) reads go straight to PostgreSQL and say
// BYPASS; an invalidation that cannot be sent makes the link start a new key epoch.
//
// The memory level itself is a bill_cache_store that the shard's slot holds: the Asio threads
// answer its hits without a hop (net/fast_reads.hpp), and invalidate_bill empties an entry on
// the writer's thread before the write is answered.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/bill_cache_store.hpp"
#include "actors/db_pool.hpp"
#include "actors/figures.hpp"
#include "actors/messages.hpp"
#include "config/settings.hpp"
#include "domain/bill.hpp"

namespace billd {

/// How a read was served: X-Cache of API.md.
enum class cache_status : std::uint8_t { hit, miss, bypass };

/// "HIT", "MISS", "BYPASS".
const char* to_header(cache_status s);

/// The cache's answer: the bill (null when there is none) or the failed database outcome.
struct cache_answer {
  bill_ptr value;
  /// bill_json(*value), rendered once when the cache stored the bill: a cached read renders
  /// nothing. Null when the cache did not store it.
  std::shared_ptr<const std::string> json;
  cache_status status = cache_status::miss;
  bool failed = false;
  db_outcome failure;
};

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::cache_answer)

namespace billd {

using get_atom = caf::atom_constant<caf::atom("get")>;
using invalidate_atom = caf::atom_constant<caf::atom("invalid")>;

/// get(bill id, request id) → answer; invalidate(bill id); metrics → this shard's figures.
using bill_cache_actor =
    caf::typed_actor<caf::replies_to<get_atom, std::string, std::string>::with<cache_answer>,
                     caf::reacts_to<invalidate_atom, std::string>, caf::reacts_to<expire_atom>,
                     caf::replies_to<metrics_atom>::with<figures_ptr>>;

/// A cache shard's slot: its actor, replaced on restart, and its memory level, which the
/// slot keeps (a restarted actor empties it).
class cache_slot : public actor_slot<bill_cache_actor> {
 public:
  explicit cache_slot(std::shared_ptr<bill_cache_store> store) : store_(std::move(store)) {}
  bill_cache_store& store() const { return *store_; }
  const std::shared_ptr<bill_cache_store>& store_ptr() const { return store_; }

 private:
  std::shared_ptr<bill_cache_store> store_;
};

using cache_slot_ptr = std::shared_ptr<cache_slot>;
using cache_slots = std::vector<cache_slot_ptr>;

/// `shards` cache slots, each with a memory level bounded by its share of `cfg`.
cache_slots make_cache_slots(const cache_settings& cfg);

struct bill_cache_config {
  cache_settings cache;  // bounds of the whole cache, split evenly over the shards
  std::shared_ptr<bill_cache_store> store;  // this shard's memory level (its slot's)
  slot_ptr<db_pool_actor> db;
  std::chrono::milliseconds db_timeout{10'000};
  std::uint32_t index = 0;  // which shard (named in its log lines)
};

bill_cache_actor spawn_bill_cache(caf::actor_system& sys, const bill_cache_config& cfg);

/// The cache shard of a bill (same hash as the billing shards).
const cache_slot_ptr& cache_of(const cache_slots& caches, const std::string& bill_id);

/// Drops a bill from its cache shard: from its memory level at once, then (by a message) from
/// the actor's loads under way and from Redis.
void invalidate_bill(const cache_slots& caches, const std::string& bill_id);

}  // namespace billd
