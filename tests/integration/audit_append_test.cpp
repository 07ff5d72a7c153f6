// Appending audit rows against a real PostgreSQL: each row extending a chain looks up that
// chain's last row once and locks its entity; a chain's first row (an entity made by the same
// transaction) does neither. Either way every link verifies.
#define CAF_SUITE audit_append
#include <string>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "storage/audit_store.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/migrated_database.hpp"

using namespace billd;
using namespace billd::test;

namespace {

constexpr int entities = 5;

struct fixture : migrated_database {
  fixture() {
    for (int i = 0; i < entities; ++i) record_audit(conn, "bill", id(i), "create", "usr_X", "{}");
  }

  static std::string id(int i) { return "bil_" + std::to_string(i); }

  static audit_entry entry(const std::string& type, const std::string& id, bool first) {
    return {type, id, "update", "usr_X", R"({"status":{"before":"a","after":"b"}})", first};
  }

  struct appended {
    std::int64_t chain_lookups;  ///< index scans of audit_log_entity
    std::int64_t locks;          ///< advisory locks held
  };

  /// Appends `entries` in one transaction and reports what it took, read inside it.
  appended append(const std::vector<audit_entry>& entries) {
    return in_transaction(conn, [&] {
      // PostgreSQL 15 counts a backend's index scans until it next reports them (at most once
      // a second, between transactions), so the scans of this append are a difference read
      // inside one transaction.
      auto scans = [&] {
        return conn.exec("SELECT pg_stat_get_xact_numscans('audit_log_entity'::regclass)")
            .int64(0, 0);
      };
      auto before = scans();
      pg_pipeline statements;
      record_audits(statements, entries);
      conn.run(statements);
      auto lookups = scans() - before;
      auto locks = conn.exec(
                           "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                           " AND pid = pg_backend_pid()")
                       .int64(0, 0);
      return appended{lookups, locks};
    });
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(audit_append_tests, fixture)

CAF_TEST(each_row_extending_a_chain_looks_it_up_once) {
  std::vector<audit_entry> entries;
  for (int i = 0; i < entities; ++i) entries.push_back(entry("bill", id(i), false));
  auto took = append(entries);
  CAF_CHECK_EQUAL(took.chain_lookups, entities);
  CAF_CHECK_EQUAL(took.locks, entities);
  auto linked = conn.exec(
      "SELECT count(*) FROM audit_log a JOIN audit_log p ON p.entity_id = a.entity_id"
      " AND p.action = 'create' WHERE a.action = 'update' AND a.prev_hash = p.hash");
  CAF_CHECK_EQUAL(linked.int64(0, 0), entities);
  CAF_CHECK(!verify_audit(conn).broken);
}

CAF_TEST(a_chains_first_row_takes_no_lock_and_no_look_up) {
  std::vector<audit_entry> entries{entry("payment", "pay_new_1", true), entry("bill", id(0), false),
                                   entry("payment", "pay_new_2", true)};
  auto took = append(entries);
  CAF_CHECK_EQUAL(took.chain_lookups, 1);
  CAF_CHECK_EQUAL(took.locks, 1);
  auto firsts = conn.exec(
      "SELECT count(*) FROM audit_log WHERE entity_type = 'payment' AND prev_hash IS NULL");
  CAF_CHECK_EQUAL(firsts.int64(0, 0), 2);
  CAF_CHECK(!verify_audit(conn).broken);
}

CAF_TEST(rows_of_only_new_chains_need_no_lock_statement) {
  auto took = append({entry("payment", "pay_new_3", true)});
  CAF_CHECK_EQUAL(took.chain_lookups, 0);
  CAF_CHECK_EQUAL(took.locks, 0);
  CAF_CHECK(!verify_audit(conn).broken);
}

CAF_TEST_FIXTURE_SCOPE_END()
