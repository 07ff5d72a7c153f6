// Recording the payment gateway's answers in batches against a real PostgreSQL: every kind of
// answer in one batch gets its own outcome and writes exactly what answering it alone wrote,
// and the batch's statements read only the rows they touch however large the tables are.
#define CAF_SUITE gateway_answer_store
#include <string>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "storage/bill_store.hpp"
#include "storage/gateway_answer_store.hpp"
#include "storage/job_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/webhook_store.hpp"
#include "tests/support/bill_drafts.hpp"
#include "tests/support/migrated_database.hpp"

using namespace billd;
using namespace billd::test;

namespace {

struct fixture : migrated_database {
  fixture() {
    add_user("usr_test", "admin");
    insert_webhook(conn, "whk_1", "http://127.0.0.1:9/hook", {"bill.issued", "bill.failed"},
                   "sealed", "usr_test");
  }

  /// `n` new pending bills (each with its control-number job), their ids in order.
  std::vector<std::string> make_bills(int n, const std::string& prefix = "bil_t") {
    std::vector<new_bill> rows;
    for (int i = 0; i < n; ++i)
      rows.push_back({prefix + std::to_string(i),
                      valid_draft("bill " + std::to_string(i), 1000 + i), "usr_test"});
    std::vector<std::string> ids;
    for (auto& b : in_transaction(conn, [&] { return insert_bills(conn, rows, "UTC"); }))
      ids.push_back(b->id);
    return ids;
  }

  /// Leases a bill's control-number job as the jobs actor would: the answer's job and fence.
  gateway_answer leased_answer(const std::string& bill_id) {
    auto rows = conn.exec(
        "UPDATE jobs SET status = 'running', fence = fence + 1, attempt = attempt + 1"
        " WHERE bill_id = $1 AND kind = 'control_number' RETURNING id, fence",
        {bill_id});
    gateway_answer a;
    a.bill_id = bill_id;
    a.job_id = rows.str(0, 0);
    a.fence = rows.int64(0, 1);
    return a;
  }

