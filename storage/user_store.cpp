#include "storage/user_store.hpp"

#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"

namespace billd {
namespace {

#define USER_COLUMNS "u.id, u.username, u.role, u.disabled, " BILLD_SQL_RFC3339("u.created_at")

user row_to_user(const pg_rows& r, int i) {
  user u;
  u.id = r.str(i, 0);
  u.username = r.str(i, 1);
  u.role = parse_user_role(r.text(i, 2)).value_or(user_role::viewer);
  u.disabled = r.boolean(i, 3);
  u.created_at = r.str(i, 4);
  return u;
}

std::string bytea_hex(const std::string& hex) { return "\\x" + hex; }

}  // namespace

user insert_user(pg_connection& conn, const std::string& id, const std::string& username,
                 const std::string& password_hash, user_role role) {
  static const pg_statement stmt{
      "user_insert",
      "INSERT INTO users AS u (id, username, password_hash, role) VALUES ($1, $2, $3, $4)"
      " RETURNING " USER_COLUMNS};
  auto rows = conn.run(stmt, {id, username, password_hash, std::string{to_string(role)}});
  return row_to_user(rows, 0);
}

std::optional<user> find_user(pg_connection& conn, const std::string& id) {
  static const pg_statement stmt{"user_find",
                                 "SELECT " USER_COLUMNS " FROM users u WHERE u.id = $1"};
  auto rows = conn.run(stmt, {id});
  if (rows.empty()) return std::nullopt;
  return row_to_user(rows, 0);
}

std::optional<user_credentials> find_credentials(pg_connection& conn, const std::string& username) {
  static const pg_statement stmt{"user_credentials",
                                 "SELECT " USER_COLUMNS
                                 ", u.password_hash FROM users u WHERE u.username = $1"};
  auto rows = conn.run(stmt, {username});
  if (rows.empty()) return std::nullopt;
  return user_credentials{row_to_user(rows, 0), rows.str(0, 5)};
}

std::vector<user> list_users(pg_connection& conn, const std::optional<std::string>& before_id,
                             int limit_plus_one) {
  static const pg_statement stmt{"user_list", "SELECT " USER_COLUMNS
                                              " FROM users u"
                                              " WHERE ($1::text IS NULL OR u.id < $1)"
                                              " ORDER BY u.id DESC LIMIT $2"};
  auto rows = conn.run(stmt, {before_id, std::to_string(limit_plus_one)});
  std::vector<user> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(row_to_user(rows, i));
  return out;
}

std::optional<user> update_user(pg_connection& conn, const std::string& id,
                                const std::optional<user_role>& role,
                                const std::optional<bool>& disabled,
                                const std::optional<std::string>& password_hash) {
  static const pg_statement stmt{
      "user_update",
      "UPDATE users AS u SET role = COALESCE($2, u.role),"
      " disabled = COALESCE($3::boolean, u.disabled),"
      " password_hash = COALESCE($4, u.password_hash), updated_at = now()"
      " WHERE u.id = $1 RETURNING " USER_COLUMNS};
  pg_params params{id, role ? pg_param{std::string{to_string(*role)}} : std::nullopt,
                   disabled ? pg_param{*disabled ? "true" : "false"} : std::nullopt, password_hash};
  auto rows = conn.run(stmt, params);
  if (rows.empty()) return std::nullopt;
  return row_to_user(rows, 0);
}

std::int64_t count_users(pg_connection& conn) {
  return conn.exec("SELECT count(*) FROM users").int64(0, 0);
}

std::string insert_session(pg_connection& conn, const std::string& token_hash_hex,
                           const std::string& user_id, std::int64_t ttl_seconds) {
  static const pg_statement stmt{
      "session_insert",
      "INSERT INTO sessions (token_hash, user_id, expires_at)"
      " VALUES ($1::bytea, $2, now() + make_interval(secs => $3::bigint))"
      " RETURNING " BILLD_SQL_RFC3339("expires_at")};
  auto rows = conn.run(stmt, {bytea_hex(token_hash_hex), user_id, std::to_string(ttl_seconds)});
  return rows.str(0, 0);
}

std::optional<session_info> find_session(pg_connection& conn, const std::string& token_hash_hex,
                                         std::chrono::milliseconds touch_interval) {
  // The touch re-checks the age on the row it locks: of two verifications that both saw an
  // old last_used_at, the second finds the first's and writes nothing.
  static const pg_statement stmt{
      "session_find",
      "WITH u AS ("
      " SELECT s.token_hash, s.expires_at AS session_expires_at, u.id,"
      " u.username, u.role, u.disabled, u.created_at"
      " FROM sessions s JOIN users u ON u.id = s.user_id"
      " WHERE s.token_hash = $1::bytea AND s.revoked_at IS NULL AND s.expires_at > now()"
      " AND NOT u.disabled"
      "), touched AS ("
      " UPDATE sessions s SET last_used_at = now() FROM u"
      " WHERE s.token_hash = u.token_hash"
      " AND s.last_used_at <= now() - $2::bigint * interval '1 millisecond'"
      ")"
      " SELECT " USER_COLUMNS ", " BILLD_SQL_RFC3339("u.session_expires_at") " FROM u"};
  auto rows = conn.run(stmt, {bytea_hex(token_hash_hex), std::to_string(touch_interval.count())});
  if (rows.empty()) return std::nullopt;
  return session_info{row_to_user(rows, 0), rows.str(0, 5)};
}

bool revoke_session(pg_connection& conn, const std::string& token_hash_hex) {
  static const pg_statement stmt{
      "session_revoke",
      "UPDATE sessions SET revoked_at = now() WHERE token_hash = $1::bytea AND revoked_at IS NULL"};
  return conn.run(stmt, {bytea_hex(token_hash_hex)}).affected() > 0;
}

void revoke_user_sessions(pg_connection& conn, const std::string& user_id) {
  static const pg_statement stmt{
      "session_revoke_user",
      "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"};
  conn.run(stmt, {user_id});
}

}  // namespace billd
