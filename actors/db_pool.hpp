#pragma once
// db-pool: owns N db-conn actors, a bounded wait queue, deadline-aware dispatch and the
// PostgreSQL circuit breaker. A full queue refuses at once (overloaded); a task whose deadline
// passed is dropped, not run; a connection that dies mid-task answers its caller
// outcome_unknown (writes) at once. It answers every request it holds, also when it stops, when
// a running read outlives its deadline and when work makes no progress (a hung connection), so
// callers need no CAF request timeout. The breaker records only execution on a connection (never
// time in the queue, so overload alone cannot open it); while it is open every task is refused
// at once with the seconds until its next probe.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/db_conn.hpp"
#include "actors/db_task.hpp"
#include "actors/figures.hpp"
#include "actors/messages.hpp"
#include "config/settings.hpp"

namespace billd {

/// The pool's interface: run a task; report busy/idle/waiting; list connections (tests, ops).
using db_pool_actor = caf::typed_actor<
    caf::replies_to<run_atom, db_task_ptr>::with<db_outcome>,
    caf::replies_to<stats_atom>::with<std::uint32_t, std::uint32_t, std::uint32_t, std::uint64_t>,
    caf::replies_to<conns_atom>::with<std::vector<caf::actor>>,
    caf::reacts_to<restart_atom, std::uint64_t>, caf::reacts_to<tick_atom, std::uint64_t>,
    caf::replies_to<metrics_atom>::with<figures_ptr>>;

/// Pool size, queue bound and connection settings.
struct db_pool_config {
  std::uint32_t size = 8;
  std::uint32_t max_waiting = 1024;
  db_conn_config conn;
  breaker_settings breaker;
  std::uint32_t slow_keep = 20;  // slow statements kept for /api/v1/metrics/database
  /// Most grouped writes one transaction carries (1: every write commits alone).
  std::uint32_t group_commit_max = 16;
  /// Hung connections replaced while their threads are still stranded (db.max_stranded);
  /// 0: a hung connection waits for its work.
  std::uint32_t max_stranded = 4;
  supervisor_settings restarts;
  /// Called each time a db-conn is restarted (the monitor counts restarts).
  std::function<void(const std::string&)> on_restart;
};

/// Spawns the pool and its connections.
db_pool_actor spawn_db_pool(caf::actor_system& sys, const db_pool_config& cfg);

}  // namespace billd
