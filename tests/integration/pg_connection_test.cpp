// pg_connection against a real PostgreSQL: BEGIN travelling with the first statement, and
// pipelines (several statements, one round trip, each one's rows) that succeed, fail part-way
// and prepare.
#define CAF_SUITE pg_connection
#include <utility>

#include <libpq-fe.h>

#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_database.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

const pg_statement insert_stmt{"t_insert", "INSERT INTO t (n) VALUES ($1::int)"};
const pg_statement count_stmt{"t_count", "SELECT count(*), coalesce(sum(n), 0) FROM t"};

struct fixture {
  std::string url = test_cluster::instance().create_database();
  pg_connection conn{url, 5s, 5s};
  pg_connection other{url, 5s, 5s};  // sees only what conn committed

  fixture() { conn.exec("CREATE TABLE t (n int NOT NULL CHECK (n > 0))"); }

  std::int64_t committed_rows() { return other.run(count_stmt, {}).int64(0, 0); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(pg_connection_tests, fixture)

CAF_TEST(begin_goes_out_with_the_first_statement_and_a_rollback_undoes_it) {
  conn.begin();
  conn.run(insert_stmt, {"1"});
  CAF_CHECK_EQUAL(committed_rows(), 0);  // inside a transaction: not visible yet
  conn.rollback_quietly();
  CAF_CHECK_EQUAL(committed_rows(), 0);
  conn.begin();
  conn.exec("INSERT INTO t (n) VALUES (2)");  // a simple query carries it too
  conn.commit();
  CAF_CHECK_EQUAL(committed_rows(), 1);
  conn.begin();  // nothing ran: nothing to commit, and the connection stays usable
  conn.commit();
  conn.begin();
  conn.rollback_quietly();
  CAF_CHECK_EQUAL(conn.run(count_stmt, {}).int64(0, 0), 1);
}

CAF_TEST(a_pipeline_runs_its_statements_in_order_and_prepares_on_the_way) {
  pg_pipeline p;
  for (int i = 1; i <= 5; ++i) p.add(insert_stmt, {std::to_string(i)});
  p.add(count_stmt, {});
  conn.begin();
  auto each = conn.run(p);
  conn.commit();
  // Each statement's own rows, in order: neither BEGIN's nor the PREPAREs' results among them.
  CAF_REQUIRE_EQUAL(each.size(), 6u);
  for (std::size_t i = 0; i < 5; ++i) CAF_CHECK_EQUAL(each[i].affected(), 1);
  CAF_CHECK_EQUAL(each[5].int64(0, 0), 5);  // the count sees the inserts before it
  auto rows = other.run(count_stmt, {});
  CAF_CHECK_EQUAL(rows.int64(0, 0), 5);
  CAF_CHECK_EQUAL(rows.int64(0, 1), 15);
  // Prepared during the pipeline: the plain path finds them prepared.
  CAF_CHECK_EQUAL(conn.run(insert_stmt, {"6"}).affected(), 1);
  CAF_CHECK(conn.run(pg_pipeline{}).empty());  // an empty one sends nothing
}

CAF_TEST(a_failing_statement_stops_the_pipeline_and_the_connection_stays_usable) {
  pg_pipeline p;
  p.add(insert_stmt, {"1"});
  p.add(insert_stmt, {"-1"});  // breaks the check
  p.add(insert_stmt, {"3"});
  conn.begin();
  auto code = db_errc::other;
  try {
    conn.run(p);
    CAF_FAIL("the pipeline did not fail");
  } catch (const db_error& e) {
    code = e.code();
  }
  CAF_CHECK_EQUAL(static_cast<int>(code), static_cast<int>(db_errc::constraint_violation));
  conn.rollback_quietly();
  CAF_CHECK_EQUAL(committed_rows(), 0);
  CAF_CHECK(conn.healthy());
  // Out of pipeline mode, with the statements prepared before the failure still usable.
  conn.begin();
  conn.run(insert_stmt, {"4"});
  conn.commit();
  CAF_CHECK_EQUAL(committed_rows(), 1);
  // Outside a transaction a pipeline is one implicit transaction: nothing of it stands.
  pg_pipeline q;
  q.add(insert_stmt, {"5"});
  q.add(insert_stmt, {"0"});
  q.add(insert_stmt, {"6"});
  bool failed = false;
  try {
    conn.run(q);
  } catch (const db_error&) {
    failed = true;
  }
  CAF_CHECK(failed);
  auto rows = other.run(count_stmt, {});
  CAF_CHECK_EQUAL(rows.int64(0, 0), 1);
  CAF_CHECK_EQUAL(rows.int64(0, 1), 4);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// The value libpq uses for `keyword` on conn (empty when unset).
std::string option_of(pg_connection& conn, std::string_view keyword) {
  std::string out;
  PQconninfoOption* options = PQconninfo(conn.raw());
  for (auto* o = options; o != nullptr && o->keyword != nullptr; ++o)
    if (keyword == o->keyword && o->val != nullptr) out = o->val;
  PQconninfoFree(options);
  return out;
}

}  // namespace

CAF_TEST(connections_carry_tcp_keepalives_and_a_user_timeout_unless_the_url_says_otherwise) {
  auto url = test_cluster::instance().create_database();
  pg_connection plain{url, 5s, 3s};
  CAF_CHECK_EQUAL(option_of(plain, "keepalives"), "1");
  CAF_CHECK_EQUAL(option_of(plain, "keepalives_idle"), "10");
  CAF_CHECK_EQUAL(option_of(plain, "tcp_user_timeout"), "8000");  // statement + connect
  CAF_CHECK_EQUAL(option_of(plain, "application_name"), "billd");
  pg_connection tuned{url + " keepalives=0 tcp_user_timeout=1234", 5s, 3s};
  CAF_CHECK_EQUAL(option_of(tuned, "keepalives"), "0");
  CAF_CHECK_EQUAL(option_of(tuned, "tcp_user_timeout"), "1234");
}
