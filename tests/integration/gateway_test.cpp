// Control numbers through a real gateway-sim process: sync, async (with duplicate callbacks),
// refusals, a failing gateway behind its breaker, a slow gateway, and signed callbacks.
#define CAF_SUITE gateway
#include <utility>

#include <cstdlib>
#include <ctime>
#include <set>
#include <string>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "domain/signature.hpp"
#include "tests/support/gateway_sim_process.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

struct gateway_fixture {
  explicit gateway_fixture(const std::string& sim_flags = "",
                           const std::function<void(settings&)>& tweak = {})
      : sim(sim_flags), server([&](settings& s) {
          sim.configure(s);
          if (tweak) tweak(s);
        }) {}

  gateway_sim_process sim;
  test_server server;
  std::string token = server.admin_token();

  http_call call(std::string method, std::string path, std::string body = {}) {
    return authed(token, std::move(method), std::move(path), std::move(body));
  }
  std::string create_bill() {
    auto r = server.call(call("POST", "/api/v1/bills", bill_body()));
    CAF_REQUIRE_EQUAL(r.status, 201);
    return str_of(json_of(r), "id");
  }
  http_reply control_number(const std::string& id) {
    return server.call(call("GET", "/api/v1/bills/" + id + "/control-number"));
  }
  /// Polls until the answer is no longer 202 (or the wait ends).
  http_reply settled_control_number(const std::string& id, std::chrono::seconds wait = 20s) {
    auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto r = control_number(id);
      if (r.status != 202 || std::chrono::steady_clock::now() > until) return r;
      std::this_thread::sleep_for(20ms);
    }
  }
  http_reply gateway_post(const std::string& path, const std::string& body,
                          const std::string& secret = gateway_secret_in,
                          std::int64_t at = static_cast<std::int64_t>(std::time(nullptr))) {
    http_call c{"POST", path, body};
    c.headers.emplace_back("X-Signature", sign_request(secret, at, "POST", path, body));
    return server.call(c);
  }
  rapidjson::Document gateway_log(const std::string& id) {
    return json_of(server.call(call("GET", "/api/v1/bills/" + id + "/gateway-log")));
  }
};

struct sync_fixture : gateway_fixture {};

struct async_fixture : gateway_fixture {
  async_fixture() : gateway_fixture("--mode async --latency-ms 100 --duplicate-callbacks") {}
};

struct flaky_fixture : gateway_fixture {
  flaky_fixture()
      : gateway_fixture("", [](settings& s) {
          s.gateway.attempts = 1;
          s.gateway.breaker.window = 4;
          s.gateway.breaker.min_calls = 2;
          s.gateway.breaker.open = 300ms;
          s.gateway.breaker.open_max = 300ms;
          s.gateway.breaker.probes = 1;
        }) {}
};

struct slow_fixture : gateway_fixture {
  slow_fixture()
      : gateway_fixture("--latency-ms 700", [](settings& s) {
          s.gateway.timeout = 300ms;
          s.gateway.attempts = 2;
        }) {}
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_sync_tests, sync_fixture)

CAF_TEST(a_sync_gateway_issues_the_control_number_and_logs_the_exchange) {
  auto id = create_bill();
  auto r = settled_control_number(id);
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto doc = json_of(r);
  CAF_CHECK(str_of(doc, "control_number").size() == 12);
  CAF_CHECK_EQUAL(str_of(doc, "bill_status"), "issued");
  CAF_CHECK(!r.header("etag").empty());
  auto bill = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  CAF_CHECK_EQUAL(str_of(bill, "status"), "issued");
  CAF_CHECK_EQUAL(str_of(bill, "control_number"), str_of(doc, "control_number"));
  auto log = gateway_log(id);
  CAF_REQUIRE(log["items"].IsArray() && log["items"].Size() >= 1);
  CAF_CHECK_EQUAL(str_of(log["items"][0], "req_type"), "control_number");
  CAF_CHECK_EQUAL(str_of(log["items"][0], "status"), "issued");
  CAF_CHECK_EQUAL(log["items"][0]["http_status"].GetInt(), 200);
  auto health = json_of(server.call(http_call{"GET", "/health"}));
  CAF_CHECK_EQUAL(str_of(health, "status"), "healthy");
  CAF_CHECK_EQUAL(str_of(health["checks"]["gateway"], "breaker"), "closed");
}

