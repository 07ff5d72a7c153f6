// Group commit against a real PostgreSQL: queued writes share one transaction, each member
// keeps its own outcome (a failing one is undone alone), members with one lock key never share
// a batch; creates written together by a shard fall back to one by one when a row is refused;
// and through HTTP 1 000 concurrent creates with invalid ones among them lose nothing.
#define CAF_SUITE group_commit
#include <utility>

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "actors/billing_shard.hpp"
#include "actors/db_pool.hpp"
#include "app/server_internals.hpp"
#include "caf/test/unit_test.hpp"
#include "domain/ids.hpp"
#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/bill_drafts.hpp"
#include "tests/support/pool_calls.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

db_task_ptr make_task(std::function<void(pg_connection&)> body, bool grouped,
                      std::string key = {}) {
  auto t = make_db_task(std::move(body));
  t->write = true;
  t->grouped = grouped;
  t->group_key = std::move(key);
  return t;
}

/// Inserts row `id` in its own in_transaction, as every billing write does.
std::function<void(pg_connection&)> insert_row(int id) {
  return [id](pg_connection& c) {
    in_transaction(c, [&] {
      c.exec("INSERT INTO gc (id, tx) VALUES ($1, txid_current())", {std::to_string(id)});
    });
  };
}

struct pool_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::string conninfo = test_cluster::instance().create_database();
  db_pool_actor pool;
  pool_fixture() {
    pg_connection setup{conninfo, 5s, 5s};
    setup.exec("CREATE TABLE gc (id int PRIMARY KEY, tx bigint NOT NULL)");
    db_pool_config pc;
    pc.size = 1;  // one connection: everything queued behind the gate forms batches
    pc.max_waiting = 64;
    pc.group_commit_max = 16;
    pc.conn.conninfo = conninfo;
    pool = spawn_db_pool(sys, pc);
  }
  ~pool_fixture() { caf::anon_send_exit(pool, caf::exit_reason::user_shutdown); }

  std::future<db_outcome> run_async(db_task_ptr task) { return run_on_pool(sys, pool, task); }
  /// Connections busy, tasks waiting.
  std::pair<std::uint32_t, std::uint32_t> load() { return pool_load(sys, pool); }
  std::uint32_t waiting() { return load().second; }
  /// Starts a task that holds the one connection until `gate` opens.
  std::future<db_outcome> hold_connection(std::shared_future<void> gate) {
    auto held = run_async(make_task(
        [gate](pg_connection& c) {
          c.exec("SELECT 1");
          gate.wait();
        },
        false));
    for (int i = 0; i < 500 && load().first == 0; ++i) std::this_thread::sleep_for(10ms);
    CAF_REQUIRE_EQUAL(load().first, 1u);
    return held;
  }
  /// Row id -> the transaction that wrote it.
  std::map<int, std::string> rows() {
    pg_connection c{conninfo, 5s, 5s};
    std::map<int, std::string> out;
    auto r = c.exec("SELECT id, tx FROM gc");
    for (int i = 0; i < r.size(); ++i) out[static_cast<int>(r.int64(i, 0))] = r.str(i, 1);
    return out;
  }
};

int code(const db_outcome& o) { return static_cast<int>(o.code); }

}  // namespace

CAF_TEST_FIXTURE_SCOPE(group_commit_pool_tests, pool_fixture)

