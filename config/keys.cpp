#include "config/keys.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>

#include "domain/redis_url.hpp"
#include "log/module_log.hpp"

namespace billd {
namespace {

template <class Accessor>
config_key uint_key(std::string name, std::uint64_t def, std::uint64_t lo, std::uint64_t hi,
                    std::string help, Accessor field) {
  std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  auto apply = [lo, hi, range, field](settings& s,
                                      std::string_view text) -> std::optional<std::string> {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi)
      return "must be an integer in " + range;
    field(s, value);
    return std::nullopt;
  };
  return {std::move(name), std::to_string(def), range, std::move(help), false, apply};
}

template <class Accessor>
config_key string_key(std::string name, std::string def, std::string range, std::string help,
                      bool secret, Accessor field,
                      std::function<bool(std::string_view)> valid = nullptr) {
  auto apply = [field, valid, range](settings& s,
                                     std::string_view text) -> std::optional<std::string> {
    if (valid && !valid(text)) return "must be " + range;
    field(s, std::string{text});
    return std::nullopt;
  };
  return {std::move(name), std::move(def), std::move(range), std::move(help), secret, apply};
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (v == a) return true;
  return false;
}

/// A true|false key.
config_key bool_key(std::string name, bool def, std::string help, bool& (*pick)(settings&)) {
  return string_key(
      std::move(name), def ? "true" : "false", "true|false", std::move(help), false,
      [pick](settings& s, std::string v) { pick(s) = v == "true"; },
      [](std::string_view v) {
        return one_of(v, {"true", "false"});
      });
}

bool is_host_port(std::string_view v) {
  auto colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  unsigned port = 0;
  auto digits = v.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  return ec == std::errc{} && end == digits.data() + digits.size() && port <= 65535;
}

bool is_http_url_or_empty(std::string_view v) {
  return v.empty() || (v.starts_with("http://") && v.size() > 7) ||
         (v.starts_with("https://") && v.size() > 8);
}

#define BILLD_FIELD(expr) [](settings& s, auto v) { expr = decltype(expr)(v); }
#define BILLD_MS(expr) [](settings& s, auto v) { expr = milliseconds(v); }
#define BILLD_SECONDS(expr) [](settings& s, auto v) { expr = std::chrono::seconds(v); }

/// The eight keys of one circuit breaker under `prefix` ("db.breaker", "gateway.breaker").
void add_breaker_keys(std::vector<config_key>& k, const std::string& prefix, const std::string& who,
                      const breaker_settings& d, breaker_settings& (*pick)(settings&)) {
  auto field = [pick](auto member) {
    return [pick, member](settings& s, std::uint64_t v) {
      pick(s).*member = static_cast<std::uint32_t>(v);
    };
  };
  auto duration = [pick](milliseconds breaker_settings::*member) {
    return [pick, member](settings& s, std::uint64_t v) { pick(s).*member = milliseconds(v); };
  };
  k.push_back(uint_key(prefix + ".window", d.window, 1, 10'000, who + ": calls in its window.",
                       field(&breaker_settings::window)));
  k.push_back(uint_key(prefix + ".min_calls", d.min_calls, 1, 10'000,
                       who + ": calls in the window before it may open.",
                       field(&breaker_settings::min_calls)));
  k.push_back(uint_key(prefix + ".failure_pct", d.failure_pct, 1, 100,
                       who + ": opens at this share of failed calls.",
                       field(&breaker_settings::failure_pct)));
  k.push_back(uint_key(prefix + ".slow_pct", d.slow_pct, 1, 100,
                       who + ": opens at this share of slow calls.",
                       field(&breaker_settings::slow_pct)));
  k.push_back(uint_key(prefix + ".slow_ms", static_cast<std::uint64_t>(d.slow.count()), 1, 600'000,
                       who + ": a call at least this long is slow.",
                       duration(&breaker_settings::slow)));
  k.push_back(uint_key(prefix + ".open_ms", static_cast<std::uint64_t>(d.open.count()), 1,
                       3'600'000, who + ": first open time (doubles per re-open).",
                       duration(&breaker_settings::open)));
  k.push_back(uint_key(prefix + ".open_max_ms", static_cast<std::uint64_t>(d.open_max.count()), 1,
                       3'600'000, who + ": longest open time.",
                       duration(&breaker_settings::open_max)));
  k.push_back(uint_key(prefix + ".probes", d.probes, 1, 1'000,
                       who + ": calls admitted while half-open.",
                       field(&breaker_settings::probes)));
}

std::vector<config_key> make_keys() {
  constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();
  const settings d;
  std::vector<config_key> k;
  // --- general (names of API.md "Launch interface") ---
  k.push_back(string_key("http.listen", d.http.listen, "HOST:PORT (port 0 picks a free port)",
                         "Address of the one HTTP listener.", false, BILLD_FIELD(s.http.listen),
                         is_host_port));
  k.push_back(string_key("data_dir", d.data_dir, "a directory path",
                         "Data directory; the embedded PostgreSQL lives under it.", false,
                         BILLD_FIELD(s.data_dir), [](std::string_view v) { return !v.empty(); }));
  k.push_back(string_key("db.url", "", "empty or a libpq URL/conninfo",
                         "PostgreSQL to use; empty starts the embedded one.", true,
                         BILLD_FIELD(s.db.url)));
  k.push_back(string_key("admin.user", d.admin_user, "3-64 chars of [a-z0-9_.-]",
                         "First admin created at first start.", false, BILLD_FIELD(s.admin_user),
                         [](std::string_view v) { return v.size() >= 3 && v.size() <= 64; }));
  k.push_back(string_key("admin.password", "", "empty or 12-256 characters",
                         "First admin's password; empty generates one into "
                         "<data_dir>/initial-admin-password (0600).",
                         true, BILLD_FIELD(s.admin_password), [](std::string_view v) {
                           return v.empty() || (v.size() >= 12 && v.size() <= 1024);
                         }));
  k.push_back(string_key("gateway.url", "", "empty or an http(s):// URL",
                         "Payment gateway base URL; empty leaves control-number jobs waiting.",
                         false, BILLD_FIELD(s.gateway.url), is_http_url_or_empty));
  k.push_back(string_key("gateway.secret_out", "", "any string", "HMAC secret billd signs with.",
                         true, BILLD_FIELD(s.gateway.secret_out)));
  k.push_back(string_key("gateway.secret_out_previous", "", "any string",
                         "Previous outbound secret (rotation).", true,
                         BILLD_FIELD(s.gateway.secret_out_previous)));
  k.push_back(string_key("gateway.secret_in", "", "any string",
                         "HMAC secret the gateway signs with.", true,
                         BILLD_FIELD(s.gateway.secret_in)));
  k.push_back(string_key("gateway.secret_in_previous", "", "any string",
                         "Previous inbound secret (rotation).", true,
                         BILLD_FIELD(s.gateway.secret_in_previous)));
  k.push_back(string_key("public_url", "", "empty or an http(s) URL",
                         "Base of callback URLs; empty means http://<http.listen>.", false,
                         BILLD_FIELD(s.public_url), [](std::string_view v) {
                           return v.empty() || v.starts_with("http://") ||
                                  v.starts_with("https://");
                         }));
  k.push_back(uint_key("idempotency.ttl_s", 86'400, 60, 30 * 86'400,
                       "How long an Idempotency-Key's first response is replayed.",
                       BILLD_SECONDS(s.idempotency_ttl)));
  k.push_back(uint_key("shutdown.grace_ms", 25'000, 0, 600'000,
                       "How long SIGTERM lets in-flight requests finish.",
                       BILLD_MS(s.shutdown_grace)));
  // --- http ---
  k.push_back(string_key(
      "http.ops_listen", "", "empty or HOST:PORT (port 0 picks a free port)",
      "A second listener, with an Asio thread of its own, that serves /health, /health/live, "
      "/health/ready and /metrics only; /health/live is answered on that thread, so liveness "
      "probes are answered while the API's threads are saturated; empty: none.",
      false, BILLD_FIELD(s.http.ops_listen),
      [](std::string_view v) { return v.empty() || is_host_port(v); }));
  k.push_back(uint_key("http.ops_max_connections", d.http.ops_max_connections, 1, 100'000,
                       "Open connections the ops listener accepts at once (probes and scrapers; "
                       "its requests may carry no body).",
                       BILLD_FIELD(s.http.ops_max_connections)));
  k.push_back(uint_key("http.io_threads", d.http.io_threads, 1, 64,
                       "Asio threads owning sockets (one http-front actor each). Two on the 2-core "
                       "reference machine: one alone gets too little CPU beside PostgreSQL and the "
                       "actors under load.",
                       BILLD_FIELD(s.http.io_threads)));
  k.push_back(uint_key("http.body_bytes_max", d.http.body_bytes_max, 1024, 64u << 20,
                       "Largest request body (413 above).", BILLD_FIELD(s.http.body_bytes_max)));
  k.push_back(uint_key("http.import_bytes_max", d.http.import_bytes_max, 1024, 1u << 30,
                       "Largest CSV body POST /api/v1/bills/import accepts.",
                       BILLD_FIELD(s.http.import_bytes_max)));
  k.push_back(uint_key("http.import_timeout_ms", 600'000, 1'000, 3'600'000,
                       "Time a whole CSV upload may take (http.request_timeout_ms bounds each "
                       "pause in it); staged rows of an upload older than twice this are deleted.",
                       BILLD_MS(s.http.import_timeout)));
  k.push_back(bool_key("http.compression", d.http.compression,
                       "Compress JSON and text answers with gzip or br as Accept-Encoding allows.",
                       [](settings& s) -> bool& { return s.http.compression; }));
  k.push_back(uint_key("http.compress_min_bytes", d.http.compress_min_bytes, 1, 1u << 30,
                       "Smallest body compressed (unless the client refuses identity).",
                       BILLD_FIELD(s.http.compress_min_bytes)));
  k.push_back(uint_key("http.gzip_level", d.http.gzip_level, 1, 9, "zlib level of gzip answers.",
                       BILLD_FIELD(s.http.gzip_level)));
  k.push_back(uint_key("http.brotli_quality", d.http.brotli_quality, 0, 11,
                       "Brotli quality of br answers.", BILLD_FIELD(s.http.brotli_quality)));
  k.push_back(uint_key("http.header_bytes_max", d.http.header_bytes_max, 1024, 1u << 20,
                       "Largest header block (431 above).", BILLD_FIELD(s.http.header_bytes_max)));
  k.push_back(uint_key("http.url_bytes_max", d.http.url_bytes_max, 256, 64u << 10,
                       "Longest request target (414 above).", BILLD_FIELD(s.http.url_bytes_max)));
  k.push_back(uint_key("http.pipeline_max", d.http.pipeline_max, 1, 1024,
                       "Pipelined requests queued per connection before reading pauses.",
                       BILLD_FIELD(s.http.pipeline_max)));
  k.push_back(uint_key("http.max_connections", d.http.max_connections, 1, 1'000'000,
                       "Open connections accepted at once.", BILLD_FIELD(s.http.max_connections)));
  k.push_back(uint_key("http.max_connections_per_ip", d.http.max_connections_per_ip, 1, 1'000'000,
                       "Open connections per client address (loopback exempt).",
                       BILLD_FIELD(s.http.max_connections_per_ip)));
  k.push_back(uint_key("http.header_timeout_ms", 10'000, 100, 600'000,
                       "Time to receive a new connection's first request header.",
                       BILLD_MS(s.http.header_timeout)));
  k.push_back(uint_key("http.request_timeout_ms", 30'000, 100, 600'000,
                       "Time to receive a whole request once its header arrived (a streamed CSV "
                       "upload: each piece of it).",
                       BILLD_MS(s.http.request_timeout)));
  k.push_back(uint_key("http.idle_timeout_ms", 60'000, 100, 3'600'000,
                       "Keep-alive idle time between requests.", BILLD_MS(s.http.idle_timeout)));
  k.push_back(uint_key("http.drain_ms", 500, 0, 10'000,
                       "After 413/414/431: half-close, then drain this long so the client "
                       "reads the answer.",
                       BILLD_MS(s.http.drain_timeout)));
  // --- db ---
  k.push_back(string_key("db.embedded_bin_dir", d.db.embedded_bin_dir, "a directory path",
                         "Where the embedded PostgreSQL's binaries are.", false,
                         BILLD_FIELD(s.db.embedded_bin_dir)));
  k.push_back(uint_key("db.pool_size", d.db.pool_size, 1, 256,
                       "db-conn actors (one libpq connection each).", BILLD_FIELD(s.db.pool_size)));
  k.push_back(uint_key("db.max_waiting", d.db.max_waiting, 1, 1'000'000,
                       "Statements waiting for a connection; above it callers get 503 at once.",
                       BILLD_FIELD(s.db.max_waiting)));
  k.push_back(uint_key("db.statement_timeout_ms", 5'000, 10, 600'000,
                       "A statement running longer is cancelled (PostgreSQL statement_timeout).",
                       BILLD_MS(s.db.statement_timeout)));
  k.push_back(uint_key("db.connect_timeout_ms", 5'000, 100, 600'000,
                       "Time allowed to open one connection.", BILLD_MS(s.db.connect_timeout)));
  k.push_back(uint_key("db.slow_query_ms", 100, 1, 600'000,
                       "Statements slower than this are logged as slow.",
                       BILLD_MS(s.db.slow_query)));
  k.push_back(uint_key("db.slow_query_keep", d.db.slow_query_keep, 1, 10'000,
                       "Slow statements kept (the latest) for /api/v1/metrics/database.",
                       BILLD_FIELD(s.db.slow_query_keep)));
  // 16 members take at most 32 subtransaction ids (a member and an Idempotency-Key savepoint),
  // inside PostgreSQL's 64 cached per backend, past which every snapshot gets slower.
  k.push_back(uint_key("db.group_commit_max", d.db.group_commit_max, 1, 64,
                       "Most queued writes one transaction may carry (group commit: one WAL "
                       "flush for all); 1 commits every write alone.",
                       BILLD_FIELD(s.db.group_commit_max)));
  k.push_back(
      uint_key("db.max_stranded", d.db.max_stranded, 0, 256,
               "Hung connections replaced while their threads still wait on the "
               "server; at the bound a hung connection waits for its work (0: never replace).",
               BILLD_FIELD(s.db.max_stranded)));
  // --- metrics ---
  k.push_back(string_key("metrics.token", "", "any string of 16+ characters, or empty",
                         "Bearer token that lets non-loopback clients scrape /metrics; empty: "
                         "loopback only.",
                         true, BILLD_FIELD(s.metrics.token),
                         [](std::string_view v) { return v.empty() || v.size() >= 16; }));
  k.push_back(uint_key("metrics.slow_request_ms", 1'000, 1, 600'000,
                       "A request at least this long is logged once and kept in the slow list.",
                       BILLD_MS(s.metrics.slow_request)));
  k.push_back(uint_key("metrics.slow_request_keep", d.metrics.slow_request_keep, 1, 10'000,
                       "Slow requests kept (the latest) for /api/v1/metrics.",
                       BILLD_FIELD(s.metrics.slow_request_keep)));
  k.push_back(uint_key("metrics.sessions_max", d.metrics.sessions_max, 16, 100'000'000,
                       "Distinct tokens tracked for the active-sessions figure (30 min).",
                       BILLD_FIELD(s.metrics.sessions_max)));
  k.push_back(uint_key("metrics.pull_timeout_ms", 500, 10, 60'000,
                       "How long a scrape waits for each actor's figures before leaving them "
                       "out.",
                       BILLD_MS(s.metrics.pull_timeout)));
  k.push_back(uint_key("metrics.job_counts_max_age_ms", 1'000, 0, 3'600'000,
                       "How old billd_jobs may be: scrapes within this of the last count "
                       "reuse it, and those that come while a count runs wait for it, so one "
                       "count runs at a time (0: a new count for every scrape that does not "
                       "overlap one). Alert checks do not count jobs.",
                       BILLD_MS(s.metrics.job_counts_max_age)));
  add_breaker_keys(k, "db.breaker", "PostgreSQL breaker", d.db.breaker,
                   [](settings& s) -> breaker_settings& { return s.db.breaker; });
  // --- front ---
  k.push_back(uint_key("front.max_inflight", d.front.max_inflight, 1, 65'536,
                       "Requests handed to one http-front actor and not yet answered; the Asio "
                       "threads answer more 503 at once (reads that need a front from 80 % of it).",
                       BILLD_FIELD(s.front.max_inflight)));
  k.push_back(uint_key("front.request_timeout_ms", 10'000, 100, 600'000,
                       "Deadline of a request inside billd (every actor request carries it).",
                       BILLD_MS(s.front.request_timeout)));
  k.push_back(bool_key("front.fast_reads", d.front.fast_reads,
                       "Answer GET /api/v1/bills/{id} on the Asio thread when the front already "
                       "verified its token and the cache holds the bill (same rules, no actor "
                       "hop); false sends every read through the front.",
                       [](settings& s) -> bool& { return s.front.fast_reads; }));
  // --- billing ---
  k.push_back(uint_key("billing.shards", d.billing.shards, 1, 1024,
                       "Billing shard actors; a bill's id picks its shard. Shards times "
                       "billing.create_batches_in_flight is how many create statements run at "
                       "once: on the 2-core reference machine 1 x 1 wrote 1-60 % more creates "
                       "than 2 x 1 at 16, 64 and 256 connections, and 2 x 1 35-60 % more than "
                       "4 x 2 (fewer, larger batches cost PostgreSQL less per bill). More shards "
                       "pay off only with cores to run their statements side by side.",
                       BILLD_FIELD(s.billing.shards)));
  k.push_back(uint_key("billing.create_batch_max", d.billing.create_batch_max, 1, 1'000,
                       "Creates without an Idempotency-Key that arrive while a shard writes "
                       "others wait and are written together, this many per statement at most; "
                       "1 writes each alone.",
                       BILLD_FIELD(s.billing.create_batch_max)));
  k.push_back(uint_key("billing.create_batches_in_flight", d.billing.create_batches_in_flight, 1,
                       64,
                       "Create batches one shard writes at once; further creates wait for one "
                       "to end and go in the next.",
                       BILLD_FIELD(s.billing.create_batches_in_flight)));
  k.push_back(uint_key("billing.payment_batch_max", d.billing.payment_batch_max, 1, 1'000,
                       "Payment notifications that arrive while a shard records others wait and "
                       "are recorded together in one transaction with a fixed number of "
                       "statements, this many at most; 1 records each alone.",
                       BILLD_FIELD(s.billing.payment_batch_max)));
  k.push_back(uint_key("billing.payment_batches_in_flight", d.billing.payment_batches_in_flight, 1,
                       64,
                       "Payment batches one shard records at once (side by side on separate "
                       "connections); further notifications wait for one to end and go in the "
                       "next, and one whose bill or transaction_ref a batch being recorded holds "
                       "waits for that batch.",
                       BILLD_FIELD(s.billing.payment_batches_in_flight)));
  k.push_back(uint_key("billing.answer_batch_max", d.billing.answer_batch_max, 1, 1'000,
                       "The payment gateway's answers (control numbers and refusals) that arrive "
                       "while a shard records others wait and are recorded together in one "
                       "transaction with a fixed number of statements, this many at most; 1 "
                       "records each alone.",
                       BILLD_FIELD(s.billing.answer_batch_max)));
  k.push_back(uint_key("billing.answer_batches_in_flight", d.billing.answer_batches_in_flight, 1,
                       64,
                       "Answer batches one shard records at once; further answers wait for one "
                       "to end and go in the next (answers of a failed batch go one per batch). "
                       "An answer that waits longer than front.request_timeout_ms is not "
                       "written: its job asks the gateway again later.",
                       BILLD_FIELD(s.billing.answer_batches_in_flight)));
  k.push_back(string_key("billing.currencies", d.billing.currencies, "CODE:EXP,... (EXP 0-4)",
                         "Accepted currencies and their ISO 4217 exponents.", false,
                         BILLD_FIELD(s.billing.currencies)));
  k.push_back(string_key("billing.timezone", d.billing.timezone, "a PostgreSQL time zone name",
                         "Time zone of due dates (checked against the database at start).", false,
                         BILLD_FIELD(s.billing.timezone),
                         [](std::string_view v) { return !v.empty() && v.size() < 64; }));
  // --- auth ---
  k.push_back(uint_key("auth.token_ttl_s", 43'200, 60, 30 * 86'400, "Session token lifetime.",
                       BILLD_SECONDS(s.auth.token_ttl)));
  k.push_back(uint_key("auth.hash_workers", d.auth.hash_workers, 1, 64,
                       "Threads that hash passwords (logins never stall other requests).",
                       BILLD_FIELD(s.auth.hash_workers)));
  k.push_back(uint_key("auth.hash_queue_max", d.auth.hash_queue_max, 1, 100'000,
                       "Password hashes waiting for a worker; above it logins get 503.",
                       BILLD_FIELD(s.auth.hash_queue_max)));
  k.push_back(uint_key("auth.argon2_ops", d.auth.argon2_ops, 1, 10, "argon2id passes.",
                       BILLD_FIELD(s.auth.argon2_ops)));
  k.push_back(uint_key("auth.argon2_mem_kib", d.auth.argon2_mem_kib, 8, 1u << 20,
                       "argon2id memory per hash in KiB.", BILLD_FIELD(s.auth.argon2_mem_kib)));
  k.push_back(uint_key("auth.token_cache_ttl_ms", 60'000, 0, 3'600'000,
                       "How long a front (and its Asio thread) trusts a cached token "
                       "verification; a backstop, since auth revokes in every front's cache "
                       "before it answers a logout or a user change.",
                       BILLD_MS(s.auth.token_cache_ttl)));
  k.push_back(uint_key("auth.token_cache_max", d.auth.token_cache_max, 1, 10'000'000,
                       "Token verifications cached per front.",
                       BILLD_FIELD(s.auth.token_cache_max)));
  k.push_back(uint_key("auth.session_touch_interval_ms", 60'000, 0, 3'600'000,
                       "A token verification sets its session's last_used_at only when it is "
                       "older than this, so verifications of one token rarely write or wait on "
                       "each other (0: every verification).",
                       BILLD_MS(s.auth.session_touch_interval)));
  // --- cache ---
  k.push_back(uint_key("cache.shards", d.cache.shards, 1, 256,
                       "Cache actors; a bill id picks its cache shard.",
                       BILLD_FIELD(s.cache.shards)));
  k.push_back(uint_key("cache.max_entries", d.cache.max_entries, 0, 100'000'000,
                       "Bills cached in all (0: every read goes to PostgreSQL).",
                       BILLD_FIELD(s.cache.max_entries)));
  k.push_back(uint_key("cache.max_bytes", d.cache.max_bytes, 0, 1ull << 40,
                       "Bytes of cached bills in all; the least recently used go first.",
                       BILLD_FIELD(s.cache.max_bytes)));
  k.push_back(uint_key("cache.ttl_ms", 60'000, 1, 86'400'000,
                       "A cached bill is read again from PostgreSQL after this (a backstop: "
                       "changes invalidate at once).",
                       BILLD_MS(s.cache.ttl)));
  k.push_back(string_key("cache.redis_url", "", "redis://[:PASSWORD@]HOST[:PORT][/DB] or empty",
                         "Second cache level in Redis; empty: none. Bills read from PostgreSQL "
                         "while its breaker is open (X-Cache: BYPASS).",
                         true, BILLD_FIELD(s.cache.redis_url),
                         [](std::string_view v) { return v.empty() || parse_redis_url(v); }));
  k.push_back(uint_key("cache.redis_timeout_ms", 100, 1, 60'000,
                       "Connect and command timeout of each Redis connection.",
                       BILLD_MS(s.cache.redis_timeout)));
  k.push_back(uint_key("cache.redis_inflight_max", d.cache.redis_inflight_max, 1, 1'000'000,
                       "Redis commands one cache shard has outstanding; above it reads bypass "
                       "Redis.",
                       BILLD_FIELD(s.cache.redis_inflight_max)));
  add_breaker_keys(k, "cache.redis_breaker", "Redis breaker (per cache shard)",
                   d.cache.redis_breaker,
                   [](settings& s) -> breaker_settings& { return s.cache.redis_breaker; });
  // --- rate limits ---
  k.push_back(uint_key("rate.admin_per_minute", d.rate.admin_per_minute, 1, 10'000'000,
                       "Requests per minute per admin token.",
                       BILLD_FIELD(s.rate.admin_per_minute)));
  k.push_back(uint_key("rate.clerk_per_minute", d.rate.clerk_per_minute, 1, 10'000'000,
                       "Requests per minute per clerk token.",
                       BILLD_FIELD(s.rate.clerk_per_minute)));
  k.push_back(uint_key("rate.viewer_per_minute", d.rate.viewer_per_minute, 1, 10'000'000,
                       "Requests per minute per viewer token.",
                       BILLD_FIELD(s.rate.viewer_per_minute)));
  k.push_back(uint_key("rate.anonymous_per_minute", d.rate.anonymous_per_minute, 1, 10'000'000,
                       "Requests per minute per client IP without a token (health and signed "
                       "gateway calls are exempt).",
                       BILLD_FIELD(s.rate.anonymous_per_minute)));
  k.push_back(uint_key("rate.max_clients", d.rate.max_clients, 16, 100'000'000,
                       "Rate-limit buckets kept; at the bound idle ones are dropped first.",
                       BILLD_FIELD(s.rate.max_clients)));
  // --- supervision ---
  k.push_back(uint_key("supervisor.max_restarts", d.supervisor.max_restarts, 0, 10'000,
                       "Restarts within supervisor.period_ms before a supervisor escalates.",
                       BILLD_FIELD(s.supervisor.max_restarts)));
  k.push_back(uint_key("supervisor.period_ms", 60'000, 1'000, 86'400'000,
                       "Window of the restart budget.", BILLD_MS(s.supervisor.period)));
  k.push_back(uint_key("supervisor.backoff_base_ms", 100, 1, 60'000,
                       "First restart delay (doubles per consecutive failure, +-20% jitter).",
                       BILLD_MS(s.supervisor.backoff_base)));
  k.push_back(uint_key("supervisor.backoff_max_ms", 10'000, 1, 600'000, "Longest restart delay.",
                       BILLD_MS(s.supervisor.backoff_max)));
  k.push_back(uint_key("supervisor.reset_after_ms", 30'000, 1, 3'600'000,
                       "Quiet time after which the backoff starts again from the base.",
                       BILLD_MS(s.supervisor.reset_after)));
  // --- actors ---
  k.push_back(uint_key("actors.threads", d.actors.threads, 1, 256, "CAF scheduler threads.",
                       BILLD_FIELD(s.actors.threads)));
  k.push_back(uint_key("actors.max_throughput", d.actors.max_throughput, 1, 1'000'000,
                       "Messages an actor handles before yielding its worker.",
                       BILLD_FIELD(s.actors.max_throughput)));
  k.push_back(uint_key("actors.idle_poll_attempts", d.actors.idle_poll_attempts, 0, 100'000,
                       "Polls, 50 us apart, an idle worker makes before it sleeps until woken.",
                       BILLD_FIELD(s.actors.idle_poll_attempts)));
  k.push_back(uint_key("actors.idle_steal_interval_us", d.actors.idle_steal_interval_us, 100,
                       1'000'000,
                       "How often a sleeping worker wakes to steal work queued for another.",
                       BILLD_FIELD(s.actors.idle_steal_interval_us)));
  // --- gateway client ---
  k.push_back(uint_key("gateway.connections", d.gateway.connections, 1, 256,
                       "Keep-alive connections to the gateway (= calls at once).",
                       BILLD_FIELD(s.gateway.connections)));
  k.push_back(uint_key("gateway.max_waiting", d.gateway.max_waiting, 1, 100'000,
                       "Gateway calls waiting for a connection; above it the job retries later.",
                       BILLD_FIELD(s.gateway.max_waiting)));
  k.push_back(uint_key("gateway.timeout_ms", 5'000, 50, 600'000,
                       "One gateway attempt, connect to last byte.", BILLD_MS(s.gateway.timeout)));
  k.push_back(uint_key("gateway.attempts", d.gateway.attempts, 1, 10,
                       "Attempts per gateway call (full jitter between them).",
                       BILLD_FIELD(s.gateway.attempts)));
  k.push_back(uint_key("gateway.retry_base_ms", 200, 1, 60'000,
                       "Base of the jittered delay between attempts.",
                       BILLD_MS(s.gateway.retry_base)));
  k.push_back(uint_key("gateway.retry_cap_ms", 2'000, 1, 600'000,
                       "Longest delay between attempts (a longer Retry-After defers the job).",
                       BILLD_MS(s.gateway.retry_cap)));
  k.push_back(uint_key("gateway.callback_wait_ms", 60'000, 100, 86'400'000,
                       "After a 202, ask the gateway again when no callback came by then.",
                       BILLD_MS(s.gateway.callback_wait)));
  k.push_back(uint_key("gateway.log_queue_max", d.gateway.log_queue_max, 1, 1'000'000,
                       "Gateway log rows waiting while the previous ones are written (all that "
                       "wait go in one statement); beyond it a row is dropped and counted in a "
                       "warning: the log is best effort and never holds up the money path.",
                       BILLD_FIELD(s.gateway.log_queue_max)));
  add_breaker_keys(k, "gateway.breaker", "Gateway breaker", d.gateway.breaker,
                   [](settings& s) -> breaker_settings& { return s.gateway.breaker; });
  // --- jobs ---
  k.push_back(uint_key("jobs.poll_interval_ms", 1'000, 10, 3'600'000,
                       "How often the jobs actor looks for due jobs.",
                       BILLD_MS(s.jobs.poll_interval)));
  k.push_back(uint_key("jobs.wake_interval_ms", 20, 0, 60'000,
                       "Creates wake the jobs actor to lease at once; wake-ups closer than this "
                       "share one lease (each lease is a database statement).",
                       BILLD_MS(s.jobs.wake_interval)));
  k.push_back(uint_key("jobs.batch", d.jobs.batch, 1, 10'000,
                       "Jobs leased per poll, at most: a lease takes the largest power of two not "
                       "above this and the free slots of jobs.max_running.",
                       BILLD_FIELD(s.jobs.batch)));
  k.push_back(uint_key("jobs.max_running", d.jobs.max_running, 1, 100'000,
                       "Jobs in progress at once on this node.", BILLD_FIELD(s.jobs.max_running)));
  k.push_back(uint_key("jobs.lease_ms", 60'000, 1'000, 86'400'000,
                       "A job's lease; one not finished by then is run again.",
                       BILLD_MS(s.jobs.lease)));
  k.push_back(uint_key("jobs.backoff_min_ms", 1'000, 1, 3'600'000,
                       "First retry delay of a job (doubles per attempt, jittered).",
                       BILLD_MS(s.jobs.backoff_min)));
  k.push_back(uint_key("jobs.backoff_max_ms", 300'000, 1, 86'400'000,
                       "Longest retry delay of a job.", BILLD_MS(s.jobs.backoff_max)));
  k.push_back(uint_key("jobs.give_up_after_s", 86'400, 1, 30 * 86'400,
                       "A job still failing this long after it was created is dead.",
                       BILLD_SECONDS(s.jobs.give_up_after)));
  // --- outbound TLS ---
  k.push_back(string_key("tls.ca_file", "", "empty or a path to a PEM file",
                         "CAs trusted for https gateway and webhook URLs; empty: the system's.",
                         false, BILLD_FIELD(s.tls.ca_file)));
  // --- webhooks ---
  k.push_back(string_key("webhooks.secret_key", "", "empty or 64 hex digits",
                         "Key that encrypts webhook secrets at rest; empty: generated into "
                         "<data_dir>/webhook-secret.key (0600) at first start.",
                         true, BILLD_FIELD(s.webhooks.secret_key), [](std::string_view v) {
                           if (v.empty()) return true;
                           if (v.size() != 64) return false;
                           for (char c : v)
                             if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
                           return true;
                         }));
  k.push_back(bool_key("webhooks.allow_private_networks", d.webhooks.allow_private_networks,
                       "Allow subscriptions to private (RFC 1918, ULA, link-local) hosts.",
                       [](settings& s) -> bool& { return s.webhooks.allow_private_networks; }));
  k.push_back(uint_key("webhooks.senders", d.webhooks.senders, 1, 256,
                       "Webhook deliveries in flight at once (at most one per endpoint).",
                       BILLD_FIELD(s.webhooks.senders)));
  k.push_back(uint_key("webhooks.timeout_ms", 10'000, 100, 600'000,
                       "A delivery answered 2xx within this is done.",
                       BILLD_MS(s.webhooks.timeout)));
  // --- alerts ---
  k.push_back(uint_key("alerts.cooldown_s", 300, 1, 86'400,
                       "An alert kind fires at most once per this; repeats are counted on it.",
                       BILLD_SECONDS(s.alerts.cooldown)));
  k.push_back(uint_key("alerts.check_interval_ms", 30'000, 100, 86'400'000,
                       "Between periodic alert checks (thresholds, restarts, breakers).",
                       BILLD_MS(s.alerts.check_interval)));
  k.push_back(uint_key("alerts.restarts_per_minute", d.alerts.restarts_per_minute, 1, 100'000,
                       "An actor kind restarted more often than this in a minute raises "
                       "actor_restarts.",
                       BILLD_FIELD(s.alerts.restarts_per_minute)));
  k.push_back(uint_key("alerts.breaker_open_s", 60, 1, 86'400,
                       "A circuit breaker open at least this long raises breaker_open.",
                       BILLD_SECONDS(s.alerts.breaker_open)));
  k.push_back(uint_key("alerts.min_requests", d.alerts.min_requests, 1, 1'000'000,
                       "Requests the last 5 minutes need before their error rate can alert.",
                       BILLD_FIELD(s.alerts.min_requests)));
  k.push_back(string_key("alerts.notify_url", "", "empty or an http(s):// URL",
                         "Where alerts are POSTed, signed (durable job, retried); empty: logged "
                         "and stored only.",
                         false, BILLD_FIELD(s.alerts.notify_url), is_http_url_or_empty));
  k.push_back(string_key("alerts.notify_secret", "", "empty, or 16+ characters with notify_url",
                         "HMAC secret that signs alert notifications (X-Signature).", true,
                         BILLD_FIELD(s.alerts.notify_secret)));
  // --- audit ---
  k.push_back(uint_key("audit.seal_interval_ms", 5'000, 100, 3'600'000,
                       "How often a global checkpoint seals new audit rows.",
                       BILLD_MS(s.audit.seal_interval)));
  k.push_back(
      uint_key("audit.seal_after_s", 30, 0, 86'400,
               "Audit rows are sealed once their ids were drawn this long ago (longer than any "
               "transaction runs, so every one of them has committed or rolled back).",
               BILLD_SECONDS(s.audit.seal_after)));
  k.push_back(uint_key("audit.seal_ids_max", d.audit.seal_ids_max, 1'000, 100'000'000,
                       "Audit ids one checkpoint covers at most: a backlog (a bulk load, a long "
                       "pause) is sealed over several rounds instead of by one statement that "
                       "db.statement_timeout_ms would end every time.",
                       BILLD_FIELD(s.audit.seal_ids_max)));
  // --- maintenance ---
  k.push_back(uint_key("maintenance.expiry_interval_ms", 60'000, 100, 86'400'000,
                       "How often unpaid bills past their due date are marked expired.",
                       BILLD_MS(s.maintenance.expiry_interval)));
  k.push_back(uint_key("maintenance.expiry_batch", d.maintenance.expiry_batch, 1, 100'000,
                       "Bills expired per transaction.", BILLD_FIELD(s.maintenance.expiry_batch)));
  // --- retention (billd cleanup) ---
  k.push_back(uint_key("retention.gateway_log_days", d.retention.gateway_log_days, 1, 36'500,
                       "billd cleanup purges gateway-log rows older than this.",
                       BILLD_FIELD(s.retention.gateway_log_days)));
  k.push_back(
      uint_key("retention.jobs_days", d.retention.jobs_days, 1, 36'500,
               "billd cleanup purges finished jobs (done, dead, cancelled) older than this.",
               BILLD_FIELD(s.retention.jobs_days)));
  // --- log ---
  k.push_back(string_key("log.level", d.log.level, "trace|debug|info|warn|error|off", "Log level.",
                         false, BILLD_FIELD(s.log.level), [](std::string_view v) {
                           return one_of(v, {"trace", "debug", "info", "warn", "error", "off"});
                         }));
  k.push_back(string_key("log.format", d.log.format, "text|json", "Log line format.", false,
                         BILLD_FIELD(s.log.format), [](std::string_view v) {
                           return one_of(v, {"text", "json"});
                         }));
  k.push_back(string_key("log.levels", "",
                         "MODULE=LEVEL,... (modules: app http db cache billing "
                         "gateway jobs auth ops)",
                         "Levels per module, over log.level.", false, BILLD_FIELD(s.log.levels),
                         [](std::string_view v) {
                           std::string error;
                           return parse_module_levels(v, error).has_value();
                         }));
  k.push_back(string_key("log.file", "", "a file path, or empty",
                         "Log to this file (rotated) instead of stderr; while it cannot be "
                         "written, lines go to stderr.",
                         false, BILLD_FIELD(s.log.file)));
  k.push_back(uint_key("log.file_max_bytes", d.log.file_max_bytes, 4'096, 1ull << 40,
                       "The log file is rotated at this size.", BILLD_FIELD(s.log.file_max_bytes)));
  k.push_back(uint_key("log.file_max_files", d.log.file_max_files, 1, 1'000,
                       "Rotated log files kept.", BILLD_FIELD(s.log.file_max_files)));
  k.push_back(uint_key("log.file_retry_ms", 30'000, 10, 3'600'000,
                       "After a failed write to the log file, stderr is used this long before "
                       "the file is tried again.",
                       BILLD_MS(s.log.file_retry)));
  k.push_back(uint_key("log.queue_lines", d.log.queue_lines, 64, 10'000'000,
                       "Lines waiting for the log thread; when full the oldest is dropped.",
                       BILLD_FIELD(s.log.queue_lines)));
  (void)u32_max;
  return k;
}

#undef BILLD_FIELD
#undef BILLD_MS
#undef BILLD_SECONDS

}  // namespace

const std::vector<config_key>& config_keys() {
  static const std::vector<config_key> keys = make_keys();
  return keys;
}

const config_key* find_config_key(std::string_view name) {
  for (const auto& k : config_keys())
    if (k.name == name) return &k;
  return nullptr;
}

std::string env_name_of(std::string_view key) {
  std::string env = "BILLD_";
  for (char c : key)
    env += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

std::string config_keys_markdown() {
  std::string out = "| key | environment | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& k : config_keys()) {
    std::string def = k.default_value.empty() ? "(empty)" : "`" + k.default_value + "`";
    out += "| `" + k.name + "` | `" + env_name_of(k.name) + "` | " + def + " | " + k.range + " | " +
           k.help + " |\n";
  }
  return out;
}

}  // namespace billd
