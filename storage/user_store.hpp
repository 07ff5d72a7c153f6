#pragma once
// Users and sessions in PostgreSQL.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/user.hpp"

namespace billd {

class pg_connection;

/// A user with its password hash, for login only.
struct user_credentials {
  user account;
  std::string password_hash;
};

/// The user a valid session token belongs to.
struct session_info {
  user account;
  std::string expires_at;
};

/// Inserts a user; throws db_error unique_violation when the username exists.
user insert_user(pg_connection& conn, const std::string& id, const std::string& username,
                 const std::string& password_hash, user_role role);
std::optional<user> find_user(pg_connection& conn, const std::string& id);
std::optional<user_credentials> find_credentials(pg_connection& conn, const std::string& username);
/// Users with id < before_id (when given), newest first; limit+1 rows tell whether more exist.
std::vector<user> list_users(pg_connection& conn, const std::optional<std::string>& before_id,
                             int limit_plus_one);
/// Applies the given changes; nullopt when the user does not exist.
std::optional<user> update_user(pg_connection& conn, const std::string& id,
                                const std::optional<user_role>& role,
                                const std::optional<bool>& disabled,
                                const std::optional<std::string>& password_hash);
std::int64_t count_users(pg_connection& conn);

/// Stores a new session (token_hash_hex is the SHA-256 of the token, hex); returns expires_at.
std::string insert_session(pg_connection& conn, const std::string& token_hash_hex,
                           const std::string& user_id, std::int64_t ttl_seconds);
/// The live session's user, or nullopt (unknown, expired, revoked, or user disabled). Its
/// last_used_at is set to now only when older than `touch_interval`, so verifications of one
/// token (every front's first, at once) rarely write or wait on each other's row lock.
std::optional<session_info> find_session(pg_connection& conn, const std::string& token_hash_hex,
                                         std::chrono::milliseconds touch_interval);
/// Revokes one session; returns whether it was live.
bool revoke_session(pg_connection& conn, const std::string& token_hash_hex);
/// Revokes every session of a user.
void revoke_user_sessions(pg_connection& conn, const std::string& user_id);

}  // namespace billd
