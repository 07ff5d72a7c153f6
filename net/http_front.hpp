#pragma once
// http-front: one per Asio thread. parse → route → admit → authenticate → dispatch → respond.
// It never touches a socket: requests arrive as messages, answers leave through the
// exchange's reply function, which posts to the connection's strand.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/actor_slot.hpp"
#include "actors/alert.hpp"
#include "actors/atoms.hpp"
#include "actors/auth.hpp"
#include "actors/bill_cache.hpp"
#include "actors/billing_shard.hpp"
#include "actors/db_pool.hpp"
#include "actors/gateway_client.hpp"
#include "actors/jobs.hpp"
#include "actors/monitor.hpp"
#include "actors/rate_limiter.hpp"
#include "config/settings.hpp"
#include "domain/money.hpp"
#include "net/edge_admission.hpp"
#include "net/http_types.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::exchange_ptr)

namespace billd {

/// handle(exchange) from the server; tick to report counts to the monitor; expire to answer
/// requests whose awaited answer is overdue (net/front_deadlines.cpp).
using http_front_actor = caf::typed_actor<caf::reacts_to<handle_atom, exchange_ptr>,
                                          caf::reacts_to<tick_atom>, caf::reacts_to<expire_atom>>;

/// Everything a front reaches: handles are slots because their actors may be restarted.
struct front_deps {
  settings cfg;
  currency_set currencies;
  slot_ptr<db_pool_actor> db;
  std::vector<slot_ptr<billing_shard_actor>> shards;
  cache_slots caches;
  slot_ptr<auth_actor> auth;
  token_caches tokens;  // by front index: shared with auth and the Asio threads
  slot_ptr<monitor_actor> monitor;
  slot_ptr<alert_actor> alerts;
  slot_ptr<jobs_actor> jobs;
  std::string webhook_key;                 // seals webhook secrets before they are stored
  slot_ptr<gateway_client_actor> gateway;  // holds no actor when gateway.url is empty
  std::shared_ptr<std::atomic<bool>> draining;
  std::shared_ptr<rate_limiter> limiter;  // shared by every front and Asio thread: exact per client
  std::shared_ptr<edge_admission> edge;   // admission on the Asio threads, and their answers
  std::chrono::steady_clock::time_point started;
  std::string version;
};

/// Spawns front `index`.
http_front_actor spawn_http_front(caf::actor_system& sys, std::uint32_t index,
                                  std::shared_ptr<const front_deps> deps);

}  // namespace billd