CAF_TEST(many_bills_get_their_numbers_each_recorded_once_through_the_answer_batches) {
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(create_bill());
  std::set<std::string> numbers;
  for (const auto& id : ids) {
    auto r = settled_control_number(id);
    CAF_REQUIRE_EQUAL(r.status, 200);
    numbers.insert(str_of(json_of(r), "control_number"));
    // Recorded once: one control_number row in the bill's audit chain.
    auto audit = json_of(
        server.call(call("GET", "/api/v1/audit?entity_type=bill&entity_id=" + id + "&limit=100")));
    CAF_REQUIRE(audit["items"].IsArray());
    int recorded = 0;
    for (const auto& row : audit["items"].GetArray())
      if (str_of(row, "action") == "control_number") ++recorded;
    CAF_CHECK_EQUAL(recorded, 1);
  }
  CAF_CHECK_EQUAL(numbers.size(), ids.size());
  auto members = scraped(server, R"(billd_billing_batch_members_total{write="gateway_answer"})");
  auto batches = scraped(server, R"(billd_billing_batches_total{write="gateway_answer"})");
  CAF_MESSAGE("40 answers in " << batches << " batches");
  CAF_CHECK_EQUAL(members, 40.0);
  CAF_CHECK_GREATER_OR_EQUAL(batches, 1.0);
}

CAF_TEST(a_refused_bill_fails_with_the_gateways_reason) {
  sim.control(R"({"refuse":true})");
  auto id = create_bill();
  auto r = settled_control_number(id);
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(problem_slug(r), "control-number-failed");
  auto doc = json_of(r);
  CAF_CHECK_EQUAL(str_of(doc, "bill_status"), "failed");
  CAF_CHECK(str_of(doc, "reason").find("not registered") != std::string::npos);
}

