#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <fstream>

#include "actors/db_conn.hpp"
#include "actors/maintenance.hpp"
#include "actors/messages.hpp"
#include "actors/pg_process.hpp"
#include "actors/supervisor.hpp"
#include "app/server_internals.hpp"
#include "app/version.hpp"
#include "app/webhook_key.hpp"
#include "domain/crypto.hpp"
#include "log/module_log.hpp"
#include "net/fast_reads.hpp"
#include "net/http_outbound.hpp"
#include "net/problem.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now().time_since_epoch())
      .count();
}

template <class Handle, class Spawn>
child_spec slot_child(std::string name, slot_ptr<Handle> slot, Spawn spawn) {
  return {std::move(name), [slot, spawn](caf::actor_system& sys) {
            auto h = spawn(sys);
            slot->set(h);
            return caf::actor_cast<caf::actor>(h);
          }};
}

supervisor_spec group(const server::internals& p, std::string name,
                      std::vector<child_spec> children) {
  supervisor_spec spec;
  spec.name = std::move(name);
  spec.strategy = restart_strategy::one_for_one;
  spec.limits = p.cfg.supervisor;
  spec.children = std::move(children);
  auto monitor = p.monitor;
  spec.on_restart = [monitor](const std::string& child) {
    if (auto m = monitor->get()) caf::anon_send(m, restart_atom::value, child);
  };
  return spec;
}

std::vector<child_spec> storage_children(server::internals& p) {
  std::vector<child_spec> kids;
  if (p.db.embedded) {
    auto pg = p.db.embedded;
    auto up = p.pg_up;
    kids.push_back(
        {"pg-process", [pg, up](caf::actor_system& sys) { return spawn_pg_process(sys, pg, up); }});
  }
  db_pool_config pool;
  pool.size = p.cfg.db.pool_size;
  pool.max_waiting = p.cfg.db.max_waiting;
  pool.slow_keep = p.cfg.db.slow_query_keep;
  pool.group_commit_max = p.cfg.db.group_commit_max;
  pool.max_stranded = p.cfg.db.max_stranded;
  pool.conn.conninfo = p.db.conninfo;
  pool.conn.connect_timeout = p.cfg.db.connect_timeout;
  pool.conn.statement_timeout = p.cfg.db.statement_timeout;
  // The pool gives each connection its epoch and progress stamp.
  pool.conn.slow_query = p.cfg.db.slow_query;
  pool.restarts = p.cfg.supervisor;
  pool.breaker = p.cfg.db.breaker;
  auto monitor = p.monitor;
  pool.on_restart = [monitor](const std::string& child) {
    if (auto m = monitor->get()) caf::anon_send(m, restart_atom::value, child);
  };
  kids.push_back(slot_child("db-pool", p.pool,
                            [pool](caf::actor_system& sys) { return spawn_db_pool(sys, pool); }));
  return kids;
}

/// The gateway-client, when a gateway is configured (its URL was validated at start).
std::vector<child_spec> gateway_children(server::internals& p) {
  if (p.cfg.gateway.url.empty()) return {};
  http_origin origin;
  std::string error;
  if (!parse_http_origin(p.cfg.gateway.url, origin, error))
    throw std::runtime_error("gateway.url " + error);
  origin.ca_file = p.cfg.tls.ca_file;
  gateway_client_config cfg;
  cfg.gateway = p.cfg.gateway;
  cfg.make_transport = [origin] { return make_http_transport(origin); };
  cfg.sign_prefix = origin.base_path;
  cfg.unix_now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  cfg.db = p.pool;
  cfg.db_timeout = p.cfg.front.request_timeout;
  return {slot_child("gateway-client", p.gateway,
                     [cfg](caf::actor_system& sys) { return spawn_gateway_client(sys, cfg); })};
}

