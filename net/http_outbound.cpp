#include <utility>  // Boost.Asio 1.74 under C++20 needs it first (CAF017.md)

#include "net/http_outbound.hpp"

#include "domain/text_rules.hpp"
#include "domain/url.hpp"
#include "domain/webhook_rules.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>
#include <optional>

namespace billd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

/// Every operation runs on a private io_context and is bounded by the stream's expiry, so a
/// hanging peer costs at most the timeout and never blocks a thread past it.
class beast_transport final : public http_transport {
 public:
  explicit beast_transport(http_origin origin) : origin_(std::move(origin)) {
    if (origin_.tls) {
      tls_.emplace(ssl::context::tls_client);
      tls_->set_verify_mode(ssl::verify_peer);
      if (origin_.ca_file.empty())
        tls_->set_default_verify_paths();
      else
        tls_->load_verify_file(origin_.ca_file);
    }
  }

  outbound_response exchange(const outbound_request& req,
                             std::chrono::milliseconds timeout) override {
    auto started = clock::now();
    outbound_response out;
    // A kept-alive connection may have been closed by the peer meanwhile: one fresh retry
    // when the failure happened before any byte of the answer on a reused connection.
    bool reused = connected();
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
    drop();
  }

  bool connected() const { return plain_.has_value() || secure_.has_value(); }
  void drop() {
    secure_.reset();
    plain_.reset();
  }
  beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }
  /// Runs an I/O operation on whichever stream this origin uses.
  template <class Op>
  void on_stream(Op op) {
    if (secure_)
      op(*secure_);
    else
      op(*plain_);
  }

  /// Runs the pending connect or handshake; false (connection dropped) when it failed.
  bool settle_opening(beast::error_code& ec, outbound_response& out) {
    ioc_.run();
    ioc_.restart();
    if (!ec) return true;
    fail(out, ec == beast::error::timeout ? wire_error::timeout : wire_error::connect_failed, ec);
    return false;
  }

  /// TCP connect, then for https the TLS handshake with SNI and host-name verification.
  bool open(std::chrono::milliseconds timeout, outbound_response& out) {
    beast::error_code ec;
    tcp::resolver resolver{ioc_};
    auto endpoints = resolver.resolve(origin_.host, origin_.port, ec);
    if (ec) return fail(out, wire_error::connect_failed, ec), false;
    if (origin_.refuse_private && !is_loopback_host(origin_.host))
      for (const auto& entry : endpoints) {
        auto address = entry.endpoint().address();
        if (address.is_loopback() || is_private_address(address.to_string())) {
          out.error = wire_error::connect_failed;
          out.error_text =
              origin_.host + " resolves to a private address (webhooks.allow_private_networks)";
          drop();
          return false;
        }
      }
    if (origin_.tls)
      secure_.emplace(ioc_, *tls_);
    else
      plain_.emplace(ioc_);
    lowest().expires_after(timeout);
    lowest().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    if (!settle_opening(ec, out)) return false;
    lowest().socket().set_option(tcp::no_delay(true), ec);
    if (!secure_) return true;
    if (!SSL_set_tlsext_host_name(secure_->native_handle(), origin_.host.c_str())) {
      out.error = wire_error::connect_failed;
      out.error_text = "cannot set the TLS server name";
      drop();
      return false;
    }
    secure_->set_verify_callback(ssl::host_name_verification(origin_.host));
    secure_->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    if (!settle_opening(ec, out)) return false;
    return true;
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
    if (!connected() && !open(timeout, out)) return;
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
    lowest().expires_after(timeout);
    on_stream([&](auto& st) {
      http::async_write(st, r, [&](beast::error_code e, std::size_t) { ec = e; });
    });
    ioc_.run();
    ioc_.restart();
    if (ec) return fail(out, classify(ec), ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(4u << 20);
    on_stream([&](auto& st) {
      http::async_read_header(st, buffer_, parser,
                              [&](beast::error_code e, std::size_t) { ec = e; });
    });
    ioc_.run();
    ioc_.restart();
    if (ec) return fail(out, classify(ec), ec);
    answer_started_ = true;
    on_stream([&](auto& st) {
      http::async_read(st, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    });
    ioc_.run();
    if (ec) return fail(out, classify(ec), ec);
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& field : res) {
      out.headers.emplace_back(ascii_lower({field.name_string().data(), field.name_string().size()}), std::string{field.value()});
    }
    if (!res.keep_alive()) drop();
  }

  http_origin origin_;
  asio::io_context ioc_{1};
  std::optional<ssl::context> tls_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
  bool answer_started_ = false;
};

}  // namespace

bool parse_http_origin(const std::string& url, http_origin& out, std::string& error) {
  out.tls = url.rfind("https://", 0) == 0;
  if (!out.tls && url.rfind("http://", 0) != 0) {
    error = "must start with http:// or https://";
    return false;
  }
  auto rest = std::string_view{url}.substr(out.tls ? 8 : 7);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.base_path = slash == std::string_view::npos ? "" : std::string{rest.substr(slash)};
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    out.host = std::string{authority};
    out.port = out.tls ? "443" : "80";
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

std::unique_ptr<http_transport> make_url_transport(const std::string& url,
                                                   const std::string& ca_file, bool allow_private,
                                                   std::string& origin, std::string& path,
                                                   std::string& error) {
  auto parts = split_url(url);
  http_origin o;
  if (!parse_http_origin(parts.origin, o, error)) return nullptr;
  o.ca_file = ca_file;
  o.refuse_private = !allow_private;
  origin = std::string{o.tls ? "https://" : "http://"} + o.host + ":" + o.port;
  path = std::move(parts.path);
  return make_http_transport(o);
}

std::unique_ptr<http_transport> make_http_transport(const http_origin& origin) {
  return std::make_unique<beast_transport>(origin);
}

}  // namespace billd
