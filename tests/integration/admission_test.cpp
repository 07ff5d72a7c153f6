#define CAF_SUITE admission
// Admission control on a real billd: with front.max_inflight=1 (one front), reads (P2) are
// refused at once on the Asio thread, a write (P1) is refused while another holds the front,
// health (P0) is always answered, every refusal is counted in the front's metrics, and a
// request whose client left holds its place only until its work is done. With room for one
// read (front.max_inflight=2), a read the Asio thread answers from the cache is answered while
// a write holds that room; a read that needs the front is refused.
#include <utility>

#include <chrono>
#include <optional>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

/// A billd with one front admitting `bound` requests at once (reads: 80 % of it).
struct bounded_fixture {
  explicit bounded_fixture(std::uint32_t bound)
      : server{[bound](settings& s) {
          s.http.io_threads = 1;
          s.front.max_inflight = bound;
        }} {}

  test_server server;
  std::string clerk = server.user_token("clerk");

  /// The test's own connection, holding a bill's row lock (begun by locked_bill).
  std::optional<pg_connection> holder;

  /// A new bill whose row lock `holder` holds: billd's cancel of it waits on the lock, holding
  /// the front's one place.
  std::string locked_bill() {
    auto created = server.call(authed(clerk, "POST", "/api/v1/bills", bill_body()));
    CAF_REQUIRE_EQUAL(created.status, 201);
    auto id = str_of(json_of(created), "id");
    holder.emplace(server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{60});
    holder->begin();
    holder->exec("SELECT id FROM bills WHERE id = $1 FOR UPDATE", {id});
    return id;
  }

  /// Returns once billd's cancel waits on the lock locked_bill took.
  void wait_for_the_cancel() { wait_for_lock_wait(server, "FROM bills WHERE id = $1 FOR UPDATE"); }

  void check_overloaded(const http_reply& r) {
    CAF_CHECK_EQUAL(r.status, 503);
    CAF_CHECK_EQUAL(problem_slug(r), "overloaded");
    CAF_CHECK_EQUAL(r.header("retry-after"), "1");
  }
};

/// Room for no read at all.
struct fixture : bounded_fixture {
  fixture() : bounded_fixture(1) {}
};

/// Room for one read, while nothing else is in flight.
struct room_for_one_read : bounded_fixture {
  room_for_one_read() : bounded_fixture(2) {}
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
  // The cancel holds the front's one place while the next write arrives. The refusal is
  // checked only once PostgreSQL shows the cancel waiting on the lock (no sleeps: under a
  // loaded machine they were too short).
  auto id = locked_bill();
  http_reply cancelled;
  std::thread canceller(
      [&] { cancelled = server.call(authed(clerk, "POST", "/api/v1/bills/" + id + "/cancel")); });
  wait_for_the_cancel();
  check_overloaded(server.call(authed(clerk, "POST", "/api/v1/bills", bill_body("20.00"))));
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/health"}).status, 200);
  holder->commit();
  canceller.join();
  CAF_CHECK_EQUAL(cancelled.status, 200);
  CAF_CHECK_EQUAL(server.call(authed(clerk, "POST", "/api/v1/bills", bill_body("20.00"))).status,
                  201);
}

CAF_TEST(a_client_that_leaves_mid_request_does_not_keep_the_front_full) {
  // The cancel holds the front's one place, and its client closes the connection meanwhile:
  // billd's session for it ends before the answer exists.
  auto id = locked_bill();
  {
    http_connection leaver{server.address()};
    CAF_REQUIRE(leaver.send_raw(render(authed(clerk, "POST", "/api/v1/bills/" + id + "/cancel"))));
    wait_for_the_cancel();
  }
  holder->commit();
  // The work was done all the same, and once it is the front's place is free again: a write
  // is admitted (before, the place stayed counted and every later write was refused).
  auto done = call_until(server, authed(clerk, "POST", "/api/v1/bills", bill_body("20.00")), 201);
  CAF_CHECK_EQUAL(done.status, 201);
  auto status = holder->exec("SELECT status FROM bills WHERE id = $1", {id});
  CAF_CHECK_EQUAL(status.str(0, 0), "cancelled");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(cached_read_tests, room_for_one_read)

CAF_TEST(a_cached_read_is_answered_while_a_write_holds_the_room_for_reads) {
  auto created = server.call(authed(clerk, "POST", "/api/v1/bills", bill_body()));
  CAF_REQUIRE_EQUAL(created.status, 201);
  auto cached = str_of(json_of(created), "id");
  // Read once through the front (nothing in flight): the cache holds it from then on.
  CAF_REQUIRE_EQUAL(server.call(authed(clerk, "GET", "/api/v1/bills/" + cached)).status, 200);
  auto locked = locked_bill();
  http_reply cancelled;
  std::thread canceller([&] {
    cancelled = server.call(authed(clerk, "POST", "/api/v1/bills/" + locked + "/cancel"));
  });
  wait_for_the_cancel();
  // The cancel holds one place of two: the front has no room for a read now.
  auto hit = server.call(authed(clerk, "GET", "/api/v1/bills/" + cached));
  CAF_CHECK_EQUAL(hit.status, 200);
  CAF_CHECK_EQUAL(hit.header("x-cache"), "HIT");
  CAF_CHECK_EQUAL(str_of(json_of(hit), "id"), cached);
  check_overloaded(server.call(authed(clerk, "GET", "/api/v1/bills")));
  holder->commit();
  canceller.join();
  CAF_CHECK_EQUAL(cancelled.status, 200);
}

CAF_TEST_FIXTURE_SCOPE_END()
