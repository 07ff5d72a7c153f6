#pragma once
// server's parts, visible to tests that need to reach actors (e.g. kill a db-conn).

#include <caf/all.hpp>

#include <atomic>
#include <thread>

#include "actors/actor_slot.hpp"
#include "actors/alert.hpp"
#include "actors/auth.hpp"
#include "actors/billing_shard.hpp"
#include "actors/db_pool.hpp"
#include "actors/gateway_client.hpp"
#include "actors/jobs.hpp"
#include "actors/monitor.hpp"
#include "app/database.hpp"
#include "app/server.hpp"
#include "net/http_front.hpp"
#include "net/http_server.hpp"

namespace billd {

struct server::internals {
  settings cfg;
  database_target db;
  std::unique_ptr<caf::actor_system_config> actor_cfg;
  std::unique_ptr<caf::actor_system> sys;
  slot_ptr<monitor_actor> monitor = make_slot<monitor_actor>();
  slot_ptr<alert_store_actor> alert_store = make_slot<alert_store_actor>();
  slot_ptr<alert_actor> alerts = make_slot<alert_actor>();
  slot_ptr<db_pool_actor> pool = make_slot<db_pool_actor>();
  std::vector<slot_ptr<billing_shard_actor>> shards;
  cache_slots caches;
  slot_ptr<auth_actor> auth = make_slot<auth_actor>();
  slot_ptr<gateway_client_actor> gateway = make_slot<gateway_client_actor>();
  slot_ptr<jobs_actor> jobs = make_slot<jobs_actor>();
  slot_ptr<maintenance_actor> maintenance = make_slot<maintenance_actor>();
  slot_ptr<std::string> callback_url = make_slot<std::string>();
  std::string webhook_key;  // encrypts webhook secrets at rest
  std::vector<slot_ptr<http_front_actor>> fronts;
  std::shared_ptr<edge_admission> edge;   // the Asio threads' admission for the fronts
  token_caches tokens;                    // each front's verified tokens, by front index
  std::shared_ptr<rate_limiter> limiter;  // shared by the fronts and the Asio threads
  std::shared_ptr<std::atomic<bool>> draining = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> pg_up = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> schema_ready = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<std::int64_t>> heartbeat_ms =
      std::make_shared<std::atomic<std::int64_t>>(0);
  caf::actor root;
  std::unique_ptr<http_server> http;
  std::string listen;
  std::unique_ptr<http_server> ops_http;  // http.ops_listen, when set
  std::string ops_listen;
  std::atomic<bool> shutdown_requested{false};
  std::thread shutdown_thread;
};

}  // namespace billd
