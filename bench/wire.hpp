#pragma once
// billd-bench's own HTTP/1.1 wire work, kept cheap because the client shares the two cores
// with the server it measures: a request is written into one reused string (no header map,
// no serializer), and an answer is parsed for its status and keep-alive only (no header map,
// the body skipped). A perf profile of the 2× overload step had Beast's message fields,
// serializer and per-operation stream timers at about a fifth of billd-bench's CPU.

#include <utility>  // before Asio under C++20 (CAF017.md)

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/scenario.hpp"

namespace billd::bench {

/// Writes `spec` as an HTTP/1.1 request into `out` (cleared first, its capacity kept): Host,
/// the bearer token for every class but health (P0), Idempotency-Key and X-Signature when
/// set, and Content-Type and Content-Length when there is a body or the method carries one.
void write_request(std::string& out, const request_spec& spec, std::string_view token);

/// Parses one answer, keeping only what billd-bench counts: the status (keep_alive() comes
/// from basic_parser). Content-Length and chunked bodies are read through and dropped.
class status_parser final : public boost::beast::http::basic_parser<false> {
 public:
  int status() const { return status_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  int status_ = 0;
};

}  // namespace billd::bench
