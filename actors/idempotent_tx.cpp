#include "actors/idempotent_tx.hpp"

#include "actors/reply_mapping.hpp"
#include "storage/idempotency_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

/// Thrown to roll back the transaction while still answering with a reply.
struct rollback_with {
  api_reply reply;
};

/// Final answers are replayed; answers about billd's own state (overload, unknown outcome,
/// internal errors) and about the key itself are not (API.md "idempotency").
bool is_final(reply_kind kind) {
  switch (kind) {
    case reply_kind::ok:
    case reply_kind::not_found:
    case reply_kind::conflict:
    case reply_kind::precondition_failed:
    case reply_kind::validation_failed:
      return true;
    case reply_kind::idempotency_mismatch:
    case reply_kind::idempotency_in_flight:
    case reply_kind::unauthenticated:
    case reply_kind::rate_limited:
    case reply_kind::overloaded:
    case reply_kind::outcome_unknown:
    case reply_kind::internal:
    case reply_kind::too_large:
      return false;
  }
  return false;
}

stored_response to_stored(const api_reply& r) {
  bool ok = r.kind == reply_kind::ok;
  return {static_cast<int>(r.kind),
          ok ? r.status : 0,
          ok ? r.body : r.detail,
          r.location,
          r.etag,
          r.field};
}

api_reply from_stored(stored_response s) {
  api_reply r;
  r.kind = static_cast<reply_kind>(s.kind);
  if (r.kind == reply_kind::ok) {
    r.status = static_cast<std::uint16_t>(s.status);
    r.body = std::move(s.body);
  } else {
    r.detail = std::move(s.body);
  }
  r.location = std::move(s.location);
  r.etag = std::move(s.etag);
  r.field = std::move(s.field);
  r.replayed = true;
  return r;
}

api_reply claim_or_replay(pg_connection& conn, const std::string& user_id,
                          const idempotency_ref& idem, std::chrono::seconds ttl, bool& fresh) {
  auto claim = claim_idempotency_key(conn, user_id, idem.key, idem.fingerprint_hex, ttl.count());
  fresh = false;
  switch (claim.claim) {
    case key_claim::in_flight:
      return make_reply(reply_kind::idempotency_in_flight,
                        "a request with this Idempotency-Key is still running");
    case key_claim::mismatch:
      return make_reply(reply_kind::idempotency_mismatch,
                        "this Idempotency-Key was used with a different request");
    case key_claim::replay:
      return from_stored(std::move(claim.response));
    case key_claim::fresh:
      fresh = true;
      return {};
  }
  return {};
}

}  // namespace

api_reply run_idempotent(pg_connection& conn, const std::string& user_id,
                         const idempotency_ref& idem, std::chrono::seconds ttl,
                         const std::function<api_reply(pg_connection&)>& effect) {
  try {
    return in_transaction(conn, [&] {
      if (!idem.key.empty()) {
        bool fresh = false;
        auto early = claim_or_replay(conn, user_id, idem, ttl, fresh);
        if (!fresh) throw rollback_with{std::move(early)};
      }
      // With a key the effect runs under a savepoint: a refused effect (which may have
      // aborted a statement) is undone while the key still records its final answer. Without
      // one a refusal rolls the whole transaction back, so the round trip is saved.
      bool keyed = !idem.key.empty();
      if (keyed) conn.exec("SAVEPOINT idempotent_effect");
      auto reply = effect(conn);
      if (keyed && reply.kind != reply_kind::ok)
        conn.exec("ROLLBACK TO SAVEPOINT idempotent_effect");
      if (!keyed || !is_final(reply.kind)) {
        if (reply.kind != reply_kind::ok) throw rollback_with{std::move(reply)};
        return reply;
      }
      store_idempotent_response(conn, user_id, idem.key, idem.fingerprint_hex, to_stored(reply));
      return reply;
    });
  } catch (rollback_with& r) {
    return std::move(r.reply);
  }
}

}  // namespace billd
