// HTTP framing against a real socket: limits, malformed input, routing, request ids,
// pipelining, keep-alive, and idle or slow clients.
#define CAF_SUITE http_framing
#include <utility>

#include <sys/resource.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

struct fixture {
  // Expensive hashing makes a login a genuinely slow request for the pipelining test.
  test_server server{[](settings& s) {
    s.auth.argon2_ops = 3;
    s.auth.argon2_mem_kib = 64 * 1024;
    s.http.drain_timeout = std::chrono::milliseconds{200};
  }};
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(http_framing_tests, fixture)

CAF_TEST(an_unknown_path_is_404_problem_json) {
  auto r = server.call({"GET", "/nope"});
  CAF_CHECK_EQUAL(r.status, 404);
  CAF_CHECK_EQUAL(problem_slug(r), "not-found");
  CAF_CHECK_EQUAL(r.header("content-type"), "application/problem+json");
}

CAF_TEST(a_wrong_method_is_405_with_allow) {
  auto r = server.call({"DELETE", "/api/v1/bills"});
  CAF_CHECK_EQUAL(r.status, 405);
  CAF_CHECK_EQUAL(problem_slug(r), "method-not-allowed");
  CAF_CHECK_EQUAL(r.header("allow"), "POST, GET");
}

CAF_TEST(health_live_answers_on_the_fast_path) {
  auto r = server.call({"GET", "/health/live"});
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(r), "status"), "live");
}

CAF_TEST(health_ready_is_200_with_a_reachable_database) {
  auto r = server.call({"GET", "/health/ready"});
  CAF_CHECK_EQUAL(r.status, 200);
  auto h = server.call({"GET", "/health"});
  CAF_CHECK_EQUAL(h.status, 200);
  auto doc = json_of(h);
  CAF_CHECK_EQUAL(str_of(doc, "status"), "healthy");
  for (auto check : {"database", "cache", "gateway", "memory", "cluster"})
    CAF_CHECK(doc["checks"].HasMember(check));
  CAF_CHECK_EQUAL(str_of(doc["checks"]["gateway"], "status"), "unconfigured");
}

CAF_TEST(a_valid_request_id_is_echoed_and_an_invalid_one_replaced) {
  http_call c{"GET", "/health/live"};
  c.headers = {{"X-Request-Id", "abc.DEF_1:2-3"}};
  CAF_CHECK_EQUAL(server.call(c).header("x-request-id"), "abc.DEF_1:2-3");
  c.headers = {{"X-Request-Id", "bad id with spaces"}};
  auto replaced = server.call(c).header("x-request-id");
  CAF_CHECK(!replaced.empty());
  CAF_CHECK_NOT_EQUAL(replaced, "bad id with spaces");
  c.headers = {{"X-Request-Id", std::string(129, 'a')}};
  CAF_CHECK_NOT_EQUAL(server.call(c).header("x-request-id"), std::string(129, 'a'));
}

CAF_TEST(non_http_bytes_get_400_and_the_connection_closes) {
  http_connection conn{server.address()};
  conn.send_raw("\x16\x03\x01\x02\x00garbage that is not http\r\n\r\n");
  auto r = conn.read_reply();
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->status, 400);
  CAF_CHECK_EQUAL(problem_slug(*r), "malformed-request");
  CAF_CHECK(conn.closed_by_peer());
}

CAF_TEST(a_2_mib_body_gets_413_and_the_client_reads_it) {
  http_connection conn{server.address()};
  http_call c{"POST", "/api/v1/bills"};
  c.body = std::string(2 << 20, 'x');
  conn.send_raw(render(c));
  auto r = conn.read_reply();
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->status, 413);
  CAF_CHECK_EQUAL(problem_slug(*r), "payload-too-large");
  CAF_CHECK(conn.closed_by_peer());
}

CAF_TEST(a_20_kib_header_gets_431) {
  http_connection conn{server.address()};
  http_call c{"GET", "/health"};
  c.headers = {{"X-Padding", std::string(20 << 10, 'h')}};
  conn.send_raw(render(c));
  auto r = conn.read_reply();
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->status, 431);
  CAF_CHECK_EQUAL(problem_slug(*r), "headers-too-large");
}

CAF_TEST(a_9_kib_url_gets_414) {
  auto r = server.call({"GET", "/api/v1/bills/" + std::string(9 << 10, 'u')});
  CAF_CHECK_EQUAL(r.status, 414);
  CAF_CHECK_EQUAL(problem_slug(r), "uri-too-long");
}

