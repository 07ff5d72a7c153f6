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
    // Gated tasks make no progress while they wait: far from being taken for stuck (61 s).
    pc.conn.statement_timeout = std::chrono::seconds{60};
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
  /// Replaces the pool with one of a single connection and these timeouts, connected.
  void respawn(std::chrono::milliseconds statement_timeout,
               std::chrono::milliseconds connect_timeout) {
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    db_pool_config pc;
    pc.size = 1;
    pc.conn.conninfo = test::test_cluster::instance().create_database();
    pc.conn.statement_timeout = statement_timeout;
    pc.conn.connect_timeout = connect_timeout;
    pool = spawn_db_pool(sys, pc);
    // Until connected: on two busy cores the first connect has taken longer than the short
    // stuck thresholds some tests set, which gives the first task up.
    auto code = db_outcome_code::outcome_unknown;
    for (int i = 0; i < 20 && code != db_outcome_code::ok; ++i) {
      auto warm = make_db_task([](pg_connection& c) { c.exec("SELECT 1"); });
      code = test::run_on_pool(sys, pool, warm).get().code;
    }
    CAF_REQUIRE_EQUAL(static_cast<int>(code), static_cast<int>(db_outcome_code::ok));
  }
  /// A task that holds the connection until the gate opens, in C++ (where PostgreSQL's
  /// statement timeout cannot reach it); the flag is set as it returns. The flag is shared:
  /// the connection's thread may return after the test body did.
  std::pair<db_task_ptr, std::shared_ptr<std::atomic<bool>>> gated(
      bool write, std::chrono::milliseconds budget) {
    auto finished = std::make_shared<std::atomic<bool>>(false);
    auto task = make_db_task(
        [g = gate, finished](pg_connection& c) {
          c.exec("SELECT 1");
          g.wait();
          *finished = true;
        },
        budget);
    task->write = write;
    return {task, finished};
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
  auto [write, finished] = gated(true, 30s);
  auto running = test::run_on_pool(sys, pool, write);
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
  CAF_CHECK(!*finished);  // answered while the write still ran
}

CAF_TEST(stuck_work_is_answered_and_its_connection_waits_for_it) {
  // No progress (a task start, a round trip) for max(statement timeout, libpq's connect
  // time of at least 2 s) + 1 s = 3 s: stuck, whatever its deadline.
  respawn(100ms, 100ms);
  auto [write, finished] = gated(true, 60s);
  auto stuck = test::run_on_pool(sys, pool, write).get();
  CAF_CHECK_EQUAL(static_cast<int>(stuck.code), static_cast<int>(db_outcome_code::outcome_unknown));
  CAF_CHECK_EQUAL(stuck.message, "the database connection is stuck");
  CAF_CHECK(!*finished);
  // The connection is still taken: the next task waits for the stuck one to return.
  auto next_ran = std::make_shared<std::atomic<bool>>(false);
  auto next =
      test::run_on_pool(sys, pool, make_db_task([next_ran](pg_connection&) { *next_ran = true; }));
  CAF_CHECK(await_load({1, 1}) == (load{1, 1}));
  CAF_CHECK(!*next_ran);
  open_gate();
  CAF_CHECK_EQUAL(static_cast<int>(next.get().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK(*next_ran);
  CAF_CHECK(*finished);
}

CAF_TEST(a_read_still_running_at_its_deadline_is_answered_then) {
  // Stuck only after 61 s: the read's deadline comes first.
  respawn(60s, 5s);
  auto [read, finished] = gated(false, 2s);
  auto late = test::run_on_pool(sys, pool, read).get();
  CAF_CHECK_EQUAL(static_cast<int>(late.code), static_cast<int>(db_outcome_code::deadline_passed));
  CAF_CHECK_EQUAL(late.message, "its deadline passed while it ran");
  CAF_CHECK(!*finished);
}

CAF_TEST(a_write_that_keeps_making_progress_gets_its_real_outcome_after_its_deadline) {
  // Five statements of 1 s each (5 s in all) against a deadline of 0.5 s and a stuck
  // threshold of max(1.5 s statement timeout, 2 s connect) + 1 s = 3 s: each statement is
  // progress, so the write is never given up.
  respawn(1500ms, 100ms);
  auto write = make_db_task(
      [](pg_connection& c) {
        for (int i = 0; i < 5; ++i) c.exec("SELECT pg_sleep(1)");
      },
      500ms);
  write->write = true;
  auto done = test::run_on_pool(sys, pool, write).get();
  CAF_CHECK_EQUAL(static_cast<int>(done.code), static_cast<int>(db_outcome_code::ok));
}

CAF_TEST_FIXTURE_SCOPE_END()