CAF_TEST(queued_writes_commit_together_and_a_failing_member_is_undone_alone) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto blocker = hold_connection(gate);
  // While the connection is held: ten good members, a member whose statement fails, a member
  // that fails inside in_transaction but answers anyway (as run_idempotent does), and a
  // member sharing its lock key with an earlier one.
  std::vector<std::future<db_outcome>> good;
  for (int id = 1; id <= 10; ++id)
    good.push_back(run_async(make_task(insert_row(id), true, id == 1 ? "k1" : "")));
  for (int i = 0; i < 500 && waiting() < 10; ++i) std::this_thread::sleep_for(10ms);
  auto failing = run_async(make_task(
      [](pg_connection& c) {
        in_transaction(c, [&] {
          c.exec("INSERT INTO gc (id, tx) VALUES (100, txid_current())");
          c.exec("SELECT 1/0");
        });
      },
      true));
  auto caught = run_async(make_task(
      [](pg_connection& c) {
        try {
          in_transaction(c, [&] {
            c.exec("INSERT INTO gc (id, tx) VALUES (200, txid_current())");
            throw std::runtime_error("refused after writing");
          });
        } catch (const std::runtime_error&) {
        }
      },
      true));
  auto same_key = run_async(make_task(insert_row(300), true, "k1"));
  for (int i = 0; i < 500 && waiting() < 13; ++i) std::this_thread::sleep_for(10ms);
  CAF_REQUIRE_EQUAL(waiting(), 13u);
  release.set_value();
  CAF_CHECK_EQUAL(code(blocker.get()), code(db_outcome{}));
  for (auto& f : good) CAF_CHECK_EQUAL(code(f.get()), static_cast<int>(db_outcome_code::ok));
  auto failed = failing.get();
  CAF_CHECK_EQUAL(code(failed), static_cast<int>(db_outcome_code::failed));
  CAF_CHECK_EQUAL(static_cast<int>(failed.error), static_cast<int>(db_errc::invalid_input));
  CAF_CHECK_EQUAL(code(caught.get()), static_cast<int>(db_outcome_code::ok));
  CAF_CHECK_EQUAL(code(same_key.get()), static_cast<int>(db_outcome_code::ok));
  auto written = rows();
  CAF_CHECK_EQUAL(written.count(100), 0u);  // the failing member's insert was undone
  CAF_CHECK_EQUAL(written.count(200), 0u);  // so was the one that failed and answered anyway
  CAF_REQUIRE_EQUAL(written.size(), 11u);
  std::set<std::string> batch_txs;
  for (int id = 1; id <= 10; ++id) batch_txs.insert(written[id]);
  CAF_CHECK_EQUAL(batch_txs.size(), 1u);  // ten writes, one transaction
  CAF_CHECK(written[300] != written[1]);  // the same lock key waited for the next transaction
}

CAF_TEST(a_batch_that_fails_as_a_whole_answers_every_member_and_commits_nothing) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto blocker = hold_connection(gate);
  std::vector<std::future<db_outcome>> members;
  for (int id = 1; id <= 3; ++id) members.push_back(run_async(make_task(insert_row(id), true)));
  // The server ends this session mid-batch: a dependency failure, so no member stands.
  members.push_back(run_async(make_task(
      [](pg_connection& c) { c.exec("SELECT pg_terminate_backend(pg_backend_pid())"); }, true)));
  for (int i = 0; i < 500 && waiting() < 4; ++i) std::this_thread::sleep_for(10ms);
  CAF_REQUIRE_EQUAL(waiting(), 4u);
  release.set_value();
  blocker.get();
  for (auto& f : members) {
    auto out = f.get();
    CAF_CHECK_EQUAL(code(out), static_cast<int>(db_outcome_code::failed));
    CAF_CHECK(is_dependency_failure(out.error));
  }
  CAF_CHECK(rows().empty());
}

