#pragma once
// db-conn: one libpq connection driven by its own thread. The actor stays responsive while
// the thread blocks in libpq, so it can be stopped (and its statement cancelled) at any time.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "actors/atoms.hpp"
#include "actors/db_task.hpp"
#include "actors/messages.hpp"

namespace billd {

/// Runs one task at a time on its connection.
using db_conn_actor = caf::typed_actor<caf::replies_to<run_atom, db_task_ptr>::with<db_outcome>,
                                       caf::reacts_to<done_atom, std::uint64_t, db_outcome>>;

/// How a db-conn connects and what it logs.
struct db_conn_config {
  std::string conninfo;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds statement_timeout{5'000};
  std::chrono::milliseconds slow_query{100};
  /// Bumped by the pool when a statement lost its connection: the server probably went away
  /// (a restart, a failover), so every connection opened before reconnects on its next use
  /// instead of failing a statement of its own.
  std::shared_ptr<std::atomic<std::uint64_t>> epoch;
  /// When the running task last made progress (steady_clock nanoseconds): stamped as a task
  /// starts and at each round trip to the server (pg_connection::stamp_round_trips), read by
  /// the pool to tell stuck work from slow work. Null: not tracked.
  std::shared_ptr<std::atomic<std::int64_t>> progress;
};

/// Spawns a db-conn (its worker thread connects at once and reconnects on demand).
db_conn_actor spawn_db_conn(caf::actor_system& sys, const db_conn_config& cfg);

/// Worker threads whose db-conn stopped while they ran a statement (a hung connection the pool
/// replaced, or one running as the pool stopped): each keeps its thread and its server
/// connection until the statement returns. Process-wide, so a restarted pool sees them too.
std::uint32_t stranded_db_conn_workers();

/// Waits at most `limit` until every db-conn worker thread (which outlives its actor briefly)
/// has closed its connection and ended; false if some are still running. Called at exit.
bool await_db_conn_workers(std::chrono::milliseconds limit);

}  // namespace billd
