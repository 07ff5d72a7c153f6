// A billing shard's batches of payment notifications on CAF's deterministic coordinator, with
// two batches recorded at once, against a db-pool that holds each task until the test answers
// it: a notification sharing a control number or transaction_ref with one being recorded waits
// for that batch to end (it would only wait on the bill's lock in the database, and could take
// the lock before the earlier one), and a failed batch's notifications go one per batch.
#define CAF_SUITE payment_batch
#include <utility>

#include "actors/billing_shard.hpp"
#include "caf/test/dsl.hpp"
#include "tests/unit/ask_once.hpp"
#include "tests/unit/holding_pool.hpp"

using namespace billd;

namespace {

constexpr auto batch_task = "payment_record_batch";

struct fixture : test_coordinator_fixture<> {
  test::held_pool db{sys};
  billing_shard_actor shard;
  std::shared_ptr<std::vector<std::string>> answered =
      std::make_shared<std::vector<std::string>>();  // refs, as their askers heard back

  fixture() {
    billing_shard_config shard_cfg;
    shard_cfg.payment_batches_in_flight = 2;
    shard = spawn_billing_shard(sys, 0, db.slot, shard_cfg);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
    db.stop();
    sched.run();
  }

  /// The gateway's notification of `ref`, paying the bill of control number `cn`.
  void pay(const std::string& cn, const std::string& ref) {
    payment_cmd cmd;
    cmd.notice.control_number = cn;
    cmd.notice.transaction_ref = ref;
    cmd.notice.amount = 100;
    cmd.notice.currency = "TZS";
    cmd.notice.currency_exponent = 2;
    cmd.notice.paid_at = "2026-11-20T10:00:00Z";
    cmd.notice.channel = "mobile";
    cmd.payment_id = "pay_" + ref;
    cmd.request_id = "req_" + ref;
    auto out = answered;
    test::ask_once(
        *this, shard, [out, ref](const api_reply&) { out->push_back(ref); }, pay_atom::value, cmd);
  }

  /// Answers every task the pool holds (with a failure of the database: each is answered).
  void answer_held() {
    db.answer_all();
    sched.run();
  }

  /// Fails every held task for a reason of its rows: its notifications go again, one by one
  /// (a notification already alone is answered).
  void fail_held_for_rows() {
    auto usual = db.tasks->answer_with;
    db.tasks->answer_with.code = db_outcome_code::failed;
    db.tasks->answer_with.error = db_errc::constraint_violation;
    answer_held();
    db.tasks->answer_with = usual;
  }

  std::size_t batches() const { return db.asked(batch_task); }
};

using strings = std::vector<std::string>;

}  // namespace

CAF_TEST_FIXTURE_SCOPE(payment_batch_tests, fixture)

CAF_TEST(a_notification_waits_while_its_bill_or_ref_is_being_recorded) {
  pay("CN1", "r1");  // nothing in flight: a batch of its own
  CAF_CHECK_EQUAL(batches(), 1u);
  pay("CN1", "r2");  // the same bill: a second batch is free, but it waits for the first
  CAF_CHECK_EQUAL(batches(), 1u);
  pay("CN9", "r1");  // the same ref, another bill: it waits too
  CAF_CHECK_EQUAL(batches(), 1u);
  pay("CN2", "r3");  // neither is being recorded: the second batch takes it alone
  CAF_CHECK_EQUAL(batches(), 2u);
  answer_held();  // both end; r2 and the second r1 go together in one batch
  CAF_CHECK_EQUAL(*answered, (strings{"r1", "r3"}));
  CAF_CHECK_EQUAL(batches(), 3u);
  answer_held();
  CAF_CHECK_EQUAL(*answered, (strings{"r1", "r3", "r2", "r1"}));
  CAF_CHECK_EQUAL(batches(), 3u);
}

CAF_TEST(failed_batches_go_again_one_by_one_ahead_of_later_notifications) {
  pay("CN8", "x1");
  pay("CN9", "y1");
  CAF_CHECK_EQUAL(batches(), 2u);  // two batches of one: both slots taken
  pay("CN1", "a1");
  pay("CN2", "b1");
  pay("CN1", "a2");
  pay("CN3", "c1");
  answer_held();  // a1, b1 and c1 go together; a2 waits for a1's batch
  CAF_CHECK_EQUAL(*answered, (strings{"x1", "y1"}));
  CAF_CHECK_EQUAL(batches(), 3u);
  // That batch fails for its rows: each of its notifications goes again alone, two at once,
  // ahead of a2.
  fail_held_for_rows();
  CAF_CHECK_EQUAL(*answered, (strings{"x1", "y1"}));
  CAF_CHECK_EQUAL(batches(), 5u);
  answer_held();  // a1 and b1 end; c1 (alone) and then a2 take their slots
  CAF_CHECK_EQUAL(*answered, (strings{"x1", "y1", "a1", "b1"}));
  CAF_CHECK_EQUAL(batches(), 7u);
  answer_held();
  CAF_CHECK_EQUAL(*answered, (strings{"x1", "y1", "a1", "b1", "c1", "a2"}));
  CAF_CHECK_EQUAL(batches(), 7u);
}

CAF_TEST_FIXTURE_SCOPE_END()