CAF_TEST(keep_alive_serves_several_requests_on_one_connection) {
  http_connection conn{server.address()};
  for (int i = 0; i < 3; ++i) {
    conn.send_raw(render({"GET", "/health/live"}));
    auto r = conn.read_reply();
    CAF_REQUIRE(r.has_value());
    CAF_CHECK_EQUAL(r->status, 200);
  }
}

CAF_TEST(pipelined_requests_are_answered_in_order_behind_a_slow_one) {
  http_connection conn{server.address()};
  http_call slow{"POST", "/api/v1/auth/login"};
  slow.body = std::string{R"({"username":"admin","password":")"} + admin_password + "\"}";
  http_call fast{"GET", "/health/live"};
  http_call missing{"GET", "/nope"};
  conn.send_raw(render(slow) + render(fast) + render(missing));
  auto first = conn.read_reply();
  auto second = conn.read_reply();
  auto third = conn.read_reply();
  CAF_REQUIRE(first && second && third);
  CAF_CHECK_EQUAL(first->status, 200);
  CAF_CHECK(!str_of(json_of(*first), "token").empty());
  CAF_CHECK_EQUAL(second->status, 200);
  CAF_CHECK_EQUAL(third->status, 404);
}

CAF_TEST(answers_larger_than_the_socket_buffers_arrive_whole_and_in_order) {
  auto token = server.user_token("clerk");
  for (int i = 0; i < 100; ++i)
    CAF_REQUIRE_EQUAL(server.call(authed(token, "POST", "/api/v1/bills", bill_body())).status, 201);
  // A small receive window, and nothing read for a while: billd cannot write these answers at
  // once, so the rest of each goes out as the client drains the socket, in order.
  http_connection conn{server.address(), true};
  std::string requests;
  for (int i = 0; i < 8; ++i) requests += render(authed(token, "GET", "/api/v1/bills?limit=100"));
  requests += render({"GET", "/health/live"});
  conn.send_raw(requests);
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  std::size_t bytes = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = conn.read_reply();
    CAF_REQUIRE(r.has_value());
    CAF_CHECK_EQUAL(r->status, 200);
    CAF_CHECK_EQUAL(json_of(*r)["items"].Size(), 100u);
    bytes += r->body.size();
  }
  CAF_CHECK_GREATER(bytes, 128u * 1024);  // far more than the window and the send buffer hold
  auto live = conn.read_reply();
  CAF_REQUIRE(live.has_value());
  CAF_CHECK_EQUAL(live->status, 200);
  // The connection goes on: its next request is answered as usual.
  conn.send_raw(render({"GET", "/health/live"}));
  auto again = conn.read_reply();
  CAF_REQUIRE(again.has_value());
  CAF_CHECK_EQUAL(again->status, 200);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(idle_and_slow_clients_do_not_starve_the_rest_and_are_closed_on_time) {
  // 550 client sockets plus as many on billd's side: more than a default soft limit of 1024.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 4096 && lim.rlim_max >= 4096) {
    lim.rlim_cur = 4096;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  test_server server{[](settings& s) {
    s.http.header_timeout = std::chrono::milliseconds{1'500};
    s.http.idle_timeout = std::chrono::milliseconds{1'500};
  }};
  auto token = server.user_token("clerk");
  std::vector<std::unique_ptr<http_connection>> idle, slow;
  for (int i = 0; i < 500; ++i) idle.push_back(std::make_unique<http_connection>(server.address()));
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<http_connection>(server.address()));
    slow.back()->send_raw("GET /api/v1/auth/me HTTP/1.1\r\nHost: t\r\n");  // never finished
  }
  // Ordinary requests keep being served meanwhile.
  http_call me{"GET", "/api/v1/auth/me"};
  me.token = token;
  for (int i = 0; i < 20; ++i) CAF_REQUIRE_EQUAL(server.call(me).status, 200);
  // The header timeout closes the idle and the slow ones; the limit is theirs, not ours.
  int closed = 0;
  for (auto& c : slow) closed += c->closed_by_peer(std::chrono::seconds{5}) ? 1 : 0;
  for (int i = 0; i < 50; ++i) closed += idle[i]->closed_by_peer(std::chrono::seconds{5}) ? 1 : 0;
  CAF_CHECK_EQUAL(closed, 100);
  CAF_CHECK_EQUAL(server.call(me).status, 200);
}
