// Merchant webhooks through real HTTP: subscriptions and their rules, events delivered signed
// and in order per bill, retries after receiver errors, and removal.
#define CAF_SUITE webhooks
#include <utility>

#include <ctime>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "domain/signature.hpp"
#include "net/http_outbound.hpp"
#include "tests/support/gateway_sim_process.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/webhook_receiver.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

const std::string secret = "merchant-secret-of-at-least-32-bytes!!";

struct fixture {
  gateway_sim_process sim;
  webhook_receiver receiver;
  test_server server{[this](settings& s) { sim.configure(s); }};
  std::string token = server.admin_token();

  http_call call(std::string method, std::string path, std::string body = {}) {
    return authed(token, std::move(method), std::move(path), std::move(body));
  }
  http_reply subscribe(const std::string& events, const std::string& url) {
    return server.call(call(
        "POST", "/api/v1/webhooks",
        R"({"url":")" + url + R"(","events":)" + events + R"(,"secret":")" + secret + R"("})"));
  }
  std::string issued_bill(const std::string& amount) {
    auto r = server.call(call("POST", "/api/v1/bills", bill_body(amount)));
    CAF_REQUIRE_EQUAL(r.status, 201);
    auto id = str_of(json_of(r), "id");
    auto until = std::chrono::steady_clock::now() + 20s;
    while (server.call(call("GET", "/api/v1/bills/" + id + "/control-number")).status != 200)
      CAF_REQUIRE(std::chrono::steady_clock::now() < until);
    return id;
  }
  std::string control_number(const std::string& id) {
    return str_of(json_of(server.call(call("GET", "/api/v1/bills/" + id))), "control_number");
  }
  void pay(const std::string& cn, const std::string& ref, const std::string& amount) {
    const std::string path = "/api/v1/gateway/payments";
    auto body = R"({"control_number":")" + cn + R"(","transaction_ref":")" + ref +
                R"(","amount":")" + amount +
                R"(","currency":"TZS","paid_at":"2026-11-20T10:00:00Z","channel":"mobile"})";
    http_call c{"POST", path, body};
    c.headers.emplace_back("X-Signature",
                           sign_request(gateway_secret_in, std::time(nullptr), "POST", path, body));
    CAF_REQUIRE_EQUAL(server.call(c).status, 200);
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(webhooks_tests, fixture)

CAF_TEST(subscriptions_follow_the_url_event_and_secret_rules_and_never_show_the_secret) {
  auto r = subscribe(R"(["bill.paid"])", receiver.url());
  CAF_REQUIRE_EQUAL(r.status, 201);
  CAF_CHECK(r.body.find(secret) == std::string::npos);
  CAF_CHECK(r.body.find("secret") == std::string::npos);
  auto id = str_of(json_of(r), "id");
  CAF_CHECK_EQUAL(r.header("location"), "/api/v1/webhooks/" + id);
  auto list = server.call(call("GET", "/api/v1/webhooks"));
  CAF_CHECK(list.body.find(id) != std::string::npos);
  CAF_CHECK(list.body.find(secret) == std::string::npos);
  CAF_CHECK_EQUAL(subscribe(R"(["bill.paid"])", "http://example.com/h").status, 422);
  CAF_CHECK_EQUAL(subscribe(R"(["bill.paid"])", "https://10.0.0.5/h").status, 422);
  CAF_CHECK_EQUAL(subscribe(R"(["bill.created"])", receiver.url()).status, 422);
  CAF_CHECK_EQUAL(subscribe(R"([])", receiver.url()).status, 422);
  CAF_CHECK_EQUAL(subscribe(R"("bill.paid")", receiver.url()).status, 422);
  auto short_secret = server.call(
      call("POST", "/api/v1/webhooks",
           R"({"url":")" + receiver.url() + R"(","events":["bill.paid"],"secret":"short"})"));
  CAF_CHECK_EQUAL(short_secret.status, 422);
  auto extra =
      server.call(call("POST", "/api/v1/webhooks",
                       R"({"url":")" + receiver.url() + R"(","events":["bill.paid"],"secret":")" +
                           secret + R"(","colour":"red"})"));
  CAF_CHECK_EQUAL(extra.status, 422);
  http_call as_clerk{"GET", "/api/v1/webhooks"};
  as_clerk.token = server.user_token("clerk");
  CAF_CHECK_EQUAL(server.call(as_clerk).status, 403);
  CAF_CHECK_EQUAL(server.call(call("DELETE", "/api/v1/webhooks/" + id)).status, 204);
  CAF_CHECK_EQUAL(server.call(call("DELETE", "/api/v1/webhooks/" + id)).status, 404);
  CAF_CHECK(server.call(call("GET", "/api/v1/webhooks")).body.find(id) == std::string::npos);
}

CAF_TEST(an_idempotency_key_makes_subscribing_safe_to_retry) {
  auto body =
      R"({"url":")" + receiver.url() + R"(","events":["bill.paid"],"secret":")" + secret + R"("})";
  auto first = call("POST", "/api/v1/webhooks", body);
  first.headers.emplace_back("Idempotency-Key", "subscribe-1");
  auto a = server.call(first);
  auto b = server.call(first);
  CAF_REQUIRE_EQUAL(a.status, 201);
  CAF_CHECK_EQUAL(b.status, 201);
  CAF_CHECK_EQUAL(b.header("idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(str_of(json_of(a), "id"), str_of(json_of(b), "id"));
  CAF_CHECK_EQUAL(b.header("location"), a.header("location"));
  auto list = json_of(server.call(call("GET", "/api/v1/webhooks")));
  CAF_CHECK_EQUAL(list["items"].Size(), 1u);
  auto other = call("POST", "/api/v1/webhooks",
                    R"({"url":")" + receiver.url("/other") +
                        R"(","events":["bill.paid"],"secret":")" + secret + R"("})");
  other.headers.emplace_back("Idempotency-Key", "subscribe-1");
  CAF_CHECK_EQUAL(problem_slug(server.call(other)), "idempotency-mismatch");
}

