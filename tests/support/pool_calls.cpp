#include "tests/support/pool_calls.hpp"

#include <caf/all.hpp>

namespace billd::test {

db_task_ptr make_db_task(std::function<void(pg_connection&)> body,
                         std::chrono::milliseconds budget) {
  auto t = std::make_shared<db_task>();
  t->name = "test";
  t->deadline = std::chrono::steady_clock::now() + budget;
  t->body = std::move(body);
  return t;
}

std::future<db_outcome> run_on_pool(caf::actor_system& sys, const db_pool_actor& pool,
                                    db_task_ptr task) {
  return std::async(std::launch::async, [&sys, pool, task] {
    caf::scoped_actor caller{sys};
    db_outcome out;
    out.code = db_outcome_code::outcome_unknown;
    // Bounded, so a pool that never answers fails the test instead of hanging it.
    caller->request(pool, std::chrono::seconds{60}, run_atom::value, task)
        .receive([&](db_outcome& o) { out = o; },
                 [&](caf::error& e) { out.message = "no answer: " + caf::to_string(e); });
    return out;
  });
}

std::pair<std::uint32_t, std::uint32_t> pool_load(caf::actor_system& sys,
                                                  const db_pool_actor& pool) {
  caf::scoped_actor caller{sys};
  std::pair<std::uint32_t, std::uint32_t> out;
  caller->request(pool, caf::infinite, stats_atom::value)
      .receive(
          [&](std::uint32_t, std::uint32_t busy, std::uint32_t waiting, std::uint64_t) {
            out = {busy, waiting};
          },
          [](caf::error&) {});
  return out;
}

}  // namespace billd::test
