#pragma once
// Runs a storage function on the db-pool from any actor and continues on that actor's thread.
// The one way actors reach PostgreSQL: no actor blocks on libpq.

#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "actors/actor_slot.hpp"
#include "actors/db_pool.hpp"

namespace billd {

/// How a task queues at the db-pool (the fields of db_task of the same names).
struct db_queueing {
  bool urgent = false;    // health probes only: ahead of other work, exempt from db.max_waiting
  bool grouped = false;   // a write that may share a group-commit transaction
  std::string group_key;  // what it locks first

  static db_queueing urgent_probe() {
    db_queueing q;
    q.urgent = true;
    return q;
  }
  static db_queueing grouped_write(std::string lock_key) {
    db_queueing q;
    q.grouped = true;
    q.group_key = std::move(lock_key);
    return q;
  }
};

/// A db_outcome for a request that never reached a connection.
inline db_outcome not_dispatched(std::string why) {
  db_outcome out;
  out.code = db_outcome_code::overloaded;
  out.message = std::move(why);
  return out;
}

/// Calls `body(pg_connection&) -> T` on a pooled connection (request_id, when given, is named
/// in the connection's log lines about the statement), then
/// `done(const db_outcome&, std::optional<T>&&)` on self's thread (value set when ok).
/// `timeout` sets the task's deadline: past it the pool drops the task unrun and answers a
/// running read; a write gets its real outcome unless it stops making progress (a hung
/// connection: outcome_unknown). The request itself
/// carries no CAF timeout: the pool answers everything it holds, also when it stops (a CAF
/// timeout would fire for every call, answered or not, and could answer a write before its
/// real outcome arrived). `queueing` says how the task waits (db_queueing).
template <class T, class Self, class Body, class Done>
void db_call(Self* self, const slot_ptr<db_pool_actor>& pool, std::string name, bool write,
             std::chrono::milliseconds timeout, Body body, Done done, std::string request_id = {},
             db_queueing queueing = {}) {
  auto result = std::make_shared<std::optional<T>>();
  auto task = std::make_shared<db_task>();
  task->name = std::move(name);
  task->write = write;
  task->request_id = std::move(request_id);
  task->deadline = std::chrono::steady_clock::now() + timeout;
  task->urgent = queueing.urgent;
  task->grouped = queueing.grouped;
  task->group_key = std::move(queueing.group_key);
  task->body = [result, body = std::move(body)](pg_connection& conn) { *result = body(conn); };
  auto handle = pool->get();
  if (!handle) {
    done(not_dispatched("db-pool is restarting"), std::optional<T>{});
    return;
  }
  self->request(handle, caf::infinite, run_atom::value, std::move(task))
      .then(
          [result, done](db_outcome& outcome) mutable {
            done(outcome,
                 outcome.code == db_outcome_code::ok ? std::move(*result) : std::optional<T>{});
          },
          [done, write](caf::error& err) mutable {
            // Still queued at a dead pool: nothing ran. Otherwise (no other error is expected,
            // since the pool answers what it holds) a write may have committed.
            db_outcome out;
            out.code = (err == caf::sec::request_receiver_down || !write)
                           ? db_outcome_code::overloaded
                           : db_outcome_code::outcome_unknown;
            out.message = caf::to_string(err);
            done(out, std::optional<T>{});
          });
}

}  // namespace billd
