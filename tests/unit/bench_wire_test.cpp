// billd-bench's own request writer and status-only answer parser (bench/wire.hpp).
#define CAF_SUITE bench_wire
#include <utility>

#include "caf/test/unit_test.hpp"

#include <boost/asio/buffer.hpp>
#include <string>

#include "bench/wire.hpp"

using namespace billd::bench;

namespace {

/// Feeds `wire` to a fresh parser; returns it with how many bytes it used.
std::pair<int, bool> parse(const std::string& wire, std::size_t& used, bool& done) {
  status_parser p;
  boost::beast::error_code ec;
  used = 0;
  // As http::async_read drives it: put() until the answer is done (it stops after the header).
  while (!ec && !p.is_done() && used < wire.size())
    used += p.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
  done = !ec && p.is_done();
  return {p.status(), p.keep_alive()};
}

}  // namespace

CAF_TEST(a_health_check_goes_without_the_token_or_a_length) {
  std::string out = "left over from the last request";
  request_spec spec;
  spec.target = "/health/live";
  spec.cls = priority::p0;
  write_request(out, spec, "tok");
  CAF_CHECK_EQUAL(out, "GET /health/live HTTP/1.1\r\nHost: bench\r\n\r\n");
}

CAF_TEST(a_create_carries_token_key_type_length_and_body) {
  std::string out;
  request_spec spec;
  spec.method = "POST";
  spec.target = "/api/v1/bills";
  spec.body = R"({"a":1})";
  spec.idempotency_key = "k-1";
  spec.cls = priority::p1;
  write_request(out, spec, "tok");
  CAF_CHECK_EQUAL(out,
                  "POST /api/v1/bills HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer tok\r\n"
                  "Idempotency-Key: k-1\r\nContent-Type: application/json\r\n"
                  "Content-Length: 7\r\n\r\n{\"a\":1}");
}

CAF_TEST(a_signed_notification_and_an_empty_post) {
  std::string out;
  request_spec spec;
  spec.method = "POST";
  spec.target = "/api/v1/gateway/notifications";
  spec.signature = "sig";
  spec.cls = priority::p1;
  write_request(out, spec, "");
  CAF_CHECK_EQUAL(out,
                  "POST /api/v1/gateway/notifications HTTP/1.1\r\nHost: bench\r\n"
                  "X-Signature: sig\r\nContent-Length: 0\r\n\r\n");
}

CAF_TEST(the_parser_keeps_the_status_and_reads_through_the_body) {
  std::size_t used = 0;
  bool done = false;
  std::string first = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello";
  auto [status, keep] = parse(first + "HTTP/1.1 200 OK\r\n", used, done);
  CAF_CHECK_EQUAL(status, 201);
  CAF_CHECK(keep);
  CAF_CHECK(done);
  // It stops at the end of its answer: a pipelined next one is left in the buffer.
  CAF_CHECK_EQUAL(used, first.size());
}

CAF_TEST(the_parser_sees_a_close_a_shed_answer_and_a_chunked_body) {
  std::size_t used = 0;
  bool done = false;
  auto [status, keep] = parse(
      "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
      "Content-Length: 2\r\n\r\n{}",
      used, done);
  CAF_CHECK_EQUAL(status, 503);
  CAF_CHECK(!keep);
  CAF_CHECK(done);
  std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  auto [status2, keep2] = parse(chunked, used, done);
  CAF_CHECK_EQUAL(status2, 200);
  CAF_CHECK(keep2);
  CAF_CHECK(done);
  CAF_CHECK_EQUAL(used, chunked.size());
}
