// New bills against a real PostgreSQL, on what migration 0015 relies on in place of the two
// foreign keys it dropped from the create path: a batch writes a control-number job and an
// audit row for each bill it wrote and for no other (a bill due in the past is not written,
// and nothing of it is), and bills and users cannot be deleted, so nothing that names one can
// be left naming nothing.
#define CAF_SUITE bill_store
#include <string>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "storage/bill_store.hpp"
#include "storage/db_error.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/bill_drafts.hpp"
#include "tests/support/migrated_database.hpp"

using namespace billd;
using namespace billd::test;

namespace {

struct fixture : migrated_database {
  fixture() { add_user("usr_test", "clerk"); }

  static new_bill draft_of(const std::string& id, civil_date due) {
    return {id, valid_draft("bill " + id, 1000, due), "usr_test"};
  }

  /// The SQLSTATE `sql` fails with ("" when it succeeds).
  std::string failure_of(const std::string& sql) {
    try {
      conn.exec(sql);
    } catch (const db_error& e) {
      return e.sqlstate();
    }
    return "";
  }

  std::int64_t count(const std::string& sql) { return conn.exec(sql).int64(0, 0); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(bill_store_tests, fixture)

CAF_TEST(a_batch_writes_a_job_and_an_audit_row_for_each_bill_it_wrote_and_no_other) {
  std::vector<new_bill> batch{draft_of("bil_a", {2999, 1, 1}), draft_of("bil_past", {2000, 1, 1}),
                              draft_of("bil_b", {2999, 1, 2})};
  auto written = in_transaction(conn, [&] { return insert_bills(conn, batch, "UTC"); });
  CAF_REQUIRE_EQUAL(written.size(), 3u);
  CAF_CHECK(written[0] && written[0]->id == "bil_a");
  CAF_CHECK(!written[1]);  // due in the past
  CAF_CHECK(written[2] && written[2]->id == "bil_b");
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM bills"), 2);
  // Every job and audit row names a bill that exists, one each.
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM jobs j JOIN bills b ON b.id = j.bill_id"
                        " WHERE j.kind = 'control_number'"),
                  2);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM jobs"), 2);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM audit_log a JOIN bills b ON b.id = a.entity_id"
                        " WHERE a.entity_type = 'bill' AND a.action = 'create'"),
                  2);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM audit_log"), 2);
  // And every bill names a user that exists.
  CAF_CHECK_EQUAL(
      count("SELECT count(*) FROM bills WHERE created_by NOT IN (SELECT id FROM users)"), 0);
}

CAF_TEST(bills_and_users_are_never_deleted) {
  in_transaction(conn, [&] {
    return insert_bills(conn, {draft_of("bil_a", {2999, 1, 1})}, "UTC");
  });
  const std::string refused = "23001";  // restrict_violation
  CAF_CHECK_EQUAL(failure_of("DELETE FROM bills WHERE id = 'bil_a'"), refused);
  CAF_CHECK_EQUAL(failure_of("TRUNCATE bills CASCADE"), refused);
  CAF_CHECK_EQUAL(failure_of("DELETE FROM users WHERE id = 'usr_test'"), refused);
  CAF_CHECK_EQUAL(failure_of("TRUNCATE users CASCADE"), refused);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM bills"), 1);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM users WHERE id = 'usr_test'"), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
