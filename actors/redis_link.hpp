#pragma once
// redis-link: the Redis connection of one cache shard, a detached actor (hiredis blocks; each
// call is bounded by cache.redis_timeout_ms). One connection per shard keeps that shard's
// commands in order, which is what makes the second level safe: an invalidation (DEL) sent
// after a store (SET) of the same bill always lands after it.
//
// Keys carry an epoch taken from Redis (INCR) when the link starts and again after any
// invalidation may have been lost (a failed DEL, or one the shard skipped while the Redis
// breaker was open): the entries of the old epoch are then never read again and expire by TTL.
// A restarted billd also starts a new epoch, since it cannot know what its predecessor lost.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "domain/redis_url.hpp"

namespace billd {

/// One command's outcome, with how long it ran (for the shard's breaker).
struct redis_reply {
  bool failed = false;
  std::string error;
  std::optional<std::string> value;  // GET only
  std::chrono::milliseconds took{0};
};

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::redis_reply)

namespace billd {

using redis_get_atom = caf::atom_constant<caf::atom("rget")>;
using redis_set_atom = caf::atom_constant<caf::atom("rset")>;
using redis_del_atom = caf::atom_constant<caf::atom("rdel")>;
using redis_lost_atom = caf::atom_constant<caf::atom("rlost")>;

/// get(bill id), set(bill id, stored value), del(bill id), lost() — ids, not keys: the link
/// owns the key space.
using redis_link_actor =
    caf::typed_actor<caf::replies_to<redis_get_atom, std::string>::with<redis_reply>,
                     caf::replies_to<redis_set_atom, std::string, std::string>::with<redis_reply>,
                     caf::replies_to<redis_del_atom, std::string>::with<redis_reply>,
                     caf::reacts_to<redis_lost_atom>>;

struct redis_link_config {
  redis_target target;
  std::chrono::milliseconds timeout{100};
  std::chrono::milliseconds ttl{60'000};  // of every stored bill
};

/// Spawns a detached link; the caller links to it so they live and die together.
redis_link_actor spawn_redis_link(caf::actor_system& sys, const redis_link_config& cfg);

}  // namespace billd
