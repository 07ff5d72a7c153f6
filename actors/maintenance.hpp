#pragma once
// maintenance: periodic housekeeping off the request path.
// - seals new audit rows under a global checkpoint every audit.seal_interval_ms (the rows whose
//   ids were drawn more than audit.seal_after_s ago: actors/seal_watermarks), so rewriting
//   history needs more than one entity's chain;
// - expires unpaid bills whose due date has passed, every maintenance.expiry_interval_ms, in
//   batches of maintenance.expiry_batch (audited; their control numbers are withdrawn);
// - on the same tick, deletes staged CSV uploads older than twice http.import_timeout_ms (left
//   behind by a crash or a lost client).
// Writers never wait on it; a failed round is retried on the next tick.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <memory>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/bill_cache.hpp"
#include "actors/db_pool.hpp"
#include "actors/figures.hpp"
#include "config/settings.hpp"

namespace billd {

using seal_atom = caf::atom_constant<caf::atom("seal")>;

/// metrics_atom: billd_audit_seal_held_back_seconds and its mailbox depth, for the monitor.
using maintenance_actor = caf::typed_actor<caf::reacts_to<seal_atom>, caf::reacts_to<expire_atom>,
                                           caf::replies_to<metrics_atom>::with<figures_ptr>>;

struct maintenance_config {
  audit_settings audit;
  maintenance_settings maintenance;
  std::chrono::milliseconds import_timeout{600'000};
  slot_ptr<db_pool_actor> db;
  /// Set once migrations ran; rounds before that are skipped.
  std::shared_ptr<std::atomic<bool>> schema_ready;
  /// Expired bills are dropped from their cache shard.
  cache_slots caches;
  /// How long a round waits for its statement: longer than PostgreSQL lets it run
  /// (db.statement_timeout), so a round given up on has not committed behind the actor's
  /// back (an expiry round would then leave its bills cached as they were).
  std::chrono::milliseconds round_timeout{6'000};
};

maintenance_actor spawn_maintenance(caf::actor_system& sys, maintenance_config cfg);

}  // namespace billd
