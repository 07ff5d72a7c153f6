#define CAF_SUITE bill_status
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/bill_status.hpp"

#include <set>
#include <string>
#include <vector>

using namespace billd;

namespace {

const std::vector<bill_status> all_statuses{
    bill_status::pending,   bill_status::issued,  bill_status::partially_paid, bill_status::paid,
    bill_status::cancelled, bill_status::expired, bill_status::failed};

using transition = std::pair<bill_status, bill_status>;

// The allowed transitions, written out independently of the implementation's switch.
const std::set<transition> allowed{
    {bill_status::pending, bill_status::issued},
    {bill_status::pending, bill_status::cancelled},
    {bill_status::pending, bill_status::expired},
    {bill_status::pending, bill_status::failed},
    {bill_status::issued, bill_status::partially_paid},
    {bill_status::issued, bill_status::paid},
    {bill_status::issued, bill_status::cancelled},
    {bill_status::issued, bill_status::expired},
    {bill_status::partially_paid, bill_status::partially_paid},
    {bill_status::partially_paid, bill_status::paid},
    {bill_status::partially_paid, bill_status::expired},
};

std::string name(bill_status s) { return std::string(to_string(s)); }

}  // namespace

CAF_TEST(every_status_round_trips_through_its_name) {
  for (const auto s : all_statuses) {
    const auto parsed = parse_bill_status(to_string(s));
    CAF_REQUIRE(parsed.has_value());
    CAF_CHECK_EQUAL(name(*parsed), name(s));
  }
  CAF_CHECK_EQUAL(to_string(bill_status::partially_paid), "partially_paid");
  CAF_CHECK_EQUAL(to_string(bill_status::cancelled), "cancelled");
}

CAF_TEST(unknown_status_names_do_not_parse) {
  for (const char* text : {"", "PAID", "Paid", "partially-paid", "canceled", "paid ", "unknown"}) {
    CAF_CHECK(!parse_bill_status(text).has_value());
  }
}

CAF_TEST(every_allowed_transition_is_allowed_and_every_other_is_forbidden) {
  int allowed_count = 0;
  for (const auto from : all_statuses) {
    for (const auto to : all_statuses) {
      const bool expected = allowed.count({from, to}) == 1;
      CAF_CHECK_EQUAL(can_transition(from, to), expected);
      if (can_transition(from, to)) ++allowed_count;
    }
  }
  CAF_CHECK_EQUAL(allowed_count, 11);
}

CAF_TEST(a_pending_bill_cannot_be_paid_before_it_is_issued) {
  CAF_CHECK(!can_transition(bill_status::pending, bill_status::paid));
  CAF_CHECK(!can_transition(bill_status::pending, bill_status::partially_paid));
}

CAF_TEST(nothing_leaves_a_final_status) {
  for (const auto from :
       {bill_status::paid, bill_status::cancelled, bill_status::expired, bill_status::failed}) {
    CAF_CHECK(is_final(from));
    for (const auto to : all_statuses) CAF_CHECK(!can_transition(from, to));
  }
  CAF_CHECK(!is_final(bill_status::pending));
  CAF_CHECK(!is_final(bill_status::issued));
  CAF_CHECK(!is_final(bill_status::partially_paid));
}

CAF_TEST(pending_and_issued_bills_can_be_cancelled) {
  CAF_CHECK(decide_cancel(bill_status::pending) == cancel_decision::cancel);
  CAF_CHECK(decide_cancel(bill_status::issued) == cancel_decision::cancel);
}

CAF_TEST(cancelling_a_cancelled_bill_is_idempotent) {
  CAF_CHECK(decide_cancel(bill_status::cancelled) == cancel_decision::already_cancelled);
}

CAF_TEST(a_paid_bill_cannot_be_cancelled) {
  CAF_CHECK(decide_cancel(bill_status::paid) == cancel_decision::conflict);
}

CAF_TEST(partially_paid_expired_and_failed_bills_cannot_be_cancelled) {
  CAF_CHECK(decide_cancel(bill_status::partially_paid) == cancel_decision::conflict);
  CAF_CHECK(decide_cancel(bill_status::expired) == cancel_decision::conflict);
  CAF_CHECK(decide_cancel(bill_status::failed) == cancel_decision::conflict);
}

CAF_TEST(cancel_decisions_agree_with_the_transition_table) {
  for (const auto s : all_statuses) {
    const bool cancels = decide_cancel(s) == cancel_decision::cancel;
    CAF_CHECK_EQUAL(cancels, can_transition(s, bill_status::cancelled));
  }
}

CAF_TEST(a_payment_below_the_amount_leaves_the_bill_partially_paid) {
  CAF_CHECK_EQUAL(name(status_after_payment(10000, 1)), "partially_paid");
  CAF_CHECK_EQUAL(name(status_after_payment(10000, 9999)), "partially_paid");
}

CAF_TEST(a_payment_reaching_or_exceeding_the_amount_pays_the_bill) {
  CAF_CHECK_EQUAL(name(status_after_payment(10000, 10000)), "paid");
  CAF_CHECK_EQUAL(name(status_after_payment(10000, 10001)), "paid");
}