  std::string scalar(const std::string& sql, const pg_params& params = {}) {
    auto rows = conn.exec(sql.c_str(), params);
    return rows.is_null(0, 0) ? "NULL" : rows.str(0, 0);
  }
  std::string bill_field(const std::string& id, const std::string& column) {
    return scalar("SELECT " + column + "::text FROM bills WHERE id = $1", {id});
  }
  std::string job_status(const std::string& bill_id, const std::string& kind = "control_number") {
    return scalar("SELECT string_agg(status, ',') FROM jobs WHERE bill_id = $1 AND kind = $2",
                  {bill_id, kind});
  }
  std::string audit_actions(const std::string& bill_id) {
    return scalar(
        "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log"
        " WHERE entity_type = 'bill' AND entity_id = $1",
        {bill_id});
  }
  std::string events(const std::string& bill_id) {
    return scalar("SELECT string_agg(type, ',') FROM webhook_events WHERE bill_id = $1", {bill_id});
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_answer_store_tests, fixture)

CAF_TEST(every_kind_of_answer_in_one_batch_gets_its_own_outcome_and_writes) {
  auto ids = make_bills(8);
  // 0: issued. 1: refused. 2: already has this number. 3: has another number.
  // 4: cancelled while the gateway worked. 5: a callback (no job). 6: a refusing callback.
  // 7: a callback with another number than the bill's.
  conn.exec("UPDATE bills SET control_number = 'CN-7', status = 'issued' WHERE id = $1", {ids[7]});
  conn.exec("UPDATE bills SET control_number = 'CN-2', status = 'issued' WHERE id = $1", {ids[2]});
  conn.exec("UPDATE bills SET control_number = 'CN-3', status = 'issued' WHERE id = $1", {ids[3]});
  conn.exec("UPDATE bills SET status = 'cancelled' WHERE id = $1", {ids[4]});
  std::vector<gateway_answer> answers;
  for (int i = 0; i < 5; ++i) answers.push_back(leased_answer(ids[static_cast<std::size_t>(i)]));
  answers[0].control_number = "CN-0";
  answers[1].failure = "payer blocked";
  answers[2].control_number = "CN-2";
  answers[3].control_number = "CN-other";
  answers[4].control_number = "CN-4";
  gateway_answer callback;
  callback.bill_id = ids[5];
  callback.control_number = "CN-5";
  answers.push_back(callback);
  gateway_answer refusing_callback;
  refusing_callback.bill_id = ids[6];
  refusing_callback.failure = "no such payer";
  answers.push_back(refusing_callback);
  gateway_answer contradicting_callback;
  contradicting_callback.bill_id = ids[7];
  contradicting_callback.control_number = "CN-other";
  answers.push_back(contradicting_callback);
  gateway_answer unknown;
  unknown.bill_id = "bil_nonexistent";
  unknown.control_number = "CN-x";
  answers.push_back(unknown);

  auto out = in_transaction(conn, [&] { return record_gateway_answers(conn, answers); });
  CAF_REQUIRE_EQUAL(out.size(), answers.size());
  using kind = answer_recorded::kind;
  CAF_CHECK(out[0].what == kind::recorded);
  CAF_CHECK(out[1].what == kind::recorded);
  CAF_CHECK(out[2].what == kind::recorded);
  CAF_CHECK(out[3].what == kind::conflict);
  CAF_CHECK_EQUAL(out[3].number_held.value_or(""), "CN-3");
  CAF_CHECK(out[4].what == kind::recorded);
  CAF_CHECK(out[5].what == kind::recorded);
  CAF_CHECK(out[6].what == kind::recorded);
  CAF_CHECK(out[7].what == kind::conflict);
  CAF_CHECK(out[8].what == kind::unknown_bill);

  CAF_CHECK_EQUAL(bill_field(ids[0], "status") + " " + bill_field(ids[0], "control_number"),
                  "issued CN-0");
  CAF_CHECK_EQUAL(bill_field(ids[0], "version"), "2");
  CAF_CHECK_EQUAL(audit_actions(ids[0]), "create,control_number");
  CAF_CHECK_EQUAL(
      scalar("SELECT changes::text FROM audit_log WHERE entity_id = $1 AND action = "
             "'control_number'",
             {ids[0]}),
      R"({"status": {"after": "issued", "before": "pending"}, "control_number": {"after": )"
      R"("CN-0", "before": null}})");
  CAF_CHECK_EQUAL(events(ids[0]), "bill.issued");
  CAF_CHECK_EQUAL(job_status(ids[0]), "done");

  CAF_CHECK_EQUAL(bill_field(ids[1], "status") + " " + bill_field(ids[1], "failure_reason"),
                  "failed payer blocked");
  CAF_CHECK_EQUAL(bill_field(ids[1], "control_number"), "NULL");
  CAF_CHECK_EQUAL(audit_actions(ids[1]), "create,fail");
  CAF_CHECK_EQUAL(events(ids[1]), "bill.failed");
  CAF_CHECK_EQUAL(job_status(ids[1]), "done");

  // The same number again changes nothing but ends the job.
  CAF_CHECK_EQUAL(bill_field(ids[2], "version"), "1");
  CAF_CHECK_EQUAL(audit_actions(ids[2]), "create");
  CAF_CHECK_EQUAL(job_status(ids[2]), "done");

  // A contradiction writes nothing: the job stays with its holder, who buries it.
  CAF_CHECK_EQUAL(bill_field(ids[3], "control_number"), "CN-3");
  CAF_CHECK_EQUAL(audit_actions(ids[3]), "create");
  CAF_CHECK_EQUAL(job_status(ids[3]), "running");

  // Cancelled meanwhile: the number is kept for reference and a withdrawal is queued.
  CAF_CHECK_EQUAL(bill_field(ids[4], "status") + " " + bill_field(ids[4], "control_number"),
                  "cancelled CN-4");
  CAF_CHECK_EQUAL(audit_actions(ids[4]), "create,control_number");
  CAF_CHECK_EQUAL(events(ids[4]), "NULL");
  CAF_CHECK_EQUAL(job_status(ids[4]), "done");
  CAF_CHECK_EQUAL(job_status(ids[4], "withdrawal"), "queued");
  CAF_CHECK_EQUAL(
      scalar("SELECT payload->>'control_number' FROM jobs WHERE bill_id = $1 AND kind = "
             "'withdrawal'",
             {ids[4]}),
      "CN-4");

  // A callback ends the bill's job whatever its lease and is logged.
  CAF_CHECK_EQUAL(bill_field(ids[5], "status") + " " + bill_field(ids[5], "control_number"),
                  "issued CN-5");
  CAF_CHECK_EQUAL(job_status(ids[5]), "done");
  CAF_CHECK_EQUAL(
      scalar(
          "SELECT req_type || ' ' || status || ' ' || detail FROM gateway_log WHERE bill_id = $1",
          {ids[5]}),
      "callback issued CN-5");
  CAF_CHECK_EQUAL(bill_field(ids[6], "status"), "failed");
  CAF_CHECK_EQUAL(job_status(ids[6]), "done");
  CAF_CHECK_EQUAL(
      scalar(
          "SELECT req_type || ' ' || status || ' ' || detail FROM gateway_log WHERE bill_id = $1",
          {ids[6]}),
      "callback refused no such payer");
  // A contradicting callback writes nothing: no log row, and the job is left alone.
  CAF_CHECK_EQUAL(scalar("SELECT count(*) FROM gateway_log WHERE bill_id = $1", {ids[7]}), "0");
  CAF_CHECK_EQUAL(job_status(ids[7]), "queued");
  CAF_CHECK_EQUAL(audit_actions(ids[7]), "create");
}

CAF_TEST(a_lost_lease_leaves_the_job_to_its_new_holder) {
  auto ids = make_bills(1);
  auto a = leased_answer(ids[0]);
  a.control_number = "CN-late";
  leased_answer(ids[0]);  // the lease expired and another holder took it: a newer fence
  auto out = in_transaction(conn, [&] { return record_gateway_answers(conn, {a}); });
  CAF_CHECK(out[0].what == answer_recorded::kind::recorded);
  CAF_CHECK_EQUAL(bill_field(ids[0], "control_number"), "CN-late");
  CAF_CHECK_EQUAL(job_status(ids[0]), "running");
}

CAF_TEST(the_batch_reads_only_the_rows_it_touches_after_the_tables_grew) {
  // PostgreSQL may switch a prepared statement to a generic plan from its sixth execution and
  // keeps it until the table's next ANALYZE. The worst case, made certain here: every
  // statement's generic plan is made while the tables are small, as on a fresh database, and
  // then they grow a hundredfold.
  conn.exec("SET plan_cache_mode = force_generic_plan");
  // An ANALYZE would replace the cached plans: autovacuum must not run one meanwhile.
  conn.exec("ALTER TABLE bills SET (autovacuum_enabled = false)");
  conn.exec("ALTER TABLE jobs SET (autovacuum_enabled = false)");
  for (const auto& id : make_bills(6, "bil_settle")) {
    auto one = leased_answer(id);
    one.control_number = "CN-" + id;
    in_transaction(conn, [&] { return record_gateway_answers(conn, {one}); });
    find_bills(conn, {id});
  }
  make_bills(20000, "bil_bulk");
  auto ids = make_bills(64);
  std::vector<gateway_answer> answers;
  for (const auto& id : ids) {
    answers.push_back(leased_answer(id));
    answers.back().control_number = "CN-" + id;
  }
  auto read = in_transaction(conn, [&] {
    record_gateway_answers(conn, answers);
    find_bills(conn, ids);
    return conn.exec(
        "SELECT relname, seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
        " WHERE relname IN ('bills', 'jobs') ORDER BY relname");
  });
  for (int r = 0; r < read.size(); ++r) {
    CAF_MESSAGE("rows of " << read.str(r, 0) << " read: " << read.str(r, 1));
    CAF_CHECK_LESS(read.int64(r, 1), 1000);
  }
  CAF_CHECK_EQUAL(scalar("SELECT count(*) FROM bills WHERE control_number LIKE 'CN-bil_t%'"), "64");
  CAF_CHECK_EQUAL(scalar("SELECT count(*) FROM jobs WHERE status = 'done'"), "70");
}

CAF_TEST_FIXTURE_SCOPE_END()
