// gateway-client on CAF's deterministic coordinator: attempts and their jittered delays,
// Retry-After, final refusals, and the breaker opening, refusing and closing again — stepped
// by the test clock against a scripted connection (no sockets, no sleeping).
#define CAF_SUITE gateway_client
#include <utility>

#include "actors/gateway_client.hpp"
#include "caf/test/dsl.hpp"
#include "domain/crypto.hpp"
#include "domain/signature.hpp"
#include "tests/unit/actor_figure.hpp"
#include "tests/unit/ask_once.hpp"
#include "tests/unit/holding_pool.hpp"

#include <algorithm>
#include <deque>

using namespace billd;
using namespace std::chrono_literals;

namespace {

/// Answers every exchange with the next scripted response and remembers the requests.
struct script {
  std::deque<outbound_response> answers;
  std::vector<outbound_request> seen;
};

outbound_response http(int status, std::string body = {},
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
  outbound_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.took = 5ms;
  return r;
}

outbound_response wire(wire_error e) {
  outbound_response r;
  r.error = e;
  r.error_text = "scripted";
  r.took = 5ms;
  return r;
}

gateway_conn_actor::behavior_type scripted_conn(gateway_conn_actor::pointer,
                                                std::shared_ptr<script> s) {
  return {
      [s](exchange_atom, const exchange_job& job) -> exchange_answer {
        s->seen.push_back(job->first);
        auto r = s->answers.empty() ? http(500) : s->answers.front();
        if (!s->answers.empty()) s->answers.pop_front();
        return std::make_shared<const outbound_response>(std::move(r));
      },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<script> conn = std::make_shared<script>();
  test::held_pool db{sys};  // gateway-log writes wait there
  gateway_client_actor client;

  fixture() {
    crypto_init();
    gateway_client_config gc;
    gc.gateway.secret_out = "secret";
    gc.gateway.connections = 1;
    gc.gateway.attempts = 3;
    gc.gateway.retry_base = 200ms;
    gc.gateway.retry_cap = 2'000ms;
    gc.gateway.breaker.window = 4;
    gc.gateway.breaker.min_calls = 4;
    gc.gateway.breaker.open = 10'000ms;
    gc.gateway.breaker.open_max = 60'000ms;
    gc.gateway.breaker.probes = 1;
    gc.spawn_conn = [s = conn](caf::actor_system& system) {
      return system.spawn(scripted_conn, s);
    };
    gc.unix_now = [] { return std::int64_t{1'764'000'000}; };
    gc.db = db.slot;
    gc.gateway.log_queue_max = 2;
    client = spawn_gateway_client(sys, gc);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
    db.stop();
    sched.run();
  }

  /// Gateway-log writes the client asked the pool for so far.
  std::size_t log_writes() const { return db.asked("gateway_log_insert"); }

  /// A figure of the client's metrics now (-1 when it does not report it).
  double figure(const std::string& family) { return test::figure_of(*this, client, family); }

  /// Ends every database task the pool holds.
  void answer_db() {
    db.answer_all();
    sched.run();
  }

  /// Starts one control-number call; the result appears once the clock has run far enough.
  std::shared_ptr<std::optional<gateway_result>> ask(std::string bill = "bil_1") {
    auto out = std::make_shared<std::optional<gateway_result>>();
    gateway_call call{gateway_call_kind::control_number, std::move(bill), "/v1/control-numbers",
                      R"({"bill_id":"bil_1"})"};
    test::ask_once(
        *this, client, [out](gateway_result& r) { *out = std::move(r); }, call_atom::value, call);
    return out;
  }

  /// Lets every pending retry delay (at most the cap) pass.
  void pass_retry_delay() {
    advance_time(2'001ms);
    sched.run();
  }

  std::string breaker() {
    auto out = std::make_shared<std::string>();
    auto c = client;
    sys.spawn(
        [out, c](caf::event_based_actor* caller, int) {
          caller->request(c, caf::infinite, state_atom::value)
              .then([out](const std::string& b, std::uint32_t) { *out = b; });
        },
        0);
    sched.run();
    return *out;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_client_tests, fixture)

CAF_TEST(a_200_issues_the_number_on_the_first_attempt_with_a_fresh_signature) {
  conn->answers = {http(200, R"({"control_number":"991"})")};
  auto r = ask();
  CAF_REQUIRE(r->has_value());
  CAF_CHECK((*r)->verdict == gateway_verdict::issued);
  CAF_CHECK_EQUAL((*r)->control_number, "991");
  CAF_REQUIRE_EQUAL(conn->seen.size(), 1u);
  const auto& req = conn->seen[0];
  CAF_REQUIRE_EQUAL(req.headers.size(), 1u);
  CAF_CHECK_EQUAL(req.headers[0].first, "X-Signature");
  CAF_CHECK(verify_signature(req.headers[0].second, {"secret"}, 1'764'000'000, "POST",
                             "/v1/control-numbers", req.body) == signature_check::ok);
}

CAF_TEST(transient_failures_are_retried_after_a_jittered_delay_up_to_three_attempts) {
  conn->answers = {http(503), wire(wire_error::timeout), http(200, R"({"control_number":"992"})")};
  auto r = ask();
  CAF_CHECK(!r->has_value());  // waiting for the first delay
  CAF_CHECK_EQUAL(conn->seen.size(), 1u);
  pass_retry_delay();
  CAF_CHECK_EQUAL(conn->seen.size(), 2u);
  CAF_CHECK(!r->has_value());
  pass_retry_delay();
  CAF_CHECK_EQUAL(conn->seen.size(), 3u);
  CAF_REQUIRE(r->has_value());
  CAF_CHECK((*r)->verdict == gateway_verdict::issued);
}

CAF_TEST(after_three_failed_attempts_the_caller_is_told_to_retry_later) {
  conn->answers = {http(502), http(429), wire(wire_error::reset)};
  auto r = ask();
  pass_retry_delay();
  pass_retry_delay();
  CAF_REQUIRE(r->has_value());
  CAF_CHECK((*r)->verdict == gateway_verdict::retry_later);
  CAF_CHECK_EQUAL(conn->seen.size(), 3u);
}

CAF_TEST(a_retry_after_longer_than_the_cap_hands_the_wait_back_to_the_job) {
  conn->answers = {http(429, "", {{"retry-after", "30"}})};
  auto r = ask();
  CAF_REQUIRE(r->has_value());
  CAF_CHECK((*r)->verdict == gateway_verdict::retry_later);
  CAF_CHECK_EQUAL((*r)->retry_after_ms, 30'000u);
  CAF_CHECK_EQUAL(conn->seen.size(), 1u);
}

CAF_TEST(other_4xx_answers_are_final_refusals_with_the_gateways_message) {
  conn->answers = {http(422, R"({"error":{"code":"x","message":"bad payer"}})")};
  auto r = ask();
  CAF_REQUIRE(r->has_value());
  CAF_CHECK((*r)->verdict == gateway_verdict::refused);
  CAF_CHECK_EQUAL((*r)->reason, "bad payer");
  CAF_CHECK_EQUAL(conn->seen.size(), 1u);
}

CAF_TEST(a_202_is_accepted_and_waits_for_the_callback) {
  conn->answers = {http(202, R"({"status":"accepted"})")};
  auto r = ask();
  CAF_REQUIRE(r->has_value());
  CAF_CHECK((*r)->verdict == gateway_verdict::accepted);
}

CAF_TEST(refusals_do_not_open_the_breaker_but_failures_do_and_it_recovers) {
  for (int i = 0; i < 4; ++i) conn->answers.push_back(http(400, "{}"));
  for (int i = 0; i < 4; ++i) ask();
  CAF_CHECK_EQUAL(breaker(), "closed");
  // Four calls, one attempt each failing: the window is full of failures.
  conn->answers.clear();
  for (int i = 0; i < 12; ++i) conn->answers.push_back(http(500));
  auto r = ask();
  pass_retry_delay();
  pass_retry_delay();
  auto r2 = ask();  // its first attempt fills the window with failures: the breaker opens
  CAF_CHECK_EQUAL(breaker(), "open");
  pass_retry_delay();  // its second attempt finds the breaker open
  CAF_REQUIRE(r->has_value());
  CAF_REQUIRE(r2->has_value());
  CAF_CHECK((*r2)->verdict == gateway_verdict::retry_later);
  auto seen = conn->seen.size();
  // While open: refused at once, nothing sent, the wait until the probe handed back.
  auto refused = ask();
  CAF_REQUIRE(refused->has_value());
  CAF_CHECK((*refused)->verdict == gateway_verdict::retry_later);
  CAF_CHECK((*refused)->retry_after_ms >= 1'000u);
  CAF_CHECK_EQUAL(conn->seen.size(), seen);
  // After the open time one probe goes out; its success closes the breaker.
  advance_time(10'001ms);
  sched.run();
  conn->answers = {http(200, R"({"control_number":"993"})")};
  auto probe = ask();
  CAF_REQUIRE(probe->has_value());
  CAF_CHECK((*probe)->verdict == gateway_verdict::issued);
  CAF_CHECK_EQUAL(breaker(), "closed");
}

CAF_TEST(log_rows_of_exchanges_that_end_during_a_log_write_go_together_in_the_next) {
  for (int i = 0; i < 4; ++i)
    conn->answers.push_back(http(200, R"({"control_number":"99)" + std::to_string(i) + "\"}"));
  ask("bil_1");
  CAF_CHECK_EQUAL(log_writes(), 1u);  // the first row is being written
  // Three more rows arrive meanwhile; gateway.log_queue_max (2 here) of them wait.
  ask("bil_2");
  ask("bil_3");
  ask("bil_4");
  CAF_CHECK_EQUAL(conn->seen.size(), 4u);
  CAF_CHECK_EQUAL(log_writes(), 1u);
  CAF_CHECK_EQUAL(figure("billd_gateway_log_rows_waiting"), 2.0);
  CAF_CHECK_EQUAL(figure("billd_gateway_log_rows_dropped_total"), 1.0);
  answer_db();
  CAF_CHECK_EQUAL(log_writes(), 2u);  // the waiting rows, in one write
  CAF_CHECK_EQUAL(figure("billd_gateway_log_rows_waiting"), 0.0);
  answer_db();
  CAF_CHECK_EQUAL(log_writes(), 2u);  // nothing left: the dropped row is not written later
}

CAF_TEST_FIXTURE_SCOPE_END()
