#pragma once
// The idempotent write transaction of ARCHITECTURE.md: claim the key with an advisory lock,
// replay or refuse, run the effect, store its response — all in one transaction.

#include <chrono>
#include <functional>
#include <string>

#include "actors/messages.hpp"

namespace billd {

class pg_connection;

/// Runs effect inside one transaction. With a key: another running holder → in-flight,
/// a stored response with the same fingerprint → replayed, another fingerprint → mismatch.
/// Final answers (success, 404, 409, 412, 422) are stored with the effect and replayed;
/// a refused effect's own changes are rolled back to a savepoint first.
api_reply run_idempotent(pg_connection& conn, const std::string& user_id,
                         const idempotency_ref& idem, std::chrono::seconds ttl,
                         const std::function<api_reply(pg_connection&)>& effect);

}  // namespace billd
