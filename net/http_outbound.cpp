#include <utility>  // Boost.Asio 1.74 under C++20 needs it first (CAF017.md)

#include "net/http_outbound.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <optional>

namespace billd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

/// Every operation runs on a private io_context and is bounded by the stream's expiry, so a
/// hanging peer costs at most the timeout and never blocks a thread past it.
class beast_transport final : public http_transport {
 public:
  explicit beast_transport(http_origin origin) : origin_(std::move(origin)) {}

  outbound_response exchange(const outbound_request& req,
                             std::chrono::milliseconds timeout) override {
    auto started = clock::now();
    outbound_response out;
    // A kept-alive connection may have been closed by the peer meanwhile: one fresh retry
    // when the failure happened before any byte of the answer on a reused connection.
    bool reused = stream_.has_value();
    run(req, timeout, out);
    if (reused && (out.error == wire_error::reset || out.error == wire_error::protocol) &&
        !answer_started_) {
      out = outbound_response{};
      run(req,
          timeout - std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started),
          out);
    }
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    return out;
  }

 private:
  void fail(outbound_response& out, wire_error e, const beast::error_code& ec) {
    out.error = e;
    out.error_text = ec.message();
    stream_.reset();
  }

  static wire_error classify(const beast::error_code& ec) {
    if (ec == beast::error::timeout) return wire_error::timeout;
    if (ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == http::error::end_of_stream || ec == asio::error::broken_pipe ||
        ec == http::error::partial_message)
      return wire_error::reset;
    return wire_error::protocol;
  }

  void run(const outbound_request& req, std::chrono::milliseconds timeout, outbound_response& out) {
    answer_started_ = false;
    if (timeout.count() <= 0) {
      out.error = wire_error::timeout;
      out.error_text = "no time left";
      return;
    }
    ioc_.restart();
    beast::error_code ec;
    if (!stream_) {
      stream_.emplace(ioc_);
      tcp::resolver resolver{ioc_};
      auto endpoints = resolver.resolve(origin_.host, origin_.port, ec);
      if (ec) return fail(out, wire_error::connect_failed, ec);
      stream_->expires_after(timeout);
      stream_->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
      ioc_.run();
      ioc_.restart();
      if (ec)
        return fail(out,
                    ec == beast::error::timeout ? wire_error::timeout : wire_error::connect_failed,
                    ec);
      stream_->socket().set_option(tcp::no_delay(true), ec);
    }
    http::request<http::string_body> r{http::string_to_verb(req.method),
                                       origin_.base_path + req.target, 11};
    r.set(http::field::host, origin_.host + ":" + origin_.port);
    r.set(http::field::user_agent, "billd");
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT")
      r.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : req.headers) r.set(k, v);
    r.body() = req.body;
    r.keep_alive(true);
    r.prepare_payload();
    stream_->expires_after(timeout);
    http::async_write(*stream_, r, [&](beast::error_code e, std::size_t) { ec = e; });
    ioc_.run();
    ioc_.restart();
    if (ec) return fail(out, classify(ec), ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(4u << 20);
    http::async_read_header(*stream_, buffer_, parser,
                            [&](beast::error_code e, std::size_t) { ec = e; });
    ioc_.run();
    ioc_.restart();
    if (ec) return fail(out, classify(ec), ec);
    answer_started_ = true;
    http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    ioc_.run();
    if (ec) return fail(out, classify(ec), ec);
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& field : res) {
      std::string name{field.name_string()};
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string{field.value()});
    }
    if (!res.keep_alive()) stream_.reset();
  }

  http_origin origin_;
  asio::io_context ioc_{1};
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  bool answer_started_ = false;
};

}  // namespace

bool parse_http_origin(const std::string& url, http_origin& out, std::string& error) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    error = "must start with http://";
    return false;
  }
  auto rest = std::string_view{url}.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.base_path = slash == std::string_view::npos ? "" : std::string{rest.substr(slash)};
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    out.host = std::string{authority};
    out.port = "80";
  } else {
    out.host = std::string{authority.substr(0, colon)};
    out.port = std::string{authority.substr(colon + 1)};
  }
  if (out.host.empty() || out.port.empty()) {
    error = "must name a host (http://host[:port][/path])";
    return false;
  }
  return true;
}

std::unique_ptr<http_transport> make_url_transport(const std::string& url, std::string& origin,
                                                   std::string& path, std::string& error) {
  if (url.rfind("https://", 0) == 0) {
    error = "https delivery needs TLS, which this build does not have yet";
    return nullptr;
  }
  auto authority_end = url.find('/', 7);
  http_origin o;
  if (!parse_http_origin(url.substr(0, authority_end), o, error)) return nullptr;
  origin = o.host + ":" + o.port;
  path = authority_end == std::string::npos ? "/" : url.substr(authority_end);
  return make_http_transport(o);
}

std::unique_ptr<http_transport> make_http_transport(const http_origin& origin) {
  return std::make_unique<beast_transport>(origin);
}

}  // namespace billd
