#pragma once
// One libpq connection with prepared statements. Blocking by design: each connection is driven
// by its own db-conn thread (docs/architecture.md says why), never by a CAF scheduler worker.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/db_error.hpp"

struct pg_conn;
struct pg_result;
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace billd {

/// A statement parameter in text format; nullopt is SQL NULL.
using pg_param = std::optional<std::string>;
using pg_params = std::vector<pg_param>;

/// The rows of one successful statement.
class pg_rows {
 public:
  explicit pg_rows(PGresult* res);
  pg_rows(pg_rows&&) noexcept;
  pg_rows& operator=(pg_rows&&) noexcept;
  ~pg_rows();
  int size() const;
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const;
  std::string_view text(int row, int col) const;
  std::string str(int row, int col) const { return std::string{text(row, col)}; }
  std::optional<std::string> opt(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  bool boolean(int row, int col) const;
  /// Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  PGresult* res_;
};

/// A named statement: prepared on first use on each connection.
struct pg_statement {
  const char* name;
  const char* sql;
};

/// Statements none of which needs another's rows to be sent, sent to the server together: one
/// round trip for all (libpq pipeline mode). They run in the order added, each seeing what
/// those before it did; the first that fails stops the rest. Outside a transaction they form
/// one implicit transaction: a failure undoes all of them.
class pg_pipeline {
 public:
  void add(const pg_statement& stmt, pg_params params) {
    entries_.push_back({&stmt, std::move(params)});
  }
  bool empty() const { return entries_.empty(); }

 private:
  friend class pg_connection;
  struct entry {
    const pg_statement* stmt;
    pg_params params;
  };
  std::vector<entry> entries_;
};

/// Cancels the statement a connection is running, from any thread and also after the
/// connection closed: it holds its own copy of the server's address and the backend's key.
/// cancel() blocks until the server takes the request (PQcancel has no timeout in libpq 15,
/// and a peer that accepts and never answers holds it for good), so never call it on an
/// actor thread.
class pg_canceller {
 public:
  pg_canceller() = default;
  explicit pg_canceller(std::shared_ptr<void> cancel) : cancel_(std::move(cancel)) {}
  void cancel() const;
  explicit operator bool() const { return cancel_ != nullptr; }

 private:
  std::shared_ptr<void> cancel_;  // PGcancel
};

/// One connection. Not thread-safe: one owner thread at a time.
class pg_connection {
 public:
  /// Connects (throws db_error connection_lost on failure) and sets the session up.
  pg_connection(const std::string& conninfo, std::chrono::milliseconds connect_timeout,
                std::chrono::milliseconds statement_timeout);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  /// Runs SQL text without parameters (may hold several statements).
  pg_rows exec(std::string_view sql);
  /// Runs a parameterised statement once (not prepared).
  pg_rows exec(const char* sql, const pg_params& params);
  /// Runs a named statement, preparing it on this connection first when needed.
  pg_rows run(const pg_statement& stmt, const pg_params& params);
  /// Runs every statement of `statements` in one round trip, preparing those this connection
  /// has not prepared in the same trip; throws the first failure as run() would. The rows of
  /// each statement, in the order added (none for an empty pipeline).
  std::vector<pg_rows> run(const pg_pipeline& statements);

  /// Opens a transaction. BEGIN goes out with the transaction's first statement, in the same
  /// round trip, so it costs no wait of its own.
  void begin() { begin_pending_ = true; }
  /// Commits (nothing to send when no statement ran since begin()).
  void commit();
  /// Rolls back, swallowing errors (used on failure paths).
  void rollback_quietly() noexcept;

  /// True while the connection is usable (an idle one is checked for a server that went away).
  bool healthy() const;
  /// What cancels this connection's running statement, from any thread (pg_canceller).
  pg_canceller canceller() const { return pg_canceller{cancel_}; }
  /// The libpq connection, for what this class does not wrap (COPY); a pending BEGIN is sent
  /// first.
  PGconn* raw();

  /// From now on, each round trip to the server first stores steady_clock's time since its
  /// epoch (in nanoseconds) in `stamp`, which another thread may read: work that has not
  /// started a round trip for longer than the statement timeout is stuck (actors/db_pool).
  void stamp_round_trips(std::shared_ptr<std::atomic<std::int64_t>> stamp) {
    stamp_ = std::move(stamp);
  }

  /// Group commit (actors/group_commit): while a batch owns the transaction, in_transaction
  /// runs its body inside the batch member's savepoint instead of BEGIN/COMMIT.
  bool grouped() const { return grouped_; }
  /// Set by in_transaction when its body failed inside a batch: the member must be undone
  /// even if a caller caught the failure and answered anyway.
  void mark_member_failed() { member_failed_ = true; }
  bool take_member_failed() { return std::exchange(member_failed_, false); }

 private:
  friend class group_scope;
  pg_rows check(PGresult* res, std::string_view what);
  void note_round_trip() const;
  /// Sends BEGIN (if pending) and the entries in one pipeline; the rows of each entry.
  std::vector<pg_rows> run_pipelined(const std::vector<pg_pipeline::entry>& entries);
  PGconn* conn_ = nullptr;
  std::shared_ptr<void> cancel_;  // PGcancel, created once: a canceller may outlive us
  std::unordered_set<std::string> prepared_;
  bool grouped_ = false;
  bool begin_pending_ = false;
  bool member_failed_ = false;
  std::shared_ptr<std::atomic<std::int64_t>> stamp_;
};

/// Marks a connection as running a group-commit batch for the scope's lifetime.
class group_scope {
 public:
  explicit group_scope(pg_connection& conn) : conn_(conn) { conn_.grouped_ = true; }
  ~group_scope() {
    conn_.grouped_ = false;
    conn_.member_failed_ = false;
  }
  group_scope(const group_scope&) = delete;
  group_scope& operator=(const group_scope&) = delete;

 private:
  pg_connection& conn_;
};

/// Runs fn inside BEGIN/COMMIT; rolls back and rethrows when fn throws. Inside a group-commit
/// batch it runs fn in the batch's transaction, and a throw undoes this member alone.
template <class F>
auto in_transaction(pg_connection& conn, F&& fn) -> decltype(fn()) {
  if (conn.grouped()) {
    // The batch owns the transaction; its savepoint for this member undoes a failure here.
    try {
      return fn();
    } catch (...) {
      conn.mark_member_failed();
      throw;
    }
  }
  conn.begin();
  try {
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      conn.commit();
    } else {
      auto result = fn();
      conn.commit();
      return result;
    }
  } catch (...) {
    conn.rollback_quietly();
    throw;
  }
}

}  // namespace billd
