// A front's request whose answer is lost (its target dies holding it) is answered 503 at the
// request's deadline by the front itself (net/front_deadlines.cpp): fronts send with no CAF
// request timeout, so without the front's expire tick such a client would wait forever. The
// late work is not undone, and its outcome never reaches the connection. (The cache read and the
// auth check use the same mechanism; their actors are children of the root supervisor, whose
// rest_for_one restart would take the fronts down with them, so they are not killed here.)
#define CAF_SUITE front_deadline
#include <thread>

#include "app/server_internals.hpp"
#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/blocked_create.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

// One billing shard, a short deadline (long enough that the shard is killed before it even
// on a loaded machine), statements never cancelled before it.
void short_deadline(settings& s) {
  s.billing.shards = 1;
  s.front.request_timeout = std::chrono::seconds{4};
  s.db.statement_timeout = std::chrono::seconds{60};
  s.supervisor.backoff_base = std::chrono::milliseconds{10};
}

template <class Handle>
void kill(const Handle& h) {
  CAF_REQUIRE(h);
  caf::anon_send_exit(h, caf::exit_reason::kill);
}

// The number of bills once there is one (a write that goes on after its answer), at most ~10 s.
std::int64_t bills_once_committed(pg_connection& reader) {
  std::int64_t bills = 0;
  for (int i = 0; i < 200 && bills == 0; ++i) {
    bills = reader.exec("SELECT count(*) FROM bills").int64(0, 0);
    if (bills == 0) std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return bills;
}

// billd_http_late_answers_total once it is not 0 (fronts report once a second), at most ~10 s.
double late_answers_once_counted(const test_server& server) {
  double late = 0;
  for (int i = 0; i < 100 && late == 0; ++i) {
    late = scraped(server, "billd_http_late_answers_total");
    if (late == 0) std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return late;
}

}  // namespace

CAF_TEST(a_create_whose_shard_dies_mid_write_is_answered_outcome_unknown_at_its_deadline) {
  test_server server{short_deadline};
  auto token = server.user_token("clerk");
  auto& parts = server.srv().parts();
  // The create's insert waits on a lock; its shard then dies holding the front's request, so
  // no answer will ever come from it.
  blocked_create create{server, token};
  kill(parts.shards.at(0)->get());
  auto reply = create.answer();
  CAF_CHECK_EQUAL(reply.status, 503);
  CAF_CHECK_EQUAL(problem_slug(reply), "outcome-unknown");
  CAF_CHECK(reply.body.find("the billing shard did not answer") != std::string::npos);
  // The insert itself was not undone: once the lock goes it commits, as outcome-unknown warns.
  create.release();
  pg_connection reader{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  CAF_CHECK_EQUAL(bills_once_committed(reader), 1);
  // The restarted shard takes creates again; the front answers each request once.
  CAF_CHECK_EQUAL(call_until(server, create.request(), 201).status, 201);
  CAF_CHECK_EQUAL(reader.exec("SELECT count(*) FROM bills").int64(0, 0), 2);
}

CAF_TEST(a_write_answered_at_its_deadline_commits_later_without_a_second_answer) {
  test_server server{short_deadline};
  auto token = server.user_token("clerk");
  // As blocked_create, but on a keep-alive connection of the test's own, and the shard stays
  // up: the front's expire tick answers the client at the deadline, the insert commits after
  // it, and the shard's answer (201: the pool answers a write that keeps making progress with
  // its real outcome, however late) reaches the front late.
  // Nothing of it may reach the connection, which answers its next request with its own.
  bills_lock lock{server};
  auto create = authed(token, "POST", "/api/v1/bills", bill_body());
  http_connection conn{server.address()};
  CAF_REQUIRE(conn.send_raw(render(create)));
  wait_for_lock_wait(server, "INSERT INTO bills");
  auto first = conn.read_reply();
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(first->status, 503);
  CAF_CHECK_EQUAL(problem_slug(*first), "outcome-unknown");
  // Nothing came back from the shard yet (a front reports once a second): only the commit
  // that the lock holds back can answer it, so the late answer counted below is that outcome.
  std::this_thread::sleep_for(std::chrono::milliseconds{1'500});
  CAF_CHECK_EQUAL(scraped(server, "billd_http_late_answers_total"), 0);
  lock.release();
  pg_connection reader{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  CAF_CHECK_EQUAL(bills_once_committed(reader), 1);
  CAF_CHECK_EQUAL(late_answers_once_counted(server), 1);
  // The same connection answers its next request with that request's own answer, once.
  CAF_REQUIRE(conn.send_raw(render(create)));
  auto second = conn.read_reply();
  CAF_REQUIRE(second);
  CAF_CHECK_EQUAL(second->status, 201);
  CAF_CHECK(!conn.read_reply(std::chrono::milliseconds{300}));
  CAF_CHECK_EQUAL(reader.exec("SELECT count(*) FROM bills").int64(0, 0), 2);
}

CAF_TEST(a_request_whose_front_dies_holding_it_is_answered_at_once_and_the_front_restarts) {
  test_server server{short_deadline};
  auto token = server.user_token("clerk");
  auto& parts = server.srv().parts();
  // The create waits in the database while its front dies: the front's state (and with it
  // every copy of the exchange) goes, and the dropped exchange answers for itself.
  blocked_create create{server, token};
  for (auto& front : parts.fronts) kill(front->get());
  auto reply = create.answer();
  CAF_CHECK_EQUAL(reply.status, 503);
  CAF_CHECK_EQUAL(problem_slug(reply), "outcome-unknown");
  CAF_CHECK(reply.body.find("billd lost this request") != std::string::npos);
  create.release();
  // The restarted fronts serve again.
  CAF_CHECK_EQUAL(call_until(server, create.request(), 201).status, 201);
}
