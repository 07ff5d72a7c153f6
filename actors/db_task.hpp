#pragma once
// A unit of database work: a closure run on one pooled connection. It never leaves the node
// (the pool is local), so it is an allowed unsafe message type.

#include <caf/allowed_unsafe_message_type.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace billd {

class pg_connection;

/// Work for the db-pool. `body` throws db_error on failure; a write runs its own transaction.
struct db_task {
  std::string name;
  bool write = false;
  std::string request_id;  // of the HTTP request this serves, for log lines
  std::chrono::steady_clock::time_point deadline;
  /// Health probes: queued ahead of other work and exempt from db.max_waiting, so a queue
  /// that load filled never makes /health wait behind it or call the database down.
  bool urgent = false;
  /// Group commit: a write the pool may run in one transaction (one WAL flush) with other
  /// grouped writes, each under its own savepoint and with its own outcome. Its body must
  /// open its transaction with in_transaction, which then nests under the batch's savepoint.
  bool grouped = false;
  /// What the write locks first. Two tasks with the same key never share a batch (the later
  /// one runs after the earlier committed), and a batch runs its tasks in key order, so
  /// concurrent batches take their locks in one order.
  std::string group_key;
  std::function<void(pg_connection&)> body;
};

using db_task_ptr = std::shared_ptr<db_task>;

struct db_outcome;

/// Runs the task's body on conn and says how it went (the body's db_error, or any other
/// exception, becomes a failed outcome; nothing escapes).
db_outcome run_task_body(db_task& task, pg_connection& conn);

/// A task whose request deadline has passed is dropped before it runs: true then, with `out`
/// saying so.
bool past_deadline(const db_task& task, db_outcome& out);

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::db_task_ptr)
