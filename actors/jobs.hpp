#pragma once
// jobs: runs durable background work (ARCHITECTURE.md "Durability"): control-number requests,
// withdrawals, CSV imports, alert notifications and webhook deliveries (at most one in flight per
// endpoint, so one failing receiver cannot hold the senders). Leases due rows with a fencing token,
// never holds a transaction open during a gateway call, retries with backoff (jobs.backoff_*), and
// marks a job dead after jobs.give_up_after_s — raising an alert in the same transaction. A restart
// loses nothing: the rows are the state.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <vector>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/billing_shard.hpp"
#include "actors/db_pool.hpp"
#include "actors/gateway_client.hpp"
#include "actors/webhook_sender.hpp"
#include "config/settings.hpp"
#include "domain/money.hpp"

namespace billd {

/// tick: the periodic poll (self-scheduled); wake: look now (a bill was just created);
/// expire: a deadline of its own calls may have passed (self-sent, actors/call_deadlines.hpp);
/// stats: jobs in progress on this node.
using jobs_actor =
    caf::typed_actor<caf::reacts_to<tick_atom>, caf::reacts_to<wake_atom>,
                     caf::reacts_to<expire_atom>, caf::replies_to<stats_atom>::with<std::uint32_t>,
                     caf::replies_to<metrics_atom>::with<figures_ptr>>;

struct jobs_config {
  jobs_settings jobs;
  gateway_settings gateway;
  bool gateway_enabled = false;  // no gateway.url: gateway jobs wait
  // public_url + /api/v1/gateway/control-numbers; set once the listener knows its address.
  slot_ptr<std::string> callback_url;
  slot_ptr<db_pool_actor> db;
  slot_ptr<gateway_client_actor> client;
  std::vector<slot_ptr<billing_shard_actor>> shards;
  std::chrono::milliseconds db_timeout{10'000};
  // Imports: bills are validated with these, created in batches of import_batch.
  currency_set currencies;
  std::string timezone = "UTC";
  std::uint32_t import_batch = 500;
  // Webhook deliveries: the key that opens stored secrets, and how to reach any URL.
  webhook_settings webhooks;
  std::string webhook_key;
  url_transport_factory make_url_transport;
  // Alerts: dead jobs and deliveries raise one; notifications share the webhook senders.
  alert_settings alerts;
  std::function<std::int64_t()> unix_now;
};

jobs_actor spawn_jobs(caf::actor_system& sys, jobs_config cfg);

}  // namespace billd