CAF_TEST(cancelling_an_issued_bill_withdraws_its_number_at_the_gateway) {
  auto id = create_bill();
  CAF_REQUIRE_EQUAL(settled_control_number(id).status, 200);
  CAF_REQUIRE_EQUAL(server.call(call("POST", "/api/v1/bills/" + id + "/cancel")).status, 200);
  auto until = std::chrono::steady_clock::now() + 20s;
  while (sim.stat("withdrawn") < 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  CAF_CHECK_EQUAL(sim.stat("withdrawn"), 1);
}

CAF_TEST(callbacks_must_be_signed_and_name_a_known_bill_and_one_number) {
  auto id = create_bill();
  auto cn = str_of(json_of(settled_control_number(id)), "control_number");
  const std::string path = "/api/v1/gateway/control-numbers";
  auto same = R"({"bill_id":")" + id + R"(","control_number":")" + cn + R"("})";
  CAF_CHECK_EQUAL(gateway_post(path, same).status, 200);  // a duplicate is harmless
  CAF_CHECK_EQUAL(gateway_post(path, same, "wrong-secret").status, 401);
  CAF_CHECK_EQUAL(gateway_post(path, same, gateway_secret_in, std::time(nullptr) - 301).status,
                  401);
  http_call unsigned_call{"POST", path, same};
  CAF_CHECK_EQUAL(server.call(unsigned_call).status, 401);
  auto other = R"({"bill_id":")" + id + R"(","control_number":"111111111111"})";
  CAF_CHECK_EQUAL(gateway_post(path, other).status, 409);
  auto unknown = R"({"bill_id":"bil_01JD3Q9Z8Y7X6W5V4T3S2R1Q0P","control_number":"1"})";
  CAF_CHECK_EQUAL(gateway_post(path, unknown).status, 404);
  CAF_CHECK_EQUAL(gateway_post(path, R"({"control_number":5})").status, 422);
  CAF_CHECK_EQUAL(str_of(json_of(control_number(id)), "control_number"), cn);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(gateway_async_tests, async_fixture)

CAF_TEST(an_async_gateway_answers_202_first_then_the_callback_issues_the_number_once) {
  auto id = create_bill();
  auto first = control_number(id);
  CAF_CHECK(first.status == 202 || first.status == 200);
  if (first.status == 202) CAF_CHECK_EQUAL(first.header("retry-after"), "1");
  auto r = settled_control_number(id);
  CAF_REQUIRE_EQUAL(r.status, 200);
  // Duplicate callbacks are recorded as exchanges but change nothing twice.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (sim.stat("callbacks_sent") < 2 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  auto bill = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  CAF_CHECK_EQUAL(bill["version"].GetInt(), 2);
  CAF_CHECK_EQUAL(sim.stat("control_number_requests"), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(gateway_flaky_tests, flaky_fixture)

CAF_TEST(a_failing_gateway_opens_the_breaker_and_bills_stay_pending_until_it_recovers) {
  sim.control(R"({"error_rate":1.0,"error_kind":"5xx"})");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(create_bill());
  auto until = std::chrono::steady_clock::now() + 10s;
  while (sim.stat("errors_injected") < 2 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(300ms);
  for (const auto& id : ids) CAF_CHECK_EQUAL(control_number(id).status, 202);
  auto health = json_of(server.call(http_call{"GET", "/health"}));
  CAF_CHECK_EQUAL(str_of(health, "status"), "degraded");
  CAF_CHECK(str_of(health["checks"]["gateway"], "breaker") != "closed");
  sim.control(R"({"error_rate":0.0})");
  for (const auto& id : ids) CAF_CHECK_EQUAL(settled_control_number(id).status, 200);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(gateway_misbehaving_tests, slow_fixture)

CAF_TEST(a_gateway_that_hangs_or_resets_costs_a_timeout_and_the_bill_is_issued_later) {
  for (auto kind : {"hang", "reset"}) {
    sim.control(std::string{R"({"latency_ms":"0","error_rate":1.0,"error_kind":")"} + kind +
                R"("})");
    auto before = sim.stat("errors_injected");
    auto id = create_bill();
    auto until = std::chrono::steady_clock::now() + 10s;
    while (sim.stat("errors_injected") < before + 2 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(20ms);
    CAF_CHECK_EQUAL(control_number(id).status, 202);  // still pending, never failed
    sim.control(R"({"error_rate":0.0})");
    CAF_CHECK_EQUAL(settled_control_number(id).status, 200);
    auto log = gateway_log(id);
    bool saw = false;
    for (const auto& e : log["items"].GetArray())
      saw |= str_of(e, "status") == (std::string{kind} == "hang" ? "timeout" : "connection_error");
    CAF_CHECK(saw);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(gateway_slow_tests, slow_fixture)

CAF_TEST(a_timeout_after_the_gateway_created_the_number_gets_the_same_number_on_retry) {
  auto id = create_bill();
  auto until = std::chrono::steady_clock::now() + 10s;
  while (sim.stat("control_number_requests") < 2 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  CAF_CHECK(sim.stat("control_number_requests") >= 2);
  sim.control(R"({"latency_ms":"0"})");
  auto r = settled_control_number(id);
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(sim.stat("bills"), 1);   // one bill, one number at the gateway
  CAF_CHECK_EQUAL(sim.stat("issued"), 1);  // however often billd asked
  auto log = gateway_log(id);
  bool saw_timeout = false;
  for (const auto& e : log["items"].GetArray()) saw_timeout |= str_of(e, "status") == "timeout";
  CAF_CHECK(saw_timeout);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// A throw-away CA and a server certificate for 127.0.0.1, made with the openssl CLI.
std::string make_test_certificates() {
  char dir_template[] = "/tmp/billd-tls-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  std::string script =
      "cd " + dir +
      " && echo subjectAltName=IP:127.0.0.1 > san.ext &&"
      " openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2"
      " -subj '/CN=billd test CA' 2>/dev/null &&"
      " openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
      " -subj '/CN=127.0.0.1' 2>/dev/null &&"
      " openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
      " -out server.pem -days 2 -extfile san.ext 2>/dev/null";
  CAF_REQUIRE_EQUAL(std::system(script.c_str()), 0);
  return dir;
}

}  // namespace

CAF_TEST(an_https_gateway_is_used_only_when_its_certificate_verifies) {
  auto dir = make_test_certificates();
  gateway_sim_process sim{"--tls-cert " + dir + "/server.pem --tls-key " + dir + "/server.key"};
  CAF_REQUIRE(sim.url().starts_with("https://127.0.0.1:"));
  auto bill_of = [](test_server& server) {
    auto token = server.admin_token();
    auto r = server.call(authed(token, "POST", "/api/v1/bills", bill_body()));
    CAF_REQUIRE_EQUAL(r.status, 201);
    return std::pair{token, str_of(json_of(r), "id")};
  };
  {
    test_server trusted{[&](settings& s) {
      sim.configure(s);
      s.tls.ca_file = dir + "/ca.pem";
    }};
    auto [token, id] = bill_of(trusted);
    auto until = std::chrono::steady_clock::now() + 20s;
    int status = 0;
    while ((status = trusted.call(authed(token, "GET", "/api/v1/bills/" + id + "/control-number"))
                         .status) == 202 &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(20ms);
    CAF_CHECK_EQUAL(status, 200);
  }
  {
    // The system store does not know the test CA: the handshake fails, the bill waits.
    test_server untrusted{[&](settings& s) { sim.configure(s); }};
    auto [token, id] = bill_of(untrusted);
    auto until = std::chrono::steady_clock::now() + 20s;
    bool refused = false;
    while (!refused && std::chrono::steady_clock::now() < until) {
      auto log =
          json_of(untrusted.call(authed(token, "GET", "/api/v1/bills/" + id + "/gateway-log")));
      for (const auto& e : log["items"].GetArray())
        refused |= str_of(e, "status") == "connection_error";
      std::this_thread::sleep_for(20ms);
    }
    CAF_CHECK(refused);
    CAF_CHECK_EQUAL(
        untrusted.call(authed(token, "GET", "/api/v1/bills/" + id + "/control-number")).status,
        202);
  }
  std::system(("rm -rf " + dir).c_str());
}
