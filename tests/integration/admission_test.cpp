#define CAF_SUITE admission
// Admission control on a real billd: with front.max_inflight=1 (one front), reads (P2) are
// refused at once on the Asio thread, a write (P1) is refused while another holds the front,
// health (P0) is always answered, every refusal is counted in the front's metrics, and a
// request whose client left holds its place only until its work is done.
#include <utility>

#include <chrono>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  test_server server{[](settings& s) {
    s.http.io_threads = 1;
    s.front.max_inflight = 1;  // reads get 80 % of it: none
  }};
  std::string clerk = server.user_token("clerk");

  void check_overloaded(const http_reply& r) {
    CAF_CHECK_EQUAL(r.status, 503);
    CAF_CHECK_EQUAL(problem_slug(r), "overloaded");
    CAF_CHECK_EQUAL(r.header("retry-after"), "1");
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(admission_tests, fixture)

CAF_TEST(reads_are_refused_at_the_edge_and_counted_writes_and_health_go_through) {
  auto created = server.call(authed(clerk, "POST", "/api/v1/bills", bill_body()));
  CAF_REQUIRE_EQUAL(created.status, 201);
  auto id = str_of(json_of(created), "id");
  for (int i = 0; i < 3; ++i)
    check_overloaded(server.call(authed(clerk, "GET", "/api/v1/bills/" + id)));
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/health"}).status, 200);
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/health/ready"}).status, 200);
  std::this_thread::sleep_for(1'200ms);  // the front reports once a second
  auto scrape = server.call(http_call{"GET", "/metrics"});
  CAF_REQUIRE_EQUAL(scrape.status, 200);
  for (
      const char* expected : {
          "billd_http_shed_total 3",
          R"(billd_http_requests_total{route="GET /api/v1/bills/{id}",status="5xx"} 3)",
          R"(billd_http_request_duration_seconds_count{route="GET /api/v1/bills/{id}",status="5xx"} 3)",
          R"(billd_http_responses_total{code="503"} 3)",
          R"(billd_http_requests_total{route="POST /api/v1/bills",status="2xx"} 1)",
      })
    CAF_CHECK(scrape.body.find(expected) != std::string::npos);
}

CAF_TEST(a_write_is_refused_while_another_holds_the_front_and_admitted_after) {
  auto created = server.call(authed(clerk, "POST", "/api/v1/bills", bill_body()));
  CAF_REQUIRE_EQUAL(created.status, 201);
  auto id = str_of(json_of(created), "id");
  // The test holds the bill's row lock; billd's cancel of it waits, holding the front's one
  // place, while the next write arrives. The refusal is checked only once PostgreSQL shows the
  // cancel waiting on that lock (no sleeps: under a loaded machine they were too short).
  pg_connection holder{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{60}};
  holder.begin();
  holder.exec("SELECT id FROM bills WHERE id = $1 FOR UPDATE", {id});
  http_reply cancelled;
  std::thread canceller(
      [&] { cancelled = server.call(authed(clerk, "POST", "/api/v1/bills/" + id + "/cancel")); });
  wait_for_lock_wait(server, "FROM bills WHERE id = $1 FOR UPDATE");
  check_overloaded(server.call(authed(clerk, "POST", "/api/v1/bills", bill_body("20.00"))));
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/health"}).status, 200);
  holder.commit();
  canceller.join();
  CAF_CHECK_EQUAL(cancelled.status, 200);
  CAF_CHECK_EQUAL(server.call(authed(clerk, "POST", "/api/v1/bills", bill_body("20.00"))).status,
                  201);
}

CAF_TEST(a_client_that_leaves_mid_request_does_not_keep_the_front_full) {
  auto created = server.call(authed(clerk, "POST", "/api/v1/bills", bill_body()));
  CAF_REQUIRE_EQUAL(created.status, 201);
  auto id = str_of(json_of(created), "id");
  // The cancel waits on the bill's row lock, holding the front's one place, and its client
  // closes the connection meanwhile: billd's session for it ends before the answer exists.
  pg_connection holder{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{60}};
  holder.begin();
  holder.exec("SELECT id FROM bills WHERE id = $1 FOR UPDATE", {id});
  {
    http_connection leaver{server.address()};
    CAF_REQUIRE(leaver.send_raw(render(authed(clerk, "POST", "/api/v1/bills/" + id + "/cancel"))));
    wait_for_lock_wait(server, "FROM bills WHERE id = $1 FOR UPDATE");
  }
  holder.commit();
  // The work was done all the same, and once it is the front's place is free again: a write
  // is admitted (before, the place stayed counted and every later write was refused).
  auto done = call_until(server, authed(clerk, "POST", "/api/v1/bills", bill_body("20.00")), 201);
  CAF_CHECK_EQUAL(done.status, 201);
  auto status = holder.exec("SELECT status FROM bills WHERE id = $1", {id});
  CAF_CHECK_EQUAL(status.str(0, 0), "cancelled");
}

CAF_TEST_FIXTURE_SCOPE_END()
