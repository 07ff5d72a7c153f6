// Alerts through real HTTP, a real gateway-sim and real receivers: raised in the transaction of
// what they report, one per kind per cooldown, listed for admins, sent signed and retried.
#define CAF_SUITE alerts
#include <utility>

#include <ctime>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "domain/signature.hpp"
#include "tests/support/gateway_sim_process.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/webhook_receiver.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

const std::string alert_secret = "alert-secret-for-tests-0123456789";

struct fixture {
  gateway_sim_process sim;
  webhook_receiver alert_inbox;  // alerts.notify_url
  webhook_receiver merchant;     // a merchant's webhook endpoint
  test_server server{[this](settings& s) {
    sim.configure(s);
    s.alerts.notify_url = alert_inbox.url("/alerts");
    s.alerts.notify_secret = alert_secret;
    s.jobs.give_up_after = 2s;
  }};
  std::string token = server.admin_token();

  http_call call(std::string method, std::string path, std::string body = {}) {
    return authed(token, std::move(method), std::move(path), std::move(body));
  }
  http_reply pay_unknown(const std::string& ref) {
    const std::string path = "/api/v1/gateway/payments";
    auto body = R"({"control_number":"CN-NOBODY","transaction_ref":")" + ref +
                R"(","amount":"5.00","currency":"TZS","paid_at":"2026-11-20T10:00:00Z",)"
                R"("channel":"mobile"})";
    http_call c{"POST", path, body};
    c.headers.emplace_back("X-Signature",
                           sign_request(gateway_secret_in, std::time(nullptr), "POST", path, body));
    return server.call(c);
  }
  /// The alerts of `kind` once there is at least one (or after 20 s).
  rapidjson::Document alerts_of(const std::string& kind) {
    rapidjson::Document list;
    auto until = std::chrono::steady_clock::now() + 20s;
    do {
      list = json_of(server.call(call("GET", "/api/v1/alerts?kind=" + kind)));
      if (list["items"].IsArray() && list["items"].Size() > 0) break;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < until);
    return list;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(alerts_tests, fixture)

CAF_TEST(an_unapplied_payment_raises_one_alert_per_cooldown_listed_and_sent_signed) {
  alert_inbox.script({500});  // the first notification attempt fails: it is retried
  CAF_REQUIRE_EQUAL(str_of(json_of(pay_unknown("TX-ALERT-1")), "outcome"), "unapplied");
  CAF_REQUIRE_EQUAL(str_of(json_of(pay_unknown("TX-ALERT-2")), "outcome"), "unapplied");
  CAF_REQUIRE_EQUAL(pay_unknown("TX-ALERT-1").header("idempotent-replayed"), "true");
  auto list = alerts_of("payment_unapplied");
  CAF_REQUIRE_EQUAL(list["items"].Size(), 1u);
  const auto& alert = list["items"][0];
  CAF_CHECK_EQUAL(str_of(alert, "severity"), "warning");
  CAF_CHECK_EQUAL(str_of(alert["details"], "transaction_ref"), "TX-ALERT-1");
  CAF_CHECK_EQUAL(str_of(alert["details"], "reason"), "unknown control number");
  CAF_CHECK_EQUAL(alert["suppressed"].GetInt(), 1);  // the second, within the cooldown; not the replay
  auto alert_id = str_of(alert, "id");
  CAF_CHECK(alert_id.starts_with("alr_"));
  // The payments stay listed for reconciliation.
  auto unapplied = json_of(server.call(call("GET", "/api/v1/payments?outcome=unapplied")));
  CAF_CHECK_EQUAL(unapplied["items"].Size(), 2u);
  // Sent to alerts.notify_url: once refused with 500, then again, signed, with a stable id.
  CAF_REQUIRE(alert_inbox.wait_for(2, 20s));
  auto sent = alert_inbox.received();
  CAF_CHECK_EQUAL(sent[0].path, "/alerts");
  CAF_CHECK_EQUAL(sent[0].headers["x-event-id"], sent[1].headers["x-event-id"]);
  CAF_CHECK_EQUAL(sent[1].body, sent[0].body);
  auto body = json_of(http_reply{200, {}, sent[1].body});
  CAF_CHECK_EQUAL(str_of(body, "id"), alert_id);
  CAF_CHECK_EQUAL(str_of(body, "kind"), "payment_unapplied");
  CAF_CHECK(verify_signature(sent[1].headers["x-signature"], {alert_secret},
                             static_cast<std::int64_t>(std::time(nullptr)), "POST", "/alerts",
                             sent[1].body) == signature_check::ok);
  std::this_thread::sleep_for(300ms);
  CAF_CHECK_EQUAL(alert_inbox.received().size(), 2u);  // delivered: not sent again
}

CAF_TEST(the_alert_list_is_for_admins_and_validates_its_query) {
  CAF_CHECK_EQUAL(server.call(authed(server.user_token("clerk"), "GET", "/api/v1/alerts")).status,
                  403);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/alerts?colour=red")).status, 422);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/alerts?limit=0")).status, 422);
  auto empty = json_of(server.call(call("GET", "/api/v1/alerts")));
  CAF_CHECK_EQUAL(empty["items"].Size(), 0u);
}

CAF_TEST(a_job_that_dies_raises_a_critical_alert) {
  sim.control(R"({"error_rate":1.0,"error_kind":"5xx"})");
  auto r = server.call(call("POST", "/api/v1/bills", bill_body()));
  CAF_REQUIRE_EQUAL(r.status, 201);
  auto bill_id = str_of(json_of(r), "id");
  auto list = alerts_of("job_dead");  // jobs.give_up_after_s is 2 here
  CAF_REQUIRE_EQUAL(list["items"].Size(), 1u);
  CAF_CHECK_EQUAL(str_of(list["items"][0], "severity"), "critical");
  CAF_CHECK_EQUAL(str_of(list["items"][0]["details"], "bill_id"), bill_id);
  CAF_CHECK_EQUAL(str_of(list["items"][0]["details"], "job_kind"), "control_number");
}

CAF_TEST(a_webhook_delivery_that_dies_raises_an_alert) {
  merchant.script(std::vector<int>(200, 500));  // the endpoint keeps failing
  auto sub = server.call(call("POST", "/api/v1/webhooks",
                              R"({"url":")" + merchant.url() +
                                  R"(","events":["bill.cancelled"],"secret":")" + alert_secret +
                                  R"("})"));
  CAF_REQUIRE_EQUAL(sub.status, 201);
  auto r = server.call(call("POST", "/api/v1/bills", bill_body()));
  auto bill_id = str_of(json_of(r), "id");
  CAF_REQUIRE_EQUAL(server.call(call("POST", "/api/v1/bills/" + bill_id + "/cancel")).status, 200);
  auto list = alerts_of("webhook_delivery_dead");
  CAF_REQUIRE_EQUAL(list["items"].Size(), 1u);
  CAF_CHECK_EQUAL(str_of(list["items"][0]["details"], "url"), merchant.url());
  CAF_CHECK(merchant.received().size() >= 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
