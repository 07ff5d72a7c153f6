// Sealing the audit log against a real PostgreSQL: a checkpoint covers exactly the ids up to
// its bound, whatever the order of the rows' transaction start times, and leaves a row whose
// transaction is still open for a later checkpoint.
#define CAF_SUITE audit_seal
#include <atomic>
#include <thread>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "storage/audit_store.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/migrated_database.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

struct fixture : migrated_database {
  pg_connection other{url, 5s, 5s};

  static void audit(pg_connection& c, const char* entity) {
    record_audit(c, "bill", entity, "update", "usr_X", R"({"status":{"before":"a","after":"b"}})");
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(audit_seal_tests, fixture)

CAF_TEST(a_younger_transactions_smaller_id_is_sealed_with_the_older_ones_larger_id) {
  // The older transaction starts first (its rows' `at`) but draws its id last: the checkpoint
  // goes by ids (the old sealer went by `at` and needed a cutoff between the two to break).
  other.begin();
  other.exec("SELECT 1");  // BEGIN travels with the first statement: the transaction starts here
  std::this_thread::sleep_for(20ms);
  conn.begin();
  audit(conn, "bil_young");
  conn.commit();
  audit(other, "bil_old");
  other.commit();
  auto order = conn.exec(
      "SELECT string_agg(entity_id, ',' ORDER BY id), string_agg(entity_id, ',' ORDER BY at)"
      " FROM audit_log");
  CAF_REQUIRE_EQUAL(order.str(0, 0), "bil_young,bil_old");
  CAF_REQUIRE_EQUAL(order.str(0, 1), "bil_old,bil_young");
  CAF_CHECK_EQUAL(seal_audit(conn, audit_ids_drawn(conn)), 2);
  auto verdict = verify_audit(conn);
  CAF_CHECK(!verdict.broken);
  CAF_CHECK_EQUAL(verdict.checkpoints, 1);
}

CAF_TEST(rows_past_the_bound_and_the_bound_of_an_open_transaction_wait) {
  conn.begin();
  audit(conn, "bil_1");
  conn.commit();
  auto before_open = audit_ids_drawn(conn);  // id 1, read before `other` began
  other.begin();
  audit(other, "bil_open");  // id 2: drawn, not committed
  conn.begin();
  audit(conn, "bil_3");  // id 3: committed
  conn.commit();
  auto with_open = audit_ids_drawn(conn);
  CAF_CHECK_EQUAL(with_open.id, 3);
  // Up to id 1 only, though id 3 is committed and visible.
  CAF_CHECK_EQUAL(seal_audit(conn, before_open), 1);
  // `other` began before this bound was read and is still open: nothing is sealed.
  CAF_CHECK(!audit_seal_held_back(conn, before_open));
  CAF_CHECK(audit_seal_held_back(conn, with_open));
  CAF_CHECK_EQUAL(seal_audit(conn, with_open), 0);
  other.commit();
  CAF_CHECK(!audit_seal_held_back(conn, with_open));
  CAF_CHECK_EQUAL(seal_audit(conn, with_open), 2);
  auto verdict = verify_audit(conn);
  CAF_CHECK(!verdict.broken);
  CAF_CHECK_EQUAL(verdict.rows, 3);
  CAF_CHECK_EQUAL(verdict.checkpoints, 2);
}

CAF_TEST(a_backlog_is_sealed_over_several_checkpoints_of_at_most_ids_max) {
  conn.exec(
      "INSERT INTO audit_log (entity_type, entity_id, action, actor, at, changes, prev_hash, hash)"
      " SELECT 'bill', 'bil_' || n, 'create', 'usr_X', now(), '{}', NULL,"
      "        audit_row_hash(NULL, 'bill', 'bil_' || n, 'create', 'usr_X', now(), '{}')"
      " FROM generate_series(1, 2500) n");
  auto bound = audit_ids_drawn(conn);
  CAF_CHECK_EQUAL(seal_audit(conn, bound, 1000), 1000);
  CAF_CHECK_EQUAL(seal_audit(conn, bound, 1000), 1000);
  CAF_CHECK_EQUAL(seal_audit(conn, bound, 1000), 500);
  CAF_CHECK_EQUAL(seal_audit(conn, bound, 1000), 0);
  auto verdict = verify_audit(conn);
  CAF_CHECK(!verdict.broken);
  CAF_CHECK_EQUAL(verdict.checkpoints, 3);
}

CAF_TEST_FIXTURE_SCOPE_END()

// Sealing by the rows' `at` broke this: with 64 connections creating bills, the first
// checkpoint of a fresh billd failed verification (rows inside its id range left out of it).
CAF_TEST(checkpoints_sealed_while_bills_are_created_concurrently_verify) {
  test_server server([](settings& s) {
    s.audit.seal_after = std::chrono::seconds{1};
    s.audit.seal_interval = 100ms;
  });
  auto token = server.admin_token();
  std::atomic<int> created{0};
  auto until = std::chrono::steady_clock::now() + 3s;
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w)
    writers.emplace_back([&] {
      while (std::chrono::steady_clock::now() < until)
        if (server.call(authed(token, "POST", "/api/v1/bills", bill_body())).status == 201)
          ++created;
    });
  for (auto& w : writers) w.join();
  std::this_thread::sleep_for(2500ms);  // the settle time, a round and its statement
  pg_connection check{server.cfg().db.url, 5s, 5s};
  auto verdict = verify_audit(check);
  CAF_MESSAGE(created.load() << " bills, " << verdict.rows << " audit rows, " << verdict.checkpoints
                             << " checkpoints");
  CAF_CHECK(!verdict.broken);
  if (verdict.broken) CAF_MESSAGE(verdict.broken->where << ": " << verdict.broken->why);
  CAF_CHECK_GREATER(verdict.checkpoints, 1);
  CAF_CHECK_GREATER(created.load(), 100);
  // Sealing caught up: the newest checkpoint ends at the last row.
  auto ends = check.exec(
      "SELECT (SELECT max(last_id) FROM audit_checkpoints) = (SELECT max(id) FROM audit_log)");
  CAF_CHECK(ends.boolean(0, 0));
}

// A transaction left open holds the seal back; operators see for how long on /metrics, and the
// figure drops to 0 once the transaction ends.
CAF_TEST(metrics_say_how_long_an_open_transaction_has_held_the_seal_back) {
  test_server server([](settings& s) {
    s.audit.seal_after = std::chrono::seconds{1};
    s.audit.seal_interval = 100ms;
  });
  auto held_back = [&] {
    auto body = server.call(http_call{"GET", "/metrics"}).body;
    auto at = body.find("\nbilld_audit_seal_held_back_seconds");
    if (at == std::string::npos) return -1.0;
    return std::stod(body.substr(body.find(' ', at) + 1));
  };
  // Waits (at most 15 s) until the figure meets `done`; its last value.
  auto wait_for = [&](auto done) {
    auto until = std::chrono::steady_clock::now() + 15s;
    auto seen = held_back();
    while (!done(seen) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(100ms);
      seen = held_back();
    }
    return seen;
  };
  CAF_CHECK_EQUAL(held_back(), 0.0);
  pg_connection open{server.cfg().db.url, 5s, 5s};
  open.exec("BEGIN");
  open.exec("SELECT 1");
  CAF_CHECK_GREATER(wait_for([](double s) { return s > 0; }), 0.0);
  open.exec("COMMIT");
  CAF_CHECK_EQUAL(wait_for([](double s) { return s == 0; }), 0.0);
}
