// The db-pool's bounds against a real PostgreSQL: a full wait queue refuses at once, a task
// whose deadline passed is dropped, not run.
#define CAF_SUITE db_pool
#include <utility>

#include <future>
#include <thread>

#include "actors/db_pool.hpp"
#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/pool_calls.hpp"
#include "tests/support/test_database.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

using test::make_db_task;

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  db_pool_actor pool;
  fixture() {
    db_pool_config pc;
    pc.size = 1;
    pc.max_waiting = 2;
    pc.conn.conninfo = test::test_cluster::instance().create_database();
    pool = spawn_db_pool(sys, pc);
  }
  ~fixture() { caf::anon_send_exit(pool, caf::exit_reason::user_shutdown); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(db_pool_tests, fixture)

CAF_TEST(a_full_wait_queue_refuses_at_once_and_the_rest_complete) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<int> ran{0};
  auto run_async = [this](db_task_ptr task) { return test::run_on_pool(sys, pool, task); };
  auto stats = [this] { return test::pool_load(sys, pool); };
  // Waits until the pool reports (busy, waiting) = want (generously: under a parallel ctest
  // run on two cores, connecting has taken seconds; this is not a timing check).
  auto await_load = [&stats](std::pair<std::uint32_t, std::uint32_t> want) {
    for (int i = 0; i < 3000 && stats() != want; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  };
  std::vector<std::future<db_outcome>> admitted;
  admitted.push_back(run_async(make_db_task([gate, &ran](pg_connection& c) {
    c.exec("SELECT 1");
    gate.wait();
    ++ran;
  })));
  // The blocking task must hold the connection before the others are sent: each call runs on
  // a thread of its own, so they could otherwise reach the pool first and simply run.
  await_load({1, 0});
  CAF_REQUIRE(stats() == (std::pair<std::uint32_t, std::uint32_t>{1, 0}));
  for (int i = 0; i < 2; ++i)
    admitted.push_back(run_async(make_db_task([&ran](pg_connection& c) {
      c.exec("SELECT 1");
      ++ran;
    })));
  await_load({1, 2});
  CAF_REQUIRE(stats() == (std::pair<std::uint32_t, std::uint32_t>{1, 2}));
  // One running, two waiting: the next is refused without waiting for anything.
  auto refused = run_async(make_db_task([&ran](pg_connection&) { ++ran; })).get();
  CAF_CHECK_EQUAL(static_cast<int>(refused.code), static_cast<int>(db_outcome_code::overloaded));
  release.set_value();
  for (auto& f : admitted)
    CAF_CHECK_EQUAL(static_cast<int>(f.get().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK_EQUAL(ran.load(), 3);
}

CAF_TEST(a_task_whose_deadline_passed_is_dropped_not_run) {
  caf::scoped_actor self{sys};
  bool ran = false;
  auto late = make_db_task([&ran](pg_connection&) { ran = true; }, -1ms);
  self->request(pool, caf::infinite, run_atom::value, late)
      .receive(
          [](db_outcome& o) {
            CAF_CHECK_EQUAL(static_cast<int>(o.code),
                            static_cast<int>(db_outcome_code::deadline_passed));
          },
          [](caf::error& e) { CAF_FAIL("unexpected error " << caf::to_string(e)); });
  CAF_CHECK(!ran);
}

CAF_TEST(a_statement_error_comes_back_classified) {
  caf::scoped_actor self{sys};
  auto bad = make_db_task([](pg_connection& c) { c.exec("SELECT 1/0"); });
  self->request(pool, caf::infinite, run_atom::value, bad)
      .receive(
          [](db_outcome& o) {
            CAF_CHECK_EQUAL(static_cast<int>(o.code), static_cast<int>(db_outcome_code::failed));
            CAF_CHECK_EQUAL(static_cast<int>(o.error), static_cast<int>(db_errc::invalid_input));
          },
          [](caf::error& e) { CAF_FAIL("unexpected error " << caf::to_string(e)); });
}

CAF_TEST_FIXTURE_SCOPE_END()
