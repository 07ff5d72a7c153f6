#include "storage/idempotency_store.hpp"

#include "storage/pg_connection.hpp"

namespace billd {

key_claim_result claim_idempotency_key(pg_connection& conn, const std::string& user_id,
                                       const std::string& key, const std::string& fingerprint_hex,
                                       std::int64_t ttl_seconds) {
  static const pg_statement lock_stmt{
      "idem_lock", "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 7))"};
  static const pg_statement expire_stmt{
      "idem_expire",
      "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2"
      " AND created_at <= now() - make_interval(secs => $3::bigint)"};
  static const pg_statement find_stmt{
      "idem_find",
      "SELECT encode(fingerprint, 'hex'), kind, status, body, location, etag, field"
      " FROM idempotency_keys"
      " WHERE user_id = $1 AND key = $2"};
  if (!conn.run(lock_stmt, {user_id, key}).boolean(0, 0)) return {key_claim::in_flight, {}};
  conn.run(expire_stmt, {user_id, key, std::to_string(ttl_seconds)});
  auto rows = conn.run(find_stmt, {user_id, key});
  if (rows.empty()) return {key_claim::fresh, {}};
  if (rows.text(0, 0) != fingerprint_hex) return {key_claim::mismatch, {}};
  stored_response r;
  r.kind = static_cast<int>(rows.int64(0, 1));
  r.status = static_cast<int>(rows.int64(0, 2));
  r.body = rows.str(0, 3);
  r.location = rows.opt(0, 4).value_or("");
  r.etag = rows.opt(0, 5).value_or("");
  r.field = rows.opt(0, 6).value_or("");
  return {key_claim::replay, std::move(r)};
}

void store_idempotent_response(pg_connection& conn, const std::string& user_id,
                               const std::string& key, const std::string& fingerprint_hex,
                               const stored_response& r) {
  static const pg_statement stmt{
      "idem_store",
      "INSERT INTO idempotency_keys"
      " (user_id, key, fingerprint, kind, status, body, location, etag, field)"
      " VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, NULLIF($7, ''), NULLIF($8, ''),"
      " NULLIF($9, ''))"};
  conn.run(stmt, {user_id, key, fingerprint_hex, std::to_string(r.kind), std::to_string(r.status),
                  r.body, r.location, r.etag, r.field});
}

}  // namespace billd
