#define CAF_SUITE ops_listener
// The ops listener (http.ops_listen) on a real billd: a second address that answers /health,
// /health/live, /health/ready and /metrics as the API listener does and anything else 404
// problem+json on its own thread (counted as unmatched), so it opens no way around the API's
// admission or authentication; it takes no request body. Without the key there is none.
#include <filesystem>
#include <fstream>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

struct fixture {
  test_server server{[](settings& s) { s.http.ops_listen = "127.0.0.1:0"; }};
  std::string ops = server.srv().ops_listen_address();

  http_reply on_ops(http_call c) const { return send(ops, c); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(ops_listener_tests, fixture)

CAF_TEST(health_and_metrics_are_answered_on_the_ops_listener) {
  CAF_REQUIRE(!ops.empty());
  CAF_CHECK_NOT_EQUAL(ops, server.address());
  std::ifstream written{std::filesystem::path{server.cfg().data_dir} / "ops-listen-address"};
  std::string line;
  std::getline(written, line);
  CAF_CHECK_EQUAL(line, ops);
  auto live = on_ops(http_call{"GET", "/health/live"});
  CAF_CHECK_EQUAL(live.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(live), "status"), "live");
  CAF_CHECK_EQUAL(on_ops(http_call{"GET", "/health/ready"}).status, 200);
  auto health = on_ops(http_call{"GET", "/health"});
  CAF_CHECK_EQUAL(health.status, 200);
  CAF_CHECK(json_of(health).HasMember("checks"));
  auto scrape = on_ops(http_call{"GET", "/metrics?format=text"});
  CAF_CHECK_EQUAL(scrape.status, 200);
  CAF_CHECK(scrape.body.find("billd_http_requests_in_flight") != std::string::npos);
}

CAF_TEST(every_other_route_is_404_there_and_still_served_on_the_api_listener) {
  auto clerk = server.user_token("clerk");
  for (const auto& call :
       {authed(clerk, "GET", "/api/v1/bills"), authed(clerk, "POST", "/api/v1/bills"),
        http_call{"POST", "/api/v1/auth/login"}, http_call{"GET", "/metricsx"},
        http_call{"GET", "/"}, http_call{"GET", "/healthx"}, http_call{"GET", "/health/live/x"},
        http_call{"GET", "/health/../api/v1/bills"},
        http_call{"GET", "/health%2F..%2Fapi%2Fv1%2Fbills"}}) {
    auto r = on_ops(call);
    CAF_CHECK_EQUAL(r.status, 404);
    CAF_CHECK_EQUAL(problem_slug(r), "not-found");
    // Refused by the listener itself, not by a front's router.
    CAF_CHECK_EQUAL(str_of(json_of(r), "detail"), "this listener serves /health and /metrics only");
  }
  // A body is refused before it is read (its routes take none), a valid create's too.
  CAF_CHECK_EQUAL(on_ops(http_call{"GET", "/health", std::string(64, 'x')}).status, 413);
  CAF_CHECK_EQUAL(on_ops(authed(clerk, "POST", "/api/v1/bills", bill_body())).status, 413);
  // The refusals are in the front's next report, as requests no route serves.
  std::this_thread::sleep_for(std::chrono::milliseconds{1'200});
  CAF_CHECK_GREATER_OR_EQUAL(
      scraped(server, R"(billd_http_requests_total{route="unmatched",status="4xx"})"), 9.0);
  CAF_CHECK_EQUAL(server.call(authed(clerk, "GET", "/api/v1/bills")).status, 200);
  // The refused creates made no bill.
  auto list = json_of(server.call(authed(clerk, "GET", "/api/v1/bills")));
  CAF_CHECK_EQUAL(list["items"].Size(), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(without_the_key_there_is_no_ops_listener) {
  test_server plain;
  CAF_CHECK(plain.srv().ops_listen_address().empty());
  CAF_CHECK(
      !std::filesystem::exists(std::filesystem::path{plain.cfg().data_dir} / "ops-listen-address"));
}