std::vector<child_spec> root_children(server::internals& p) {
  std::vector<child_spec> root;
  monitor_config monitor_cfg{
      p.cfg.metrics, {p.pool, p.caches, p.shards, p.auth, p.jobs, p.gateway, p.maintenance}};
  std::vector<child_spec> ops;
  ops.push_back(slot_child("monitor", p.monitor, [monitor_cfg](caf::actor_system& sys) {
    return spawn_monitor(sys, monitor_cfg);
  }));
  auto db = p.pool;
  alert_policy policy{p.cfg.alerts.cooldown, p.cfg.alerts.notify()};
  auto store_timeout = p.cfg.front.request_timeout;
  ops.push_back(
      slot_child("alert-store", p.alert_store, [db, policy, store_timeout](caf::actor_system& sys) {
        return spawn_alert_store(sys, db, policy, store_timeout);
      }));
  alert_actor_config alert_cfg;
  alert_cfg.interval = p.cfg.alerts.check_interval;
  alert_cfg.timeout = p.cfg.metrics.pull_timeout * 2 + std::chrono::seconds{1};
  alert_cfg.limits = {p.cfg.alerts.restarts_per_minute, p.cfg.alerts.breaker_open,
                      p.cfg.alerts.min_requests};
  alert_cfg.monitor = p.monitor;
  alert_cfg.store = p.alert_store;
  ops.push_back(slot_child("alert", p.alerts, [alert_cfg](caf::actor_system& sys) {
    return spawn_alert(sys, alert_cfg);
  }));
  root.push_back(supervisor_child(group(p, "ops", std::move(ops))));
  root.push_back(supervisor_child(group(p, "storage", storage_children(p))));
  for (std::uint32_t i = 0; i < p.caches.size(); ++i) {
    bill_cache_config cache_cfg{p.cfg.cache, p.caches[i]->store_ptr(), p.pool,
                                p.cfg.front.request_timeout, i};
    slot_ptr<bill_cache_actor> slot = p.caches[i];
    root.push_back(slot_child("cache", slot, [cache_cfg](caf::actor_system& sys) {
      return spawn_bill_cache(sys, cache_cfg);
    }));
  }
  billing_shard_config shard_cfg{p.cfg.billing.timezone,
                                 p.cfg.idempotency_ttl,
                                 p.cfg.front.request_timeout,
                                 alert_policy{p.cfg.alerts.cooldown, p.cfg.alerts.notify()},
                                 p.caches,
                                 p.cfg.billing.create_batch_max,
                                 p.cfg.billing.create_batches_in_flight,
                                 p.cfg.billing.payment_batch_max,
                                 p.cfg.billing.payment_batches_in_flight,
                                 p.cfg.billing.answer_batch_max,
                                 p.cfg.billing.answer_batches_in_flight};
  std::vector<child_spec> shards;
  for (std::uint32_t i = 0; i < p.cfg.billing.shards; ++i)
    shards.push_back(slot_child("billing-shard", p.shards[i],
                                [i, pool = p.pool, shard_cfg](caf::actor_system& sys) {
                                  return spawn_billing_shard(sys, i, pool, shard_cfg);
                                }));
  root.push_back(supervisor_child(group(p, "billing", std::move(shards))));
  root.push_back(supervisor_child(group(p, "gateway", gateway_children(p))));
  jobs_config jobs_cfg;
  jobs_cfg.jobs = p.cfg.jobs;
  jobs_cfg.gateway = p.cfg.gateway;
  jobs_cfg.alerts = p.cfg.alerts;
  jobs_cfg.gateway_enabled = !p.cfg.gateway.url.empty();
  jobs_cfg.callback_url = p.callback_url;
  jobs_cfg.db = p.pool;
  jobs_cfg.client = p.gateway;
  jobs_cfg.shards = p.shards;
  jobs_cfg.db_timeout = p.cfg.front.request_timeout;
  jobs_cfg.webhooks = p.cfg.webhooks;
  std::string currency_error;
  jobs_cfg.currencies = *currency_set::parse(p.cfg.billing.currencies, currency_error);
  jobs_cfg.timezone = p.cfg.billing.timezone;
  jobs_cfg.webhook_key = p.webhook_key;
  jobs_cfg.make_url_transport =
      [ca = p.cfg.tls.ca_file, open = p.cfg.webhooks.allow_private_networks](
          const std::string& url, std::string& origin, std::string& path, std::string& error) {
        return make_url_transport(url, ca, open, origin, path, error);
      };
  jobs_cfg.unix_now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  maintenance_config upkeep{p.cfg.audit,
                            p.cfg.maintenance,
                            p.cfg.http.import_timeout,
                            p.pool,
                            p.schema_ready,
                            p.caches,
                            p.cfg.db.statement_timeout + std::chrono::seconds{1}};
  root.push_back(slot_child("maintenance", p.maintenance, [upkeep](caf::actor_system& sys) {
    return spawn_maintenance(sys, upkeep);
  }));
  root.push_back(slot_child(
      "jobs", p.jobs, [jobs_cfg](caf::actor_system& sys) { return spawn_jobs(sys, jobs_cfg); }));
  auth_config auth_cfg{p.cfg.auth, p.cfg.idempotency_ttl, p.cfg.front.request_timeout, p.tokens};
  root.push_back(slot_child("auth", p.auth, [pool = p.pool, auth_cfg](caf::actor_system& sys) {
    return spawn_auth(sys, pool, auth_cfg);
  }));
  auto deps = std::make_shared<front_deps>();
  deps->cfg = p.cfg;
  std::string err;
  deps->currencies = *currency_set::parse(p.cfg.billing.currencies, err);
  deps->db = p.pool;
  deps->shards = p.shards;
  deps->caches = p.caches;
  deps->auth = p.auth;
  deps->monitor = p.monitor;
  deps->alerts = p.alerts;
  deps->jobs = p.jobs;
  deps->webhook_key = p.webhook_key;
  deps->gateway = p.gateway;
  deps->draining = p.draining;
  deps->limiter = p.limiter;
  deps->tokens = p.tokens;
  deps->edge = p.edge;
  deps->started = clock::now();
  deps->version = billd_version;
  for (std::uint32_t i = 0; i < p.fronts.size(); ++i)
    root.push_back(
        slot_child("http-front", p.fronts[i],
                   [i, deps = std::shared_ptr<const front_deps>(deps)](caf::actor_system& sys) {
                     return spawn_http_front(sys, i, deps);
                   }));
  return root;
}

