// The db-pool's bounds against a real PostgreSQL: a full wait queue refuses at once, a task
// whose deadline passed is dropped, not run, work stuck past its deadline is answered, and a
// pool that stops answers every request it holds (callers send it no CAF request timeout).
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
  std::promise<void> release;  // opens `gate`
  std::shared_future<void> gate = release.get_future().share();
  bool released = false;

  fixture() {
    db_pool_config pc;
    pc.size = 1;
    pc.max_waiting = 2;
    pc.conn.conninfo = test::test_cluster::instance().create_database();
    pool = spawn_db_pool(sys, pc);
  }
  ~fixture() {
    open_gate();  // no connection thread may stay blocked on it
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  }
  void open_gate() {
    if (!released) release.set_value();
    released = true;
  }
  /// A write that holds the connection until the gate opens; `finished` is set as it returns.
  db_task_ptr gated_write(std::atomic<bool>& finished, std::chrono::milliseconds budget) {
    auto task = make_db_task(
        [g = gate, &finished](pg_connection& c) {
          c.exec("SELECT 1");
          g.wait();
          finished = true;
        },
        budget);
    task->write = true;
    return task;
  }
  /// Waits until the pool reports (busy, waiting) = want (generously: under a parallel ctest
  /// run on two cores, connecting has taken seconds; this is not a timing check).
  std::pair<std::uint32_t, std::uint32_t> await_load(std::pair<std::uint32_t, std::uint32_t> want) {
    auto now = test::pool_load(sys, pool);
    for (int i = 0; i < 3000 && now != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
      now = test::pool_load(sys, pool);
    }
    return now;
  }
};

using load = std::pair<std::uint32_t, std::uint32_t>;

}  // namespace

CAF_TEST_FIXTURE_SCOPE(db_pool_tests, fixture)

CAF_TEST(a_full_wait_queue_refuses_at_once_and_the_rest_complete) {
  std::atomic<int> ran{0};
  auto run_async = [this](db_task_ptr task) { return test::run_on_pool(sys, pool, task); };
  auto stats = [this] { return test::pool_load(sys, pool); };
  std::vector<std::future<db_outcome>> admitted;
  admitted.push_back(run_async(make_db_task([g = gate, &ran](pg_connection& c) {
    c.exec("SELECT 1");
    g.wait();
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
  open_gate();
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

CAF_TEST(a_pool_that_stops_answers_the_work_it_runs_and_the_work_it_queues) {
  std::atomic<bool> finished{false};
  auto running = test::run_on_pool(sys, pool, gated_write(finished, 30s));
  CAF_REQUIRE(await_load({1, 0}) == (load{1, 0}));
  auto queued = test::run_on_pool(sys, pool, make_db_task([](pg_connection&) {}));
  CAF_REQUIRE(await_load({1, 1}) == (load{1, 1}));
  caf::anon_send_exit(pool, caf::exit_reason::kill);
  // Both callers hear from the pool itself, not from a timeout of their own.
  auto ran = running.get();
  CAF_CHECK_EQUAL(static_cast<int>(ran.code), static_cast<int>(db_outcome_code::outcome_unknown));
  CAF_CHECK_EQUAL(ran.message, "db-pool stopped");
  auto waited = queued.get();
  CAF_CHECK_EQUAL(static_cast<int>(waited.code), static_cast<int>(db_outcome_code::overloaded));
  CAF_CHECK_EQUAL(waited.message, "db-pool stopped");
  CAF_CHECK(!finished);  // answered while the write still ran
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(work_stuck_past_its_deadline_is_answered_and_its_connection_waits_for_it) {
  // A statement timeout of 100 ms: work still running 100 ms after its deadline is stuck
  // (the body blocks in C++, where PostgreSQL's statement_timeout cannot reach it).
  fixture f;
  db_pool_config pc;
  pc.size = 1;
  pc.conn.conninfo = test::test_cluster::instance().create_database();
  pc.conn.statement_timeout = 100ms;
  caf::anon_send_exit(f.pool, caf::exit_reason::user_shutdown);
  f.pool = spawn_db_pool(f.sys, pc);
  // Connected first, so the stuck write is dispatched well before its deadline.
  CAF_REQUIRE_EQUAL(
      static_cast<int>(test::run_on_pool(f.sys, f.pool,
                                         make_db_task([](pg_connection& c) { c.exec("SELECT 1"); }))
                           .get()
                           .code),
      static_cast<int>(db_outcome_code::ok));
  std::atomic<bool> finished{false};
  auto stuck = test::run_on_pool(f.sys, f.pool, f.gated_write(finished, 1s)).get();
  CAF_CHECK_EQUAL(static_cast<int>(stuck.code), static_cast<int>(db_outcome_code::outcome_unknown));
  CAF_CHECK_EQUAL(stuck.message, "statement stuck past its deadline");
  CAF_CHECK(!finished);
  // The connection is still taken: the next task waits for the stuck one to return.
  std::atomic<bool> next_ran{false};
  auto next = test::run_on_pool(f.sys, f.pool,
                                make_db_task([&next_ran](pg_connection&) { next_ran = true; }));
  CAF_CHECK(f.await_load({1, 1}) == (load{1, 1}));
  CAF_CHECK(!next_ran);
  f.open_gate();
  CAF_CHECK_EQUAL(static_cast<int>(next.get().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK(next_ran);
  CAF_CHECK(finished);
}
