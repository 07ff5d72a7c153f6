// Payment notifications through real HTTP and a real gateway-sim: exactly once under
// concurrency, replays, conflicts, signatures, unapplied and overpaid outcomes, and the lists.
#define CAF_SUITE payments
#include <utility>

#include <atomic>
#include <ctime>
#include <future>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "domain/signature.hpp"
#include "storage/audit_store.hpp"
#include "storage/payment_store.hpp"
#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/gateway_sim_process.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

const std::string pay_path = "/api/v1/gateway/payments";

struct fixture {
  gateway_sim_process sim;
  // Two billing shards (the default is one): notifications for bills of different shards are
  // recorded by different batches at once.
  test_server server{[this](settings& s) {
    sim.configure(s);
    s.billing.shards = 2;
  }};
  std::string token = server.admin_token();

  http_call call(std::string method, std::string path, std::string body = {}) {
    return authed(token, std::move(method), std::move(path), std::move(body));
  }
  /// Creates a bill of `amount` TZS and waits for its control number.
  std::pair<std::string, std::string> issued_bill(const std::string& amount = "15000.00") {
    auto r = server.call(call("POST", "/api/v1/bills", bill_body(amount)));
    CAF_REQUIRE_EQUAL(r.status, 201);
    auto id = str_of(json_of(r), "id");
    auto until = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      auto cn = server.call(call("GET", "/api/v1/bills/" + id + "/control-number"));
      if (cn.status == 200) return {id, str_of(json_of(cn), "control_number")};
      CAF_REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::sleep_for(20ms);
    }
  }
  static std::string notice(const std::string& cn, const std::string& ref,
                            const std::string& amount, const std::string& currency = "TZS") {
    return R"({"control_number":")" + cn + R"(","transaction_ref":")" + ref + R"(","amount":")" +
           amount + R"(","currency":")" + currency +
           R"(","paid_at":"2026-11-20T10:00:00Z","channel":"mobile"})";
  }
  http_reply pay(const std::string& body, const std::string& secret = gateway_secret_in,
                 std::int64_t at = static_cast<std::int64_t>(std::time(nullptr))) const {
    http_call c{"POST", pay_path, body};
    c.headers.emplace_back("X-Signature", sign_request(secret, at, "POST", pay_path, body));
    return server.call(c);
  }
  long payments_with_ref(const std::string& ref) {
    pg_connection conn{server.cfg().db.url, 5s, 5s};
    return static_cast<long>(
        conn.exec("SELECT count(*) FROM payments WHERE transaction_ref = $1", {ref}).int64(0, 0));
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(payments_tests, fixture)

CAF_TEST(a_hundred_concurrent_identical_notifications_apply_once_and_answer_alike) {
  auto [id, cn] = issued_bill();
  auto body = notice(cn, "TX-CONCURRENT-1", "5000.00");
  std::vector<std::future<http_reply>> answers;
  for (int i = 0; i < 100; ++i)
    answers.push_back(std::async(std::launch::async, [this, body] { return pay(body); }));
  std::string first_body;
  int replayed = 0;
  for (auto& f : answers) {
    auto r = f.get();
    CAF_CHECK_EQUAL(r.status, 200);
    if (first_body.empty()) first_body = r.body;
    CAF_CHECK_EQUAL(r.body, first_body);
    replayed += r.header("idempotent-replayed") == "true" ? 1 : 0;
  }
  CAF_CHECK_EQUAL(replayed, 99);
  CAF_CHECK_EQUAL(payments_with_ref("TX-CONCURRENT-1"), 1);
  auto bill = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  CAF_CHECK_EQUAL(str_of(bill, "paid_amount"), "5000.00");
  CAF_CHECK_EQUAL(str_of(bill, "status"), "partially_paid");
  CAF_CHECK_EQUAL(str_of(json_of(pay(body)), "outcome"), "applied");
}

CAF_TEST(the_same_ref_with_another_field_is_a_conflict_and_changes_nothing) {
  auto [id, cn] = issued_bill();
  CAF_REQUIRE_EQUAL(pay(notice(cn, "TX-MISMATCH", "100.00")).status, 200);
  auto r = pay(notice(cn, "TX-MISMATCH", "200.00"));
  CAF_CHECK_EQUAL(r.status, 409);
  CAF_CHECK_EQUAL(problem_slug(r), "conflict");
  auto bill = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  CAF_CHECK_EQUAL(str_of(bill, "paid_amount"), "100.00");
}

CAF_TEST(bad_missing_or_stale_signatures_are_401_and_record_nothing) {
  auto [id, cn] = issued_bill();
  auto body = notice(cn, "TX-SIG", "100.00");
  CAF_CHECK_EQUAL(pay(body, "not-the-secret").status, 401);
  CAF_CHECK_EQUAL(pay(body, gateway_secret_in, std::time(nullptr) - 400).status, 401);
  http_call unsigned_call{"POST", pay_path, body};
  auto r = server.call(unsigned_call);
  CAF_CHECK_EQUAL(r.status, 401);
  CAF_CHECK_EQUAL(problem_slug(r), "unauthenticated");
  CAF_CHECK_EQUAL(payments_with_ref("TX-SIG"), 0);
}

CAF_TEST(malformed_notifications_are_refused_and_record_nothing) {
  auto [id, cn] = issued_bill();
  CAF_CHECK_EQUAL(pay("{not json").status, 400);
  CAF_CHECK_EQUAL(pay(notice(cn, "TX-BAD-1", "12.345")).status, 422);  // TZS has 2 decimals
  CAF_CHECK_EQUAL(pay(notice(cn, "TX-BAD-2", "-5.00")).status, 422);
  CAF_CHECK_EQUAL(pay(notice(cn, "TX-BAD-3", "5.00", "tzs")).status, 422);
  CAF_CHECK_EQUAL(pay(R"({"control_number":")" + cn + R"(","transaction_ref":"TX-BAD-4"})").status,
                  422);
  auto bad_time = notice(cn, "TX-BAD-5", "5.00");
  bad_time.replace(bad_time.find("2026-11-20T10:00:00Z"), 20, "yesterday");
  CAF_CHECK_EQUAL(pay(bad_time).status, 422);
  for (auto ref : {"TX-BAD-1", "TX-BAD-2", "TX-BAD-3", "TX-BAD-4", "TX-BAD-5"})
    CAF_CHECK_EQUAL(payments_with_ref(ref), 0);
}

CAF_TEST(unknown_numbers_and_currency_mismatches_are_recorded_unapplied) {
  auto [id, cn] = issued_bill();
  auto unknown = json_of(pay(notice("000000000000", "TX-UNKNOWN", "100.00")));
  CAF_CHECK_EQUAL(str_of(unknown, "outcome"), "unapplied");
  CAF_CHECK(unknown["bill_id"].IsNull());
  auto other_currency = json_of(pay(notice(cn, "TX-CURRENCY", "100", "UGX")));
  CAF_CHECK_EQUAL(str_of(other_currency, "outcome"), "unapplied");
  CAF_CHECK_EQUAL(str_of(other_currency, "bill_id"), id);
  auto bill = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  CAF_CHECK_EQUAL(str_of(bill, "paid_amount"), "0.00");
  auto list = json_of(server.call(call("GET", "/api/v1/payments?outcome=unapplied")));
  CAF_REQUIRE(list["items"].IsArray());
  CAF_CHECK_EQUAL(list["items"].Size(), 2u);
}

CAF_TEST(an_overpayment_pays_the_bill_and_keeps_the_excess_as_credit) {
  auto [id, cn] = issued_bill("1000.00");
  auto first = json_of(pay(notice(cn, "TX-OVER-1", "600.00")));
  CAF_CHECK_EQUAL(str_of(first, "bill_status"), "partially_paid");
  auto second = json_of(pay(notice(cn, "TX-OVER-2", "600.00")));
  CAF_CHECK_EQUAL(str_of(second, "outcome"), "overpaid");
  CAF_CHECK_EQUAL(str_of(second, "bill_status"), "paid");
  CAF_CHECK_EQUAL(str_of(second, "paid_amount"), "1000.00");
  auto payment =
      json_of(server.call(call("GET", "/api/v1/payments/" + str_of(second, "payment_id"))));
  CAF_CHECK_EQUAL(str_of(payment, "credit"), "200.00");
  CAF_CHECK_EQUAL(str_of(payment, "amount"), "600.00");
  auto of_bill = json_of(server.call(call("GET", "/api/v1/bills/" + id + "/payments")));
  CAF_CHECK_EQUAL(of_bill["items"].Size(), 2u);
  // The bill is paid: cancelling it is a conflict, and a later payment stays unapplied-free.
  CAF_CHECK_EQUAL(server.call(call("POST", "/api/v1/bills/" + id + "/cancel")).status, 409);
  CAF_CHECK_EQUAL(
      server.call(call("GET", "/api/v1/payments/pay_01JD3Q9Z8Y7X6W5V4T3S2R1Q0P")).status, 404);
}

CAF_TEST(a_payment_to_a_cancelled_bill_is_unapplied) {
  auto [id, cn] = issued_bill();
  CAF_REQUIRE_EQUAL(server.call(call("POST", "/api/v1/bills/" + id + "/cancel")).status, 200);
  auto r = json_of(pay(notice(cn, "TX-CANCELLED", "100.00")));
  CAF_CHECK_EQUAL(str_of(r, "outcome"), "unapplied");
  CAF_CHECK_EQUAL(str_of(r, "bill_status"), "cancelled");
}

CAF_TEST(concurrent_notifications_recorded_in_shared_batches_apply_exactly_once_each) {
  // 150 refs, each sent twice at about the same time by 30 clients over 6 bills: the shards
  // record waiting notifications in batches, a ref's second copy waits for the next batch.
  constexpr int bills = 6, refs = 150, clients = 30;
  std::vector<std::string> numbers;
  for (int b = 0; b < bills; ++b) numbers.push_back(issued_bill("1000.00").second);
  auto conflicting = [](int k) { return k % 5 == 2; };  // the copies differ in amount
  auto unknown = [](int k) { return k % 7 == 3; };      // no bill has this number
  auto body_of = [&](int k, int copy) {
    auto cn = unknown(k) ? "CN-NONE-" + std::to_string(k) : numbers[k % bills];
    auto amount = conflicting(k) && copy == 1 ? "2.00" : "1.00";
    return notice(cn, "TX-BATCH-" + std::to_string(k), amount);
  };
  std::atomic<int> next{0};
  std::vector<http_reply> replies(2 * refs);
  std::vector<std::future<void>> workers;
  for (int w = 0; w < clients; ++w)
    workers.push_back(std::async(std::launch::async, [&] {
      for (int j = next++; j < 2 * refs; j = next++) replies[j] = pay(body_of(j / 2, j % 2));
    }));
  for (auto& w : workers) w.get();
  for (int k = 0; k < refs; ++k) {
    const auto& a = replies[2 * k];
    const auto& b = replies[2 * k + 1];
    if (conflicting(k)) {
      CAF_CHECK_EQUAL(a.status + b.status, 200 + 409);
      continue;
    }
    CAF_CHECK_EQUAL(a.status, 200);
    CAF_CHECK_EQUAL(b.status, 200);
    CAF_CHECK_EQUAL(a.body, b.body);
    CAF_CHECK_EQUAL(
        (a.header("idempotent-replayed") == "true") + (b.header("idempotent-replayed") == "true"),
        1);
    CAF_CHECK_EQUAL(str_of(json_of(a), "outcome"), unknown(k) ? "unapplied" : "applied");
  }
  pg_connection conn{server.cfg().db.url, 5s, 5s};
  CAF_CHECK_EQUAL(conn.exec("SELECT count(*) FROM payments WHERE transaction_ref LIKE 'TX-BATCH-%'")
                      .int64(0, 0),
                  refs);
  // Each bill holds exactly what its recorded payments paid, with one audit row per payment.
  auto per_bill = conn.exec(
      "SELECT b.id, b.paid_amount,"
      " (SELECT coalesce(sum(p.amount), 0) FROM payments p"
      "   WHERE p.bill_id = b.id AND p.outcome <> 'unapplied'),"
      " (SELECT count(*) FROM payments p WHERE p.bill_id = b.id AND p.outcome <> 'unapplied'),"
      " (SELECT count(*) FROM audit_log a"
      "   WHERE a.entity_type = 'bill' AND a.entity_id = b.id AND a.action = 'payment')"
      " FROM bills b WHERE b.control_number = ANY($1::text[])",
      {pg_array(std::vector<std::optional<std::string>>(numbers.begin(), numbers.end()))});
  CAF_REQUIRE_EQUAL(per_bill.size(), bills);
  for (int i = 0; i < per_bill.size(); ++i) {
    CAF_CHECK_EQUAL(per_bill.int64(i, 1), per_bill.int64(i, 2));
    CAF_CHECK(per_bill.int64(i, 3) > 0);
    CAF_CHECK_EQUAL(per_bill.int64(i, 3), per_bill.int64(i, 4));
  }
  CAF_CHECK(!verify_audit(conn).broken);
  // They were batched: fewer transactions than payments.
  auto transactions =
      conn.exec(
              "SELECT count(DISTINCT xmin::text) FROM payments WHERE transaction_ref LIKE "
              "'TX-BATCH-%'")
          .int64(0, 0);
  CAF_CHECK_LESS(transactions, refs);
}

CAF_TEST(a_notification_the_database_refuses_fails_alone_and_its_batch_mates_are_recorded) {
  // A trigger refuses some payment rows, as a constraint would: a batch holding one fails
  // whole, its notifications go back to the queue one per batch, and only the refused fail.
  pg_connection conn{server.cfg().db.url, 5s, 5s};
  conn.exec(
      "CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
      " IF NEW.transaction_ref LIKE 'TX-POISON-%' THEN"
      "  RAISE EXCEPTION 'refused %', NEW.transaction_ref USING ERRCODE = 'check_violation';"
      " END IF; RETURN NEW; END $$;"
      "CREATE TRIGGER refuse_poisoned BEFORE INSERT ON payments"
      " FOR EACH ROW EXECUTE FUNCTION refuse_poisoned()");
  // Enough bills that batches recorded side by side (each holding bills the other does not)
  // still have several members.
  constexpr int bills = 12, refs = 120, clients = 30;
  std::vector<std::string> numbers;
  for (int b = 0; b < bills; ++b) numbers.push_back(issued_bill("1000.00").second);
  auto poisoned = [](int k) { return k % 10 == 4; };
  auto ref_of = [&](int k) {
    return std::string{poisoned(k) ? "TX-POISON-" : "TX-MATE-"} + std::to_string(k);
  };
  std::atomic<int> next{0};
  std::vector<http_reply> replies(refs);
  std::vector<std::future<void>> workers;
  for (int w = 0; w < clients; ++w)
    workers.push_back(std::async(std::launch::async, [&] {
      for (int k = next++; k < refs; k = next++)
        replies[k] = pay(notice(numbers[k % bills], ref_of(k), "1.00"));
    }));
  for (auto& w : workers) w.get();
  for (int k = 0; k < refs; ++k) {
    CAF_CHECK_EQUAL(replies[k].status, poisoned(k) ? 409 : 200);
    if (!poisoned(k)) CAF_CHECK_EQUAL(str_of(json_of(replies[k]), "outcome"), "applied");
  }
  CAF_CHECK_EQUAL(payments_with_ref("TX-POISON-4"), 0);
  auto recorded = conn.exec(
      "SELECT count(*), coalesce(sum(amount), 0) FROM payments WHERE transaction_ref LIKE 'TX-%'");
  CAF_CHECK_EQUAL(recorded.int64(0, 0), refs - refs / 10);
  auto paid = conn.exec(
      "SELECT coalesce(sum(paid_amount), 0) FROM bills"
      " WHERE control_number = ANY($1::text[])",
      {pg_array(std::vector<std::optional<std::string>>(numbers.begin(), numbers.end()))});
  CAF_CHECK_EQUAL(paid.int64(0, 0), recorded.int64(0, 1));
  CAF_CHECK(!verify_audit(conn).broken);
  // Batches did fail and were written again one by one (else this test proved nothing).
  CAF_CHECK_GREATER(scraped(server, R"(billd_billing_batch_retries_total{write="payment"})"), 0);
  conn.exec("DROP TRIGGER refuse_poisoned ON payments; DROP FUNCTION refuse_poisoned()");
}

CAF_TEST(one_call_with_repeated_refs_and_bills_records_as_if_each_came_alone) {
  auto [id, cn] = issued_bill("10.00");
  auto n = [](const std::string& ref, std::int64_t minor, const std::string& number) {
    payment_notice x;
    x.control_number = number;
    x.transaction_ref = ref;
    x.amount = minor;
    x.currency = "TZS";
    x.currency_exponent = 2;
    x.paid_at = "2026-11-20T10:00:00.000Z";
    x.channel = "mobile";
    return x;
  };
  std::vector<payment_input> in{
      {n("TX-ROUND-1", 400, cn), "pay_round_1a"},
      {n("TX-ROUND-1", 400, cn), "pay_round_1b"},  // a repeat: replayed
      {n("TX-ROUND-2", 700, cn), "pay_round_2"},   // the same bill, after the first: overpaid
      {n("TX-ROUND-1", 500, cn), "pay_round_1c"},  // the first ref with another amount
      {n("TX-ROUND-3", 100, "CN-NONE"), "pay_round_3"}};
  std::vector<const payment_notice*> notices;
  for (const auto& i : in) notices.push_back(&i.notice);
  CAF_CHECK(first_round(notices) == (std::vector<bool>{true, false, false, false, true}));
  pg_connection conn{server.cfg().db.url, 5s, 5s};
  auto out = in_transaction(conn, [&] { return record_payments(conn, in); });
  CAF_REQUIRE_EQUAL(out.size(), in.size());
  using kind = payment_recorded::kind;
  CAF_CHECK(out[0].what == kind::recorded);
  CAF_CHECK(out[1].what == kind::replayed);
  CAF_CHECK(out[2].what == kind::recorded);
  CAF_CHECK(out[3].what == kind::conflict);
  CAF_CHECK(out[4].what == kind::recorded);
  CAF_CHECK_EQUAL(out[1].body, out[0].body);
  CAF_CHECK_EQUAL(out[0].outcome, "applied");
  CAF_CHECK_EQUAL(out[2].outcome, "overpaid");
  CAF_CHECK_EQUAL(out[4].outcome, "unapplied");
  CAF_CHECK_EQUAL(str_of(json_of(http_reply{200, {}, out[2].body}), "paid_amount"), "10.00");
  // Read from the database: this call went around the shard, so the cache was not told.
  auto bill = conn.exec("SELECT status, paid_amount FROM bills WHERE id = $1", {id});
  CAF_CHECK_EQUAL(bill.str(0, 0), "paid");
  CAF_CHECK_EQUAL(bill.int64(0, 1), 1000);
  CAF_CHECK_EQUAL(conn.exec("SELECT string_agg(id || ':' || credit, ',' ORDER BY id) FROM payments"
                            " WHERE transaction_ref LIKE 'TX-ROUND-%'")
                      .str(0, 0),
                  "pay_round_1a:0,pay_round_2:100,pay_round_3:0");
  CAF_CHECK(!verify_audit(conn).broken);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(reports_tests, fixture)

CAF_TEST(the_summary_reports_billed_collected_and_outstanding_per_currency) {
  auto [paid_id, paid_cn] = issued_bill("1000.00");
  auto [part_id, part_cn] = issued_bill("500.00");
  CAF_REQUIRE_EQUAL(pay(notice(paid_cn, "TX-R1", "1200.00")).status, 200);  // 200.00 credit
  CAF_REQUIRE_EQUAL(pay(notice(part_cn, "TX-R2", "100.00")).status, 200);
  CAF_REQUIRE_EQUAL(pay(notice("404404", "TX-R3", "7.00")).status, 200);
  // paid_at is 2026-11-20 in these notices: the range must include it.
  auto r = server.call(call("GET",
                            "/api/v1/reports/summary?currency=TZS&from="
                            "2026-11-01T00:00:00Z&to=2099-01-01T00:00:00Z"));
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto doc = json_of(r);
  CAF_REQUIRE(doc["currencies"].IsArray());
  CAF_REQUIRE_EQUAL(doc["currencies"].Size(), 1u);
  const auto& tzs = doc["currencies"][0];
  CAF_CHECK_EQUAL(str_of(tzs, "currency"), "TZS");
  CAF_CHECK_EQUAL(tzs["bills_created"].GetInt(), 2);
  CAF_CHECK_EQUAL(str_of(tzs, "amount_billed"), "1500.00");
  CAF_CHECK_EQUAL(str_of(tzs, "amount_collected"), "1100.00");
  CAF_CHECK_EQUAL(str_of(tzs, "credit"), "200.00");
  CAF_CHECK_EQUAL(str_of(tzs, "unapplied"), "7.00");
  CAF_CHECK_EQUAL(str_of(tzs, "outstanding"), "400.00");
  CAF_CHECK_EQUAL(tzs["by_status"]["paid"].GetInt(), 1);
  CAF_CHECK_EQUAL(tzs["by_status"]["partially_paid"].GetInt(), 1);
  // Clerks may not read reports; viewers may; bad ranges are 422.
  http_call as_clerk{"GET", "/api/v1/reports/summary"};
  as_clerk.token = server.user_token("clerk");
  CAF_CHECK_EQUAL(server.call(as_clerk).status, 403);
  http_call as_viewer{"GET", "/api/v1/reports/summary"};
  as_viewer.token = server.user_token("viewer");
  CAF_CHECK_EQUAL(server.call(as_viewer).status, 200);
  CAF_CHECK_EQUAL(server
                      .call(call("GET",
                                 "/api/v1/reports/summary?from=2030-01-01T00:00:00Z"
                                 "&to=2029-01-01T00:00:00Z"))
                      .status,
                  422);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/reports/summary?currency=XXX")).status, 422);
}

CAF_TEST_FIXTURE_SCOPE_END()
