// The db-pool's bounds against a real PostgreSQL: a full wait queue refuses at once, a task
// whose deadline passed is dropped, not run, work stuck past its deadline is answered and its
// connection replaced (up to db.max_stranded), and a pool that stops answers every request it
// holds (callers send it no CAF request timeout).
#define CAF_SUITE db_pool
#include <utility>

#include <csignal>
#include <future>
#include <thread>

#include <signal.h>
#include <sys/types.h>

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
  /// Replaces the pool with one of a single connection and these bounds, connected.
  void respawn(std::chrono::milliseconds statement_timeout,
               std::chrono::milliseconds connect_timeout, std::uint32_t max_stranded = 4) {
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    db_pool_config pc;
    pc.size = 1;
    pc.conn.conninfo = test::test_cluster::instance().create_database();
    pc.conn.statement_timeout = statement_timeout;
    pc.conn.connect_timeout = connect_timeout;
    pc.max_stranded = max_stranded;
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
  /// Waits until `n` db-conn threads are stranded (as generously as await_load).
  std::uint32_t await_stranded(std::uint32_t n) {
    for (int i = 0; i < 3000 && stranded_db_conn_workers() != n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    return stranded_db_conn_workers();
  }
  /// Runs a task that only records that it ran; its outcome.
  db_outcome run_plain(std::chrono::milliseconds budget = 30s) {
    auto ran = std::make_shared<std::atomic<bool>>(false);
    auto out =
        test::run_on_pool(sys, pool, make_db_task([ran](pg_connection&) { *ran = true; }, budget))
            .get();
    CAF_CHECK_EQUAL(out.code == db_outcome_code::ok, ran->load());
    return out;
  }
};

/// A PostgreSQL backend stopped with SIGSTOP (a hung server process), continued at the latest
/// when this goes out of scope, so a failed check cannot leave it stopped.
struct stopped_backend {
  pid_t pid;
  explicit stopped_backend(pid_t p) : pid(p) { CAF_REQUIRE_EQUAL(::kill(pid, SIGSTOP), 0); }
  void resume() {
    if (pid != 0) ::kill(pid, SIGCONT);
    pid = 0;
  }
  ~stopped_backend() { resume(); }
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

CAF_TEST(stuck_work_is_answered_and_with_no_strands_allowed_its_connection_waits_for_it) {
  // No progress (a task start, a round trip) for max(statement timeout, libpq's connect
  // time of at least 2 s) + 1 s = 3 s: stuck, whatever its deadline.
  respawn(100ms, 100ms, 0);
  auto [write, finished] = gated(true, 60s);
  auto stuck = test::run_on_pool(sys, pool, write).get();
  CAF_CHECK_EQUAL(static_cast<int>(stuck.code), static_cast<int>(db_outcome_code::outcome_unknown));
  CAF_CHECK_EQUAL(stuck.message, "the database connection is stuck");
  CAF_CHECK(!*finished);
  // db.max_stranded = 0: the connection is still taken, the next task waits for the stuck one.
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

CAF_TEST(a_stuck_connection_is_replaced_while_few_threads_are_stranded) {
  respawn(100ms, 100ms, 1);
  auto [first, first_done] = gated(true, 60s);
  auto stuck = test::run_on_pool(sys, pool, first).get();
  CAF_CHECK_EQUAL(stuck.message, "the database connection is stuck");
  // A fresh connection runs the next task while the stuck one still blocks its thread.
  CAF_CHECK_EQUAL(static_cast<int>(run_plain().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK_EQUAL(await_stranded(1), 1u);
  CAF_CHECK(!*first_done);
  // At db.max_stranded the next stuck connection is not replaced: work waits for it.
  auto [second, second_done] = gated(true, 60s);
  auto stuck_again = test::run_on_pool(sys, pool, second).get();
  CAF_CHECK_EQUAL(stuck_again.message, "the database connection is stuck");
  auto next = test::run_on_pool(sys, pool, make_db_task([](pg_connection&) {}));
  CAF_CHECK(await_load({1, 1}) == (load{1, 1}));
  open_gate();
  CAF_CHECK_EQUAL(static_cast<int>(next.get().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK(*second_done);
  // The stranded thread ends once its work returns.
  CAF_CHECK_EQUAL(await_stranded(0), 0u);
  CAF_CHECK(*first_done);
}

CAF_TEST(a_read_answered_at_its_deadline_is_replaced_once_it_is_stuck) {
  respawn(100ms, 100ms, 1);
  auto [read, finished] = gated(false, 500ms);
  auto late = test::run_on_pool(sys, pool, read).get();
  CAF_CHECK_EQUAL(static_cast<int>(late.code), static_cast<int>(db_outcome_code::deadline_passed));
  // The connection is held until the read is stuck too (3 s), then replaced.
  CAF_CHECK_EQUAL(static_cast<int>(run_plain().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK_EQUAL(await_stranded(1), 1u);
  CAF_CHECK(!*finished);
  open_gate();
  CAF_CHECK_EQUAL(await_stranded(0), 0u);
}

CAF_TEST(a_hung_backend_is_replaced_and_its_statement_cancelled) {
  // A backend that stops answering mid-transaction over a Unix socket: no keepalive or
  // statement timeout reaches it (the server's own timer cannot fire in a stopped process).
  // The statement timeout is 1 s, not shorter: under a loaded CI run one pg_sleep(0.01) of
  // the loop took over 100 ms and was cancelled before the backend was stopped, so the task
  // failed at once instead of getting stuck. The stuck threshold is 3 s either way.
  respawn(1s, 100ms, 1);
  auto pid = std::make_shared<std::atomic<pid_t>>(0);
  auto error = std::make_shared<std::string>();
  auto loops = std::make_shared<std::atomic<int>>(0);
  auto task = make_db_task(
      [pid, error, loops](pg_connection& c) {
        *pid = static_cast<pid_t>(std::stoi(c.exec("SELECT pg_backend_pid()").str(0, 0)));
        try {
          for (; *loops < 3000; ++*loops) c.exec("SELECT pg_sleep(0.01)");
        } catch (const db_error& e) {
          *error = e.what();
          throw;
        }
      },
      60s);
  task->write = true;
  auto answer = test::run_on_pool(sys, pool, task);
  for (int i = 0; i < 3000 && *pid == 0; ++i) std::this_thread::sleep_for(10ms);
  CAF_REQUIRE_NOT_EQUAL(pid->load(), 0);
  stopped_backend backend{pid->load()};
  auto stuck = answer.get();
  CAF_CHECK_EQUAL(static_cast<int>(stuck.code), static_cast<int>(db_outcome_code::outcome_unknown));
  CAF_CHECK_EQUAL(stuck.message, "the database connection is stuck");
  CAF_CHECK_EQUAL(static_cast<int>(run_plain().code), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK_EQUAL(await_stranded(1), 1u);
  // Continued, the backend takes the cancel (or its own statement timeout) that waited for it:
  // the statement fails, the loop stops short and the stranded thread ends.
  backend.resume();
  CAF_CHECK_EQUAL(await_stranded(0), 0u);
  CAF_CHECK(loops->load() < 3000);
  CAF_CHECK_NOT_EQUAL(error->find("canceling statement"), std::string::npos);
}

CAF_TEST(a_canceller_stops_a_running_statement_from_another_thread) {
  pg_connection conn{test::test_cluster::instance().create_database(), 5s, 60s};
  auto canceller = conn.canceller();
  std::atomic<bool> done{false};
  std::string error;
  std::thread runner{[&] {
    try {
      conn.exec("SELECT pg_sleep(60)");
    } catch (const db_error& e) {
      error = e.what();
    }
    done = true;
  }};
  // A cancel that comes before the statement does nothing; send until one lands.
  for (int i = 0; i < 600 && !done; ++i) {
    std::this_thread::sleep_for(100ms);
    canceller.cancel();
  }
  runner.join();
  CAF_CHECK_NOT_EQUAL(error.find("canceling statement due to user request"), std::string::npos);
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
