#include "net/fast_reads.hpp"

#include <spdlog/spdlog.h>

#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "log/module_log.hpp"
#include "net/bill_answers.hpp"
#include "net/compression.hpp"
#include "net/front_rules.hpp"
#include "net/router.hpp"

namespace billd {

namespace {

constexpr std::string_view bills_prefix = "/api/v1/bills/";

}  // namespace

fast_reads::fast_reads(fast_reads_deps deps) : deps_(std::move(deps)) {}

std::optional<http_response> fast_reads::try_answer(const http_exchange& ex, std::size_t front) {
  const auto& req = ex.request;
  if (req.method != "GET" || !req.path.starts_with(bills_prefix) || deps_.caches.empty() ||
      deps_.tokens.empty())
    return std::nullopt;
  auto routed = route(req.method, req.path);
  if (!routed.match || routed.match->id != route_id::bills_get) return std::nullopt;
  // Not refused by the front's load: answered here, it takes no place there, and refusing it
  // would cost about as much as answering it (docs/architecture.md).
  const auto& id = routed.match->param;
  if (!is_valid_id(id, "bil")) return std::nullopt;
  auto token = bearer_token(req);
  if (!token) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  auto& tokens = *deps_.tokens[front % deps_.tokens.size()];
  auto token_hash = sha256_hex(*token);
  auto who = tokens.find(token_hash, now);
  if (!who || !role_allows(routed.match->who, who->role)) return std::nullopt;
  const auto& cache = cache_of(deps_.caches, id);
  if (!cache->get()) return std::nullopt;  // restarting: the front reads PostgreSQL (BYPASS)
  auto hit = cache->store().peek(id, now);
  if (!hit) return std::nullopt;
  // From here on the front's rules decide exactly as the front would.
  tokens.note_session(token_hash);
  auto rate =
      deps_.limiter->take(token_bucket(token_hash), quota_of(deps_.cfg.rate, who->role), now);
  auto resp = rate.allowed
                  ? bill_read_response(req, *hit->value, cache_status::hit, hit->json.get())
                  : rate_limited_response(rate, req.path);
  add_rate_headers(resp, rate, "token");
  compress_response(req, resp, deps_.cfg.http);
  auto took = std::chrono::steady_clock::now() - ex.received;
  deps_.edge->record_answer(
      front, static_cast<std::size_t>(route_id::bills_get), resp.status,
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  logger_of(log_module::http)
      .debug("[{}] {} {} -> {} (on the Asio thread)", req.request_id, req.method, req.path,
             resp.status);
  return resp;
}

}  // namespace billd