CAF_TEST(array_parameters_carry_any_text_and_nulls_intact) {
  // insert_bills sends one text array per column: quotes, backslashes (alone, side by side,
  // first and last), braces, commas, newlines, "NULL" as text and real NULLs must all arrive
  // as they were.
  std::vector<std::optional<std::string>> items{"plain",       "a \"quoted\" word",
                                                "back\\slash", "{braces},commas",
                                                "line\nbreak", "NULL",
                                                std::nullopt,  "",
                                                "Zoë ✓",       "\\\"\"\\",
                                                "\"first",     "last\\"};
  pg_connection c{conninfo, 5s, 5s};
  auto rows = c.exec("SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n",
                     {pg_array(items)});
  CAF_REQUIRE_EQUAL(static_cast<std::size_t>(rows.size()), items.size());
  for (int i = 0; i < rows.size(); ++i)
    CAF_CHECK(rows.opt(i, 0) == items[static_cast<std::size_t>(i)]);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct http_fixture {
  // Two connections and many clients: creates queue at the pool and commit in batches. Two
  // billing shards (the default is one), so creates routed to different shards are covered.
  test_server server{[](settings& s) {
    s.db.pool_size = 2;
    s.billing.shards = 2;
  }};
  std::string token = server.user_token("clerk");

  double group_commits() { return scraped(server, "billd_db_group_commits_total"); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(group_commit_http_tests, http_fixture)

CAF_TEST(a_thousand_concurrent_creates_commit_every_valid_bill_and_refuse_each_invalid_one) {
  constexpr int total = 1000, clients = 50;
  auto invalid = [](int i) { return i % 7 == 3; };  // due in the past: refused by the insert
  std::atomic<int> next{0};
  std::vector<std::future<std::map<int, int>>> workers;
  for (int w = 0; w < clients; ++w)
    workers.push_back(std::async(std::launch::async, [&] {
      std::map<int, int> status_of;
      for (int i = next++; i < total; i = next++) {
        auto body = bill_body("10.00", "gc-" + std::to_string(i));
        if (invalid(i)) body.replace(body.find("2099-12-31"), 10, "2001-01-01");
        status_of[i] = server.call(authed(token, "POST", "/api/v1/bills", body)).status;
      }
      return status_of;
    }));
  int created = 0, refused = 0;
  for (auto& w : workers)
    for (auto [i, status] : w.get()) {
      CAF_CHECK_EQUAL(status, invalid(i) ? 422 : 201);
      (status == 201 ? created : refused) += 1;
    }
  CAF_CHECK_EQUAL(created + refused, total);
  // Every answered 201 is in the database exactly once, and nothing refused is.
  pg_connection conn{server.cfg().db.url, 5s, 5s};
  auto rows = conn.exec(
      "SELECT count(*), count(DISTINCT reference) FROM bills WHERE reference LIKE 'gc-%'");
  CAF_CHECK_EQUAL(rows.int64(0, 0), created);
  CAF_CHECK_EQUAL(rows.int64(0, 1), created);
  auto audits = conn.exec(
      "SELECT count(*) FROM audit_log a JOIN bills b ON b.id = a.entity_id"
      " WHERE b.reference LIKE 'gc-%' AND a.action = 'create'");
  CAF_CHECK_EQUAL(audits.int64(0, 0), created);
  auto jobs = conn.exec(
      "SELECT count(*) FROM jobs j JOIN bills b ON b.id = j.bill_id"
      " WHERE b.reference LIKE 'gc-%' AND j.kind = 'control_number'");
  CAF_CHECK_EQUAL(jobs.int64(0, 0), created);
  CAF_CHECK_GREATER(group_commits(), 0u);  // the creates did share transactions
}

CAF_TEST(a_create_batch_with_a_row_the_database_refuses_retries_each_alone) {
  // A draft HTTP validation would never pass (amount 0 breaks the bills check constraint),
  // sent straight to a shard with good ones: their shared statement fails, each is retried
  // alone, and only the bad one fails.
  pg_connection conn{server.cfg().db.url, 5s, 5s};
  auto user = conn.exec("SELECT id FROM users LIMIT 1").str(0, 0);
  auto shard = server.srv().parts().shards[0]->get();
  CAF_REQUIRE(shard);
  auto cmd = [&](std::int64_t amount, const std::string& ref) {
    auto d = valid_draft("batch", amount, civil_date{2099, 12, 31});
    d.reference = ref;
    return create_bill_cmd{new_id("bil"), d, user, {}};
  };
  caf::scoped_actor self{*server.srv().parts().sys};
  const std::vector<std::string> refs{"gcb-1", "gcb-bad", "gcb-2", "gcb-3"};
  for (const auto& ref : refs)
    self->send(shard, create_atom::value, cmd(ref == "gcb-bad" ? 0 : 1000, ref));
  int created = 0, refused = 0;
  for (std::size_t i = 0; i < refs.size(); ++i)
    self->receive([&](api_reply& r) { (r.kind == reply_kind::ok ? created : refused) += 1; },
                  caf::after(std::chrono::seconds{30}) >> [] { CAF_FAIL("no answer"); });
  CAF_CHECK_EQUAL(created, 3);
  CAF_CHECK_EQUAL(refused, 1);
  auto rows = conn.exec("SELECT reference FROM bills WHERE reference LIKE 'gcb-%' ORDER BY 1");
  CAF_REQUIRE_EQUAL(rows.size(), 3);
  CAF_CHECK_EQUAL(rows.str(0, 0), "gcb-1");
  CAF_CHECK_EQUAL(rows.str(1, 0), "gcb-2");
  CAF_CHECK_EQUAL(rows.str(2, 0), "gcb-3");
  // The first create went alone; the three behind it, the bad one among them, failed together.
  CAF_CHECK_EQUAL(scraped(server, R"(billd_billing_batch_retries_total{write="create"})"), 3);
}

CAF_TEST_FIXTURE_SCOPE_END()
