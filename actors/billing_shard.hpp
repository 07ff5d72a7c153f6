#pragma once
// billing shard: the single writer for the bills whose id hashes to it. Every state change of
// a bill goes through its shard; the row version check keeps two writers from corrupting one.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <string>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/bill_cache.hpp"
#include "actors/db_pool.hpp"
#include "actors/messages.hpp"
#include "storage/alert_store.hpp"

namespace billd {

/// Creates and cancels bills, records control numbers and applies payments.
using billing_shard_actor =
    caf::typed_actor<caf::replies_to<create_atom, create_bill_cmd>::with<api_reply>,
                     caf::replies_to<cancel_atom, cancel_bill_cmd>::with<api_reply>,
                     caf::replies_to<issue_atom, control_number_cmd>::with<api_reply>,
                     caf::replies_to<pay_atom, payment_cmd>::with<api_reply>,
                     caf::replies_to<metrics_atom>::with<figures_ptr>>;

/// What a shard needs besides its database.
struct billing_shard_config {
  std::string timezone = "UTC";
  std::chrono::seconds idempotency_ttl{86'400};
  std::chrono::milliseconds db_timeout{10'000};
  alert_policy alerts;  // unapplied payments raise an alert in their transaction
  cache_slots caches;   // a changed bill is invalidated here before the write is answered
  /// Creates without an Idempotency-Key written together in one statement (1: each alone).
  std::uint32_t create_batch_max = 64;
  /// Create batches one shard has being written at once; more creates wait for one to end.
  std::uint32_t create_batches_in_flight = 1;
  /// Payment notifications recorded together in one transaction (1: each alone).
  std::uint32_t payment_batch_max = 64;
  /// Payment batches one shard has being recorded at once; more wait for one to end.
  std::uint32_t payment_batches_in_flight = 2;
  /// Gateway answers (control numbers, refusals) recorded together in one transaction (1: each
  /// alone).
  std::uint32_t answer_batch_max = 64;
  /// Answer batches one shard has being recorded at once; more wait for one to end.
  std::uint32_t answer_batches_in_flight = 1;
};

/// Spawns shard `index`.
billing_shard_actor spawn_billing_shard(caf::actor_system& sys, std::uint32_t index,
                                        slot_ptr<db_pool_actor> db,
                                        const billing_shard_config& cfg);

/// The shard of a bill id: stable on every node (FNV-1a of the id modulo shard count).
std::uint32_t shard_of(const std::string& bill_id, std::uint32_t shards);

}  // namespace billd