void wait_for_embedded(server::internals& p) {
  auto deadline = clock::now() + std::chrono::seconds{90};
  while (!p.pg_up->load()) {
    if (clock::now() > deadline)
      throw std::runtime_error("the embedded PostgreSQL did not become ready (see " +
                               (std::filesystem::path{p.cfg.data_dir} / "postgres.log").string() +
                               ")");
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  ensure_embedded_database(p.db);
}

void prepare_schema(server::internals& p) {
  auto conn = connect_for_startup(p.cfg, p.db.conninfo);
  auto applied = apply_migrations(*conn);
  if (applied > 0) logger_of(log_module::app).info("applied {} migration(s)", applied);
  check_timezone(*conn, p.cfg);
  bootstrap_admin(*conn, p.cfg);
  p.schema_ready->store(true);
}

/// Where a bound listener's address is written (<data_dir>/NAME), for whoever started billd
/// with port 0.
std::filesystem::path address_file(const server::internals& p, const char* name) {
  return std::filesystem::path{p.cfg.data_dir} / name;
}

/// The ops listener (http.ops_listen): /health, /health/live, /health/ready and /metrics on
/// an Asio thread of its own; /health/live is answered there, the rest go to the same fronts.
void start_ops_listener(server::internals& p, http_server_hooks hooks) {
  auto cfg = p.cfg.http;
  cfg.listen = cfg.ops_listen;
  cfg.io_threads = 1;
  cfg.max_connections = cfg.ops_max_connections;
  cfg.body_bytes_max = 0;  // its routes take no body
  cfg.import_bytes_max = 0;
  hooks.answer_here = nullptr;
  hooks.ops_only = true;
  p.ops_http = std::make_unique<http_server>(cfg, std::move(hooks));
  p.ops_listen = p.ops_http->start();
  std::ofstream{address_file(p, "ops-listen-address")} << p.ops_listen << "\n";
  logger_of(log_module::app).info("ops listener (/health, /metrics) on http://{}", p.ops_listen);
}

void start_listener(server::internals& p) {
  http_server_hooks hooks;
  hooks.fronts = p.fronts.size();
  hooks.edge = p.edge;
  hooks.dispatch = [fronts = p.fronts](exchange_ptr ex, std::size_t i) {
    auto front = fronts[i % fronts.size()]->get();
    if (!front) {
      ex->answer(problem_response(problem::overloaded, "billd is restarting", ex->request.path));
      return;
    }
    caf::anon_send(front, handle_atom::value, std::move(ex));
  };
  hooks.live = [beat = p.heartbeat_ms] { return now_ms() - beat->load() < 1'000; };
  if (p.cfg.front.fast_reads) {
    auto fast =
        std::make_shared<fast_reads>(fast_reads_deps{p.cfg, p.caches, p.tokens, p.limiter, p.edge});
    hooks.answer_here = [fast](const http_exchange& ex, std::size_t front) {
      return fast->try_answer(ex, front);
    };
  }
  if (!p.cfg.http.ops_listen.empty())
    start_ops_listener(p, hooks);
  else  // an earlier run's address would name a listener that is not there
    std::filesystem::remove(address_file(p, "ops-listen-address"));
  p.http = std::make_unique<http_server>(p.cfg.http, std::move(hooks));
  p.listen = p.http->start();
  auto base = p.cfg.public_url.empty() ? "http://" + p.listen : p.cfg.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  p.callback_url->set(base + "/api/v1/gateway/control-numbers");
  std::ofstream{address_file(p, "listen-address")} << p.listen << "\n";
  logger_of(log_module::app).info("billd {} listening on http://{}", billd_version, p.listen);
}

}  // namespace

server::server(settings cfg) : parts_(std::make_unique<internals>()) {
  parts_->cfg = std::move(cfg);
  for (std::uint32_t i = 0; i < parts_->cfg.billing.shards; ++i)
    parts_->shards.push_back(make_slot<billing_shard_actor>());
  parts_->caches = make_cache_slots(parts_->cfg.cache);
  for (std::uint32_t i = 0; i < parts_->cfg.http.io_threads; ++i)
    parts_->fronts.push_back(make_slot<http_front_actor>());
  parts_->edge =
      std::make_shared<edge_admission>(parts_->fronts.size(), parts_->cfg.front.max_inflight);
  for (std::size_t i = 0; i < parts_->fronts.size(); ++i)
    parts_->tokens.push_back(std::make_shared<token_cache>(parts_->cfg.auth.token_cache_max,
                                                           parts_->cfg.metrics.sessions_max));
  parts_->limiter = std::make_shared<rate_limiter>(parts_->cfg.rate.max_clients);
}

server::~server() {
  auto& p = *parts_;
  if (p.root) {
    request_shutdown();
    wait();
  }
  if (p.http) p.http->stop();
  if (p.ops_http) p.ops_http->stop();
}

void server::start() {
  auto& p = *parts_;
  crypto_init();
  p.db = resolve_database(p.cfg);
  p.webhook_key = load_webhook_key(p.cfg);
  p.actor_cfg = std::make_unique<caf::actor_system_config>();
  p.actor_cfg->set("scheduler.max-threads", static_cast<std::size_t>(p.cfg.actors.threads));
  p.actor_cfg->set("scheduler.max-throughput",
                   static_cast<std::size_t>(p.cfg.actors.max_throughput));
  p.actor_cfg->set("work-stealing.moderate-poll-attempts",
                   static_cast<std::size_t>(p.cfg.actors.idle_poll_attempts));
  p.actor_cfg->set("work-stealing.relaxed-sleep-duration",
                   caf::timespan{std::chrono::microseconds{p.cfg.actors.idle_steal_interval_us}});
  register_message_types(*p.actor_cfg);
  p.sys = std::make_unique<caf::actor_system>(*p.actor_cfg);
  supervisor_spec root;
  root.name = "root";
  root.strategy = restart_strategy::rest_for_one;
  root.limits = p.cfg.supervisor;
  root.children = root_children(p);
  root.on_tick = [beat = p.heartbeat_ms] { beat->store(now_ms()); };
  p.root = spawn_supervisor(*p.sys, std::move(root));
  if (p.db.embedded) wait_for_embedded(p);
  prepare_schema(p);
  start_listener(p);
}

const std::string& server::listen_address() const { return parts_->listen; }

const std::string& server::ops_listen_address() const { return parts_->ops_listen; }

void server::request_shutdown() {
  auto& p = *parts_;
  if (p.shutdown_requested.exchange(true) || !p.root) return;
  p.draining->store(true);
  p.shutdown_thread = std::thread{[&p] {
    // The ops listener keeps accepting while billd drains: its probes see /health/ready 503
    // (draining) rather than a refused connection. It stops with the API listener.
    if (p.http) {
      p.http->begin_drain();
      auto deadline = clock::now() + p.cfg.shutdown_grace;
      while (p.http->requests_in_flight() > 0 && clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    caf::anon_send_exit(p.root, caf::exit_reason::user_shutdown);
  }};
}

int server::wait() {
  auto& p = *parts_;
  if (!p.root) return 0;
  caf::error reason;
  {
    caf::scoped_actor self{*p.sys};
    self->monitor(p.root);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; });
  }
  p.root = nullptr;
  if (p.http) p.http->stop();
  if (p.ops_http) p.ops_http->stop();
  if (p.shutdown_thread.joinable()) p.shutdown_thread.join();
  // The pool is gone; its connections' threads finish their statement (cancelled) or their
  // connection attempt, and close. Waiting lets PostgreSQL see each session end cleanly.
  if (!await_db_conn_workers(p.cfg.db.connect_timeout + std::chrono::seconds{1}))
    logger_of(log_module::app).warn("a database connection was still open at exit");
  if (reason && is_budget_exhausted(reason)) {
    logger_of(log_module::app).critical("the root supervisor gave up: {}", caf::to_string(reason));
    return 70;
  }
  return 0;
}

server::internals& server::parts() { return *parts_; }

}  // namespace billd
