#pragma once
// Idempotency keys (API.md "idempotency", ARCHITECTURE.md "Durability"): the effect's own
// transaction claims the key with an advisory lock, so a crash never leaves a key stuck.

#include <optional>
#include <string>

namespace billd {

class pg_connection;

/// A final response kept for replay: a success (kind 0, status and body) or a final error
/// (its kind, detail in body, and the invalid field).
struct stored_response {
  int kind = 0;
  int status = 0;
  std::string body;
  std::string location;
  std::string etag;
  std::string field;
};

/// What claiming a key found.
enum class key_claim { fresh, replay, mismatch, in_flight };

/// The claim and, for replay, the stored response.
struct key_claim_result {
  key_claim claim = key_claim::fresh;
  stored_response response;
};

/// Inside the effect transaction: try-locks (user, key) for the transaction, then looks the
/// key up. in_flight when another transaction holds it; replay/mismatch when a live entry
/// exists; fresh otherwise (expired entries are removed).
key_claim_result claim_idempotency_key(pg_connection& conn, const std::string& user_id,
                                       const std::string& key, const std::string& fingerprint_hex,
                                       std::int64_t ttl_seconds);

/// Stores the final response in the same transaction as the effect.
void store_idempotent_response(pg_connection& conn, const std::string& user_id,
                               const std::string& key, const std::string& fingerprint_hex,
                               const stored_response& response);

}  // namespace billd
