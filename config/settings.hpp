#pragma once
// Every configurable bound of billd, grouped by the component that owns it.
// Defaults here are the documented defaults; ranges live in config/keys.cpp.

#include <chrono>
#include <cstdint>
#include <string>

namespace billd {

using std::chrono::milliseconds;

/// HTTP listener, framing limits and connection timeouts.
struct http_settings {
  std::string listen = "127.0.0.1:8080";
  std::string ops_listen;  // empty: no ops listener (docs/architecture.md, "The ops listener")
  std::uint32_t ops_max_connections = 64;
  std::uint32_t io_threads = 2;
  std::uint32_t body_bytes_max = 1 << 20;
  std::uint32_t import_bytes_max = 64 << 20;  // POST /api/v1/bills/import only
  std::uint32_t header_bytes_max = 16 << 10;
  std::uint32_t url_bytes_max = 8 << 10;
  std::uint32_t pipeline_max = 16;
  std::uint32_t max_connections = 10'000;
  std::uint32_t max_connections_per_ip = 256;
  milliseconds header_timeout{10'000};
  milliseconds request_timeout{30'000};
  milliseconds idle_timeout{60'000};
  milliseconds drain_timeout{500};
  milliseconds import_timeout{600'000};  // a whole streamed CSV upload
  bool compression = true;               // gzip/br by Accept-Encoding (net/compression)
  std::uint32_t compress_min_bytes = 1024;
  std::uint32_t gzip_level = 5;
  std::uint32_t brotli_quality = 4;
  bool operator==(const http_settings&) const = default;
};

/// One circuit breaker (ARCHITECTURE.md "Circuit breakers"); each dependency has its own.
struct breaker_settings {
  std::uint32_t window = 20;       // last calls considered
  std::uint32_t min_calls = 10;    // calls in the window before it may open
  std::uint32_t failure_pct = 50;  // opens at this share of failures...
  std::uint32_t slow_pct = 50;     // ...or of calls slower than `slow`
  milliseconds slow{1'000};
  milliseconds open{5'000};  // first open time, doubled per re-open
  milliseconds open_max{60'000};
  std::uint32_t probes = 3;  // calls admitted while half-open
  bool operator==(const breaker_settings&) const = default;
};

/// PostgreSQL: URL (empty = embedded), pool and per-statement bounds.
struct db_settings {
  std::string url;
  std::string embedded_bin_dir = "/usr/lib/postgresql/15/bin";
  std::uint32_t pool_size = 8;
  std::uint32_t max_waiting = 1024;
  milliseconds statement_timeout{5'000};
  milliseconds connect_timeout{5'000};
  milliseconds slow_query{100};
  std::uint32_t slow_query_keep = 20;   // slow statements kept for /api/v1/metrics/database
  std::uint32_t group_commit_max = 16;  // writes one transaction may carry (group commit)
  std::uint32_t max_stranded = 4;       // hung connections' threads left to end by themselves
  breaker_settings breaker;             // ARCHITECTURE.md's PostgreSQL figures
  bool operator==(const db_settings&) const = default;
};

/// What /metrics and the monitor keep and who may scrape.
struct metrics_settings {
  std::string token;                 // bearer for GET /metrics from non-loopback clients
  milliseconds slow_request{1'000};  // a request at least this long is logged and kept
  std::uint32_t slow_request_keep = 10;
  std::uint32_t sessions_max = 100'000;    // distinct tokens tracked as active sessions
  milliseconds pull_timeout{500};          // how long a scrape waits for each actor's figures
  milliseconds job_counts_max_age{1'000};  // scrapes this close to a count share it
  bool operator==(const metrics_settings&) const = default;
};

/// Front actors: admission bound and downstream request timeout.
struct front_settings {
  std::uint32_t max_inflight = 256;
  milliseconds request_timeout{10'000};
  bool fast_reads = true;  // cached bill reads answered on the Asio thread (net/fast_reads.hpp)
  bool operator==(const front_settings&) const = default;
};

/// Billing shards, currencies and the calendar of due dates.
struct billing_settings {
  std::uint32_t shards = 1;
  std::string currencies = "TZS:2,KES:2,UGX:0,USD:2,EUR:2";
  std::string timezone = "UTC";
  std::uint32_t create_batch_max = 64;          // creates written by one statement (per shard)
  std::uint32_t create_batches_in_flight = 1;   // such statements one shard has running
  std::uint32_t payment_batch_max = 64;         // notifications recorded together (per shard)
  std::uint32_t payment_batches_in_flight = 2;  // such batches one shard has running
  std::uint32_t answer_batch_max = 64;          // gateway answers recorded together (per shard)
  std::uint32_t answer_batches_in_flight = 1;   // such batches one shard has running
  bool operator==(const billing_settings&) const = default;
};

/// The bill cache (ARCHITECTURE.md "Cache"): bounds of the whole cache, split over its shards.
struct cache_settings {
  std::uint32_t shards = 4;
  std::uint32_t max_entries = 100'000;
  std::uint64_t max_bytes = 64ull << 20;
  milliseconds ttl{60'000};
  // Optional second level in Redis (empty URL: none), one connection per cache shard.
  std::string redis_url;
  milliseconds redis_timeout{100};         // connect and per-command timeout
  std::uint32_t redis_inflight_max = 256;  // Redis commands a cache shard has outstanding
  breaker_settings redis_breaker{
      20, 10, 50, 50, milliseconds{100}, milliseconds{5'000}, milliseconds{60'000}, 3};
  bool operator==(const cache_settings&) const = default;
};

/// Per-client rate limits (API.md): requests per minute per token by role, per IP anonymous.
struct rate_settings {
  std::uint32_t admin_per_minute = 6'000;
  std::uint32_t clerk_per_minute = 6'000;
  std::uint32_t viewer_per_minute = 6'000;
  std::uint32_t anonymous_per_minute = 600;
  std::uint32_t max_clients = 100'000;  // buckets kept; idle ones are dropped first
  bool operator==(const rate_settings&) const = default;
};

/// Sessions, password hashing and the per-front token cache.
struct auth_settings {
  std::chrono::seconds token_ttl{43'200};
  std::uint32_t hash_workers = 2;
  std::uint32_t hash_queue_max = 64;
  std::uint32_t argon2_ops = 2;
  std::uint32_t argon2_mem_kib = 19 * 1024;
  milliseconds token_cache_ttl{60'000};
  std::uint32_t token_cache_max = 10'000;
  milliseconds session_touch_interval{60'000};  // sessions.last_used_at may be this stale
  bool operator==(const auth_settings&) const = default;
};

/// Restart policy of every supervisor (ARCHITECTURE.md "Supervision").
struct supervisor_settings {
  std::uint32_t max_restarts = 10;
  milliseconds period{60'000};
  milliseconds backoff_base{100};
  milliseconds backoff_max{10'000};
  milliseconds reset_after{30'000};
  bool operator==(const supervisor_settings&) const = default;
};

/// The CAF scheduler.
struct actor_settings {
  std::uint32_t threads = 2;
  std::uint32_t max_throughput = 300;
  /// Polls, 50 us apart, an idle worker makes before it sleeps on its condition variable
  /// (CAF's work-stealing.moderate-poll-attempts, 500 by default). Each poll is a 50 us
  /// nanosleep: below saturation they were a quarter of billd's CPU on creates. 0: an idle
  /// worker sleeps at once (after CAF's 100 spins) and is woken when work is queued for it.
  std::uint32_t idle_poll_attempts = 0;
  /// How often a sleeping worker wakes to steal work queued for another worker, in µs (CAF's
  /// work-stealing.relaxed-sleep-duration, 10 ms by default). Work an actor sends goes to its
  /// own worker's queue, so a worker asleep finds the other's backlog only when it wakes.
  std::uint32_t idle_steal_interval_us = 1'000;
  bool operator==(const actor_settings&) const = default;
};

/// The payment gateway: where, secrets, client bounds and its breaker.
struct gateway_settings {
  std::string url;
  std::string secret_out;
  std::string secret_out_previous;
  std::string secret_in;
  std::string secret_in_previous;
  std::uint32_t connections = 4;    // keep-alive connections (and concurrent calls)
  std::uint32_t max_waiting = 256;  // calls waiting for a connection; above it: retry later
  milliseconds timeout{5'000};      // one attempt, connect to last byte
  std::uint32_t attempts = 3;       // per call, full jitter between them
  milliseconds retry_base{200};
  milliseconds retry_cap{2'000};
  milliseconds callback_wait{60'000};   // after a 202: ask again if no callback came by then
  std::uint32_t log_queue_max = 4'096;  // gateway log rows waiting for their write; more: dropped
  breaker_settings breaker{
      20, 10, 50, 50, milliseconds{5'000}, milliseconds{10'000}, milliseconds{60'000}, 3};
  bool operator==(const gateway_settings&) const = default;
};

/// The durable jobs runner.
struct jobs_settings {
  milliseconds poll_interval{1'000};
  milliseconds wake_interval{20};  // wake-ups (a bill was created) closer than this share a lease
  std::uint32_t batch = 32;        // jobs leased per poll
  std::uint32_t max_running = 64;  // jobs in progress at once
  milliseconds lease{60'000};      // a lease not renewed by then is taken over
  milliseconds backoff_min{1'000};
  milliseconds backoff_max{300'000};
  std::chrono::seconds give_up_after{86'400};  // then the job is dead
  bool operator==(const jobs_settings&) const = default;
};

/// Outbound TLS (gateway, webhooks): peers are verified against these CAs.
struct tls_settings {
  std::string ca_file;  // PEM bundle; empty = the system's trust store
  bool operator==(const tls_settings&) const = default;
};

/// Merchant webhooks.
struct webhook_settings {
  std::string secret_key;               // 64 hex digits; empty: <data_dir>/webhook-secret.key
  bool allow_private_networks = false;  // subscriptions to RFC 1918 / ULA / link-local hosts
  std::uint32_t senders = 4;            // deliveries in flight at once (one per endpoint)
  milliseconds timeout{10'000};         // a 2xx within this is success
  bool operator==(const webhook_settings&) const = default;
};

/// Alerts: how often one kind may fire and where they are sent.
struct alert_settings {
  std::chrono::seconds cooldown{300};     // per kind; repeats within it are counted, not sent
  std::string notify_url;                 // empty: alerts are logged and stored only
  std::string notify_secret;              // signs notifications (X-Signature, as webhooks)
  milliseconds check_interval{30'000};    // periodic threshold check
  std::uint32_t restarts_per_minute = 5;  // an actor kind restarting more often → alert
  std::chrono::seconds breaker_open{60};  // a breaker open this long → alert
  std::uint32_t min_requests = 20;        // fewer in 5 min: no error-rate alert

  /// True when alerts are sent, not only stored.
  bool notify() const { return !notify_url.empty(); }
  bool operator==(const alert_settings&) const = default;
};

/// The audit log's global checkpoints.
struct audit_settings {
  milliseconds seal_interval{5'000};
  std::chrono::seconds seal_after{30};   // ids drawn more recently wait for the next checkpoint
  std::uint32_t seal_ids_max = 200'000;  // ids one checkpoint covers at most (a backlog: several)
  bool operator==(const audit_settings&) const = default;
};

/// What `billd cleanup` keeps.
struct retention_settings {
  std::uint32_t gateway_log_days = 400;
  std::uint32_t jobs_days = 30;  // finished (done, dead, cancelled) jobs
  bool operator==(const retention_settings&) const = default;
};

/// Periodic housekeeping.
struct maintenance_settings {
  milliseconds expiry_interval{60'000};
  std::uint32_t expiry_batch = 500;  // bills expired per transaction
  bool operator==(const maintenance_settings&) const = default;
};

/// Logging.
struct log_settings {
  std::string level = "info";
  std::string format = "text";
  std::string levels;  // per module: "db=debug,http=warn"
  std::string file;    // empty: stderr
  std::uint64_t file_max_bytes = 64ull << 20;
  std::uint32_t file_max_files = 5;
  milliseconds file_retry{30'000};  // after a failed write, stderr until then
  std::uint32_t queue_lines = 8'192;
  bool operator==(const log_settings&) const = default;
};

/// Everything billd reads at start: defaults < file < BILLD_* environment < flags.
struct settings {
  std::string data_dir = "./var";
  std::string public_url;
  std::string admin_user = "admin";
  std::string admin_password;
  std::chrono::seconds idempotency_ttl{86'400};
  milliseconds shutdown_grace{25'000};
  http_settings http;
  db_settings db;
  front_settings front;
  billing_settings billing;
  auth_settings auth;
  rate_settings rate;
  cache_settings cache;
  supervisor_settings supervisor;
  actor_settings actors;
  gateway_settings gateway;
  jobs_settings jobs;
  webhook_settings webhooks;
  alert_settings alerts;
  tls_settings tls;
  audit_settings audit;
  maintenance_settings maintenance;
  retention_settings retention;
  log_settings log;
  metrics_settings metrics;
  bool operator==(const settings&) const = default;
};

}  // namespace billd
