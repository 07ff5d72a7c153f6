#pragma once
// Calls to a db-pool from test threads: build a task, run it from its own thread (so several
// can wait at the pool at once), read the pool's load.

#include <chrono>
#include <functional>
#include <future>
#include <utility>

#include "actors/db_pool.hpp"

namespace billd::test {

/// A task named "test" with `body` and a deadline `budget` from now.
db_task_ptr make_db_task(std::function<void(pg_connection&)> body,
                         std::chrono::milliseconds budget = std::chrono::seconds{30});

/// Runs `task` at `pool` from a new thread; the pool's outcome, or outcome_unknown with a
/// message starting "no answer:" when the request itself failed or got no answer in 60 s (so a
/// lost answer never reads as success).
std::future<db_outcome> run_on_pool(caf::actor_system& sys, const db_pool_actor& pool,
                                    db_task_ptr task);

/// The pool's connections busy and tasks waiting.
std::pair<std::uint32_t, std::uint32_t> pool_load(caf::actor_system& sys,
                                                  const db_pool_actor& pool);

}  // namespace billd::test
