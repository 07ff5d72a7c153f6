// A billing shard's batches of gateway answers on CAF's deterministic coordinator, against a
// db-pool that holds each task until the test fails it: a batch that failed for a reason of
// its rows is recorded again one answer per batch, in arrival order, so a bad answer fails by
// itself and no answer for a bill overtakes an earlier one.
#define CAF_SUITE answer_batch
#include <utility>

#include "actors/billing_shard.hpp"
#include "caf/test/dsl.hpp"
#include "tests/unit/actor_figure.hpp"
#include "tests/unit/ask_once.hpp"
#include "tests/unit/holding_pool.hpp"

#include <algorithm>

using namespace billd;

namespace {

constexpr auto batch_task = "bill_control_number_batch";

struct fixture : test_coordinator_fixture<> {
  test::held_pool db{sys};
  billing_shard_actor shard;
  std::shared_ptr<std::vector<std::string>> answered =
      std::make_shared<std::vector<std::string>>();  // bill ids, as their askers heard back

  fixture() {
    billing_shard_config shard_cfg;  // answer batches: at most 64 answers, one at a time
    shard = spawn_billing_shard(sys, 0, db.slot, shard_cfg);
    // What a batch's rows can cause (a constraint its statement broke): worth retrying alone.
    db.tasks->answer_with.code = db_outcome_code::failed;
    db.tasks->answer_with.error = db_errc::constraint_violation;
    db.tasks->answer_with.message = "a row broke a constraint";
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
    db.stop();
    sched.run();
  }

  /// The gateway's control number for `bill`, as the jobs actor hands it to the shard.
  void issue(const std::string& bill) {
    control_number_cmd cmd{bill, "9910" + bill.substr(4), "", "job_" + bill, 1, "req_" + bill};
    auto out = answered;
    test::ask_once(
        *this, shard, [out, bill = cmd.bill_id](const api_reply&) { out->push_back(bill); },
        issue_atom::value, cmd);
  }

  /// Fails every task the pool holds with the row failure.
  void fail_held() {
    db.answer_all();
    sched.run();
  }

  std::size_t batches() const { return db.asked(batch_task); }

  /// A figure of the shard's metrics with these labels (-1 when absent).
  double figure(const std::string& family, const std::string& labels) {
    return test::figure_of(*this, shard, family, labels);
  }
};

using strings = std::vector<std::string>;

}  // namespace

CAF_TEST_FIXTURE_SCOPE(answer_batch_tests, fixture)

CAF_TEST(a_batch_failed_for_its_rows_is_retried_one_answer_per_batch_in_arrival_order) {
  issue("bil_x");  // nothing in flight: a batch of its own
  CAF_CHECK_EQUAL(batches(), 1u);
  issue("bil_y");
  issue("bil_x");  // a second answer for bil_x waits for the first
  issue("bil_z");
  CAF_CHECK_EQUAL(batches(), 1u);  // one batch at a time
  // A batch of one that fails is answered with its failure, and the waiting three, of three
  // bills, go together.
  fail_held();
  CAF_CHECK_EQUAL(*answered, strings{"bil_x"});
  CAF_CHECK_EQUAL(batches(), 2u);
  // That batch fails for its rows: nobody hears yet; its answers are recorded one per batch.
  fail_held();
  CAF_CHECK_EQUAL(*answered, strings{"bil_x"});
  CAF_CHECK_EQUAL(batches(), 3u);
  fail_held();
  CAF_CHECK_EQUAL(*answered, (strings{"bil_x", "bil_y"}));
  CAF_CHECK_EQUAL(batches(), 4u);
  fail_held();
  CAF_CHECK_EQUAL(*answered, (strings{"bil_x", "bil_y", "bil_x"}));
  CAF_CHECK_EQUAL(batches(), 5u);
  fail_held();
  CAF_CHECK_EQUAL(*answered, (strings{"bil_x", "bil_y", "bil_x", "bil_z"}));
  CAF_CHECK_EQUAL(batches(), 5u);  // nothing left to record
  CAF_CHECK_EQUAL(figure("billd_billing_batch_retries_total", R"(write="gateway_answer")"), 3.0);
  CAF_CHECK_EQUAL(figure("billd_billing_batches_total", R"(write="gateway_answer")"), 5.0);
}

CAF_TEST(answers_that_arrive_while_a_batch_fails_wait_behind_its_retries) {
  issue("bil_a");
  issue("bil_b");
  issue("bil_c");
  fail_held();     // a alone fails; b and c go together
  issue("bil_d");  // arrives while that batch is written
  issue("bil_b");  // a later answer for b
  fail_held();     // the batch fails for its rows: b, then c, alone, before d and b's later one
  fail_held();
  fail_held();
  CAF_CHECK_EQUAL(*answered, (strings{"bil_a", "bil_b", "bil_c"}));
  CAF_CHECK_EQUAL(batches(), 5u);  // the fifth: d and b's later answer together
  fail_held();                     // it fails for its rows too: d, then b, alone
  fail_held();
  fail_held();
  CAF_CHECK_EQUAL(*answered, (strings{"bil_a", "bil_b", "bil_c", "bil_d", "bil_b"}));
  CAF_CHECK_EQUAL(batches(), 7u);
}

CAF_TEST_FIXTURE_SCOPE_END()