CAF_TEST(a_bills_events_arrive_signed_and_in_order) {
  CAF_REQUIRE_EQUAL(
      subscribe(R"(["bill.issued","bill.partially_paid","bill.paid"])", receiver.url()).status,
      201);
  auto id = issued_bill("1000.00");
  auto cn = control_number(id);
  pay(cn, "TX-W1", "400.00");
  pay(cn, "TX-W2", "600.00");
  CAF_REQUIRE(receiver.wait_for(3, 20s));
  auto got = receiver.received();
  std::vector<std::string> types;
  for (const auto& req : got) {
    CAF_CHECK_EQUAL(req.method, "POST");
    CAF_CHECK_EQUAL(req.path, "/hooks");
    auto doc = json_of(http_reply{200, {}, req.body});
    types.push_back(str_of(doc, "type"));
    CAF_CHECK_EQUAL(req.headers.at("x-event-id"), str_of(doc, "id"));
    CAF_CHECK_EQUAL(str_of(doc["data"]["bill"], "id"), id);
    CAF_CHECK(verify_signature(req.headers.at("x-signature"), {secret}, std::time(nullptr), "POST",
                               "/hooks", req.body) == signature_check::ok);
  }
  CAF_CHECK_EQUAL(types,
                  (std::vector<std::string>{"bill.issued", "bill.partially_paid", "bill.paid"}));
  // bill.paid carries the bill as a read of it shows it now, version and updated_at included
  // (the payment path works the updated bill out rather than reading it back).
  auto paid = json_of(http_reply{200, {}, got.back().body});
  auto read = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  CAF_CHECK(paid["data"]["bill"] == read);
  CAF_CHECK_EQUAL(str_of(read, "status"), "paid");
}

CAF_TEST(receiver_errors_are_retried_until_a_2xx_and_the_deliveries_say_so) {
  receiver.script({500, 503});
  auto sub = subscribe(R"(["bill.cancelled"])", receiver.url("/cancelled"));
  CAF_REQUIRE_EQUAL(sub.status, 201);
  auto hook = str_of(json_of(sub), "id");
  auto r = server.call(call("POST", "/api/v1/bills", bill_body()));
  auto id = str_of(json_of(r), "id");
  CAF_REQUIRE_EQUAL(server.call(call("POST", "/api/v1/bills/" + id + "/cancel")).status, 200);
  CAF_REQUIRE(receiver.wait_for(3, 20s));
  auto got = receiver.received();
  CAF_CHECK_EQUAL(got[0].headers.at("x-event-id"), got[2].headers.at("x-event-id"));
  auto until = std::chrono::steady_clock::now() + 10s;
  rapidjson::Document list;
  do {
    list = json_of(server.call(call("GET", "/api/v1/webhooks/" + hook + "/deliveries")));
  } while (str_of(list["items"][0], "status") != "delivered" &&
           std::chrono::steady_clock::now() < until);
  CAF_REQUIRE_EQUAL(list["items"].Size(), 1u);
  CAF_CHECK_EQUAL(str_of(list["items"][0], "status"), "delivered");
  CAF_CHECK_EQUAL(list["items"][0]["attempt"].GetInt(), 3);
  CAF_CHECK_EQUAL(list["items"][0]["http_status"].GetInt(), 200);
  CAF_CHECK_EQUAL(str_of(list["items"][0], "event"), "bill.cancelled");
  CAF_CHECK_EQUAL(
      server.call(call("GET", "/api/v1/webhooks/whk_01JD3Q9Z8Y7X6W5V4T3S2R1Q0P/deliveries")).status,
      404);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(names_that_resolve_to_private_or_loopback_addresses_are_refused_at_delivery) {
  // "10.1" and "127.1" are not address literals to the subscription rules, but the resolver
  // reads them as 10.0.0.1 and 127.0.0.1: the transport checks the very addresses it would
  // connect to, so nothing is sent there and a changed DNS answer cannot slip through.
  std::string origin, path, error;
  outbound_request req;
  auto refused = [&](const std::string& url, bool allow_private) {
    auto transport = make_url_transport(url, "", allow_private, origin, path, error);
    CAF_REQUIRE(transport != nullptr);
    auto r = transport->exchange(req, std::chrono::milliseconds{300});
    return r.error == wire_error::connect_failed &&
           r.error_text.find("private address") != std::string::npos;
  };
  CAF_CHECK(refused("https://10.1/hooks", false));
  CAF_CHECK_EQUAL(path, "/hooks");
  CAF_CHECK(refused("https://127.1/hooks", false));
  // Allowed by configuration: billd tries to connect (and, here, times out or fails).
  CAF_CHECK(!refused("https://10.1/hooks", true));
  // A loopback literal is the development receiver the subscription rules allow.
  CAF_CHECK(!refused("http://127.0.0.1:9/x", false));
}
