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
    case key_claim::replay: {
      auto r = ok_reply(static_cast<std::uint16_t>(claim.response.status),
                        std::move(claim.response.body));
      r.location = std::move(claim.response.location);
      r.replayed = true;
      return r;
    }
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
      auto reply = effect(conn);
      if (reply.kind != reply_kind::ok) throw rollback_with{std::move(reply)};
      if (!idem.key.empty())
        store_idempotent_response(conn, user_id, idem.key, idem.fingerprint_hex,
                                  {reply.status, reply.body, reply.location});
      return reply;
    });
  } catch (rollback_with& r) {
    return std::move(r.reply);
  }
}

}  // namespace billd
