#include <utility>  // Boost.Asio 1.74 under C++20 needs it first (CAF017.md)

#include "tools/gateway_sim/sim_server.hpp"

#include <rapidjson/document.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "domain/json_text.hpp"
#include "domain/signature.hpp"
#include "domain/url.hpp"
#include "net/http_outbound.hpp"

namespace billd::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

response answer(const request& req, http::status status, std::string body) {
  response r{status, req.version()};
  r.set(http::field::content_type, "application/json");
  r.keep_alive(req.keep_alive());
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

std::string error_body(std::string_view code, std::string_view message) {
  std::string m;
  append_json_string(m, message);
  return json_object{}
      .raw("error", json_object{}.str("code", code).raw("message", m).finish())
      .finish();
}

/// Sends the async answer for one bill to billd, signed, once or twice.
void send_callback(server_options opts, std::string callback_url, std::string body,
                   std::uint32_t delay_ms, int copies, sim_state* state) {
  std::this_thread::sleep_for(std::chrono::milliseconds{delay_ms});
  if (callback_url.empty()) callback_url = opts.billd_url + "/api/v1/gateway/control-numbers";
  http_origin origin;
  std::string err;
  auto [origin_url, path] = split_url(callback_url);
  if (!parse_http_origin(origin_url, origin, err)) {
    std::fprintf(stderr, "gateway-sim: bad callback url %s: %s\n", callback_url.c_str(),
                 err.c_str());
    return;
  }
  auto transport = make_http_transport(origin);
  for (int i = 0; i < copies; ++i) {
    outbound_request req;
    req.target = path;
    req.body = body;
    req.headers.emplace_back("X-Signature",
                             sign_request(opts.secret_out, unix_now(), "POST", path, body));
    // Retried a few times: a gateway keeps calling back until billd acknowledges.
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto res = transport->exchange(req, std::chrono::seconds{5});
      state->count(res.error == wire_error::none ? "callbacks_sent" : "callback_errors");
      if (res.error == wire_error::none && res.status < 500) break;
      std::this_thread::sleep_for(std::chrono::milliseconds{200 << attempt});
    }
  }
}

/// Misbehaves as configured; true when the connection must end without an answer.
bool inject_error(tcp::socket& sock, const request& req, sim_state& state, response& out) {
  switch (state.current().errors) {
    case error_kind::server_error:
      out = answer(req, http::status::service_unavailable, error_body("unavailable", "injected"));
      return false;
    case error_kind::too_many:
      out = answer(req, http::status::too_many_requests, error_body("rate_limited", "injected"));
      out.set(http::field::retry_after, "1");
      return false;
    case error_kind::reset: {
      beast::error_code ec;
      sock.set_option(asio::socket_base::linger(true, 0), ec);
      sock.close(ec);
      return true;
    }
    case error_kind::hang: {
      // Keep the connection open and silent until the client gives up and closes it.
      char byte;
      beast::error_code ec;
      while (!ec) sock.read_some(asio::buffer(&byte, 1), ec);
      return true;
    }
  }
  return false;
}

response control_number(tcp::socket& sock, const request& req, const server_options& opts,
                        sim_state& state, bool& drop) {
  rapidjson::Document doc;
  doc.Parse(req.body().c_str(), req.body().size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("bill_id") ||
      !doc["bill_id"].IsString())
    return answer(req, http::status::bad_request, error_body("bad_request", "bill_id missing"));
  std::string bill_id = doc["bill_id"].GetString();
  std::string callback = doc.HasMember("callback_url") && doc["callback_url"].IsString()
                             ? doc["callback_url"].GetString()
                             : "";
  state.count("control_number_requests");
  response out;
  if (state.draw_error()) {
    state.count("errors_injected");
    drop = inject_error(sock, req, state, out);
    return out;
  }
  auto k = state.current();
  if (k.refuse) {
    state.count("refused");
    auto why = error_body("invalid_payer", "the payer's phone number is not registered");
    if (k.mode == answer_mode::sync) return answer(req, http::status::unprocessable_entity, why);
    std::string body = "{\"bill_id\":";
    append_json_string(body, bill_id);
    body += "," + why.substr(1);
    std::thread{send_callback, opts, callback, body, state.draw_latency_ms(), 1, &state}.detach();
    return answer(req, http::status::accepted, R"({"status":"accepted"})");
  }
  // The control number exists before the (slow) answer: a client that times out and asks
  // again gets the same one.
  auto cn = state.control_number_for(bill_id);
  auto latency = state.draw_latency_ms();
  if (k.mode == answer_mode::sync) {
    std::this_thread::sleep_for(std::chrono::milliseconds{latency});
    return answer(req, http::status::ok, json_object{}.str("control_number", cn).finish());
  }
  auto body = json_object{}.str("bill_id", bill_id).str("control_number", cn).finish();
  std::thread{send_callback, opts, callback, body, latency, k.duplicate_callbacks ? 2 : 1, &state}
      .detach();
  return answer(req, http::status::accepted, R"({"status":"accepted"})");
}

bool set_knobs(const std::string& body, sim_state& state) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  auto k = state.current();
  for (auto& m : doc.GetObject()) {
    std::string name = m.name.GetString();
    if (name == "mode" && m.value.IsString())
      k.mode = std::string{m.value.GetString()} == "async" ? answer_mode::async : answer_mode::sync;
    else if (name == "latency_ms" && m.value.IsString()) {
      if (!parse_latency(m.value.GetString(), k)) return false;
    } else if (name == "error_rate" && m.value.IsNumber())
      k.error_rate = m.value.GetDouble();
    else if (name == "error_kind" && m.value.IsString()) {
      if (!parse_error_kind(m.value.GetString(), k.errors)) return false;
    } else if (name == "duplicate_callbacks" && m.value.IsBool())
      k.duplicate_callbacks = m.value.GetBool();
    else if (name == "refuse" && m.value.IsBool())
      k.refuse = m.value.GetBool();
    else
      return false;
  }
  state.set(k);
  return true;
}

response route(tcp::socket& sock, const request& req, const server_options& opts, sim_state& state,
               bool& drop) {
  std::string target{req.target()};
  if (target == "/sim/stats" && req.method() == http::verb::get)
    return answer(req, http::status::ok, state.stats_json());
  if (target == "/sim/control" && req.method() == http::verb::post)
    return set_knobs(req.body(), state)
               ? answer(req, http::status::ok, R"({"status":"ok"})")
               : answer(req, http::status::unprocessable_entity,
                        error_body("bad_knobs", "unknown or malformed knob"));
  if (req.method() != http::verb::post)
    return answer(req, http::status::method_not_allowed, error_body("method", "POST only"));
  auto header = req["X-Signature"];
  auto sig = verify_signature(std::string_view{header.data(), header.size()}, opts.secrets_in,
                              unix_now(), "POST", target, req.body());
  if (sig != signature_check::ok) {
    state.count("signature_refused");
    return answer(req, http::status::unauthorized, error_body("signature", to_string(sig)));
  }
  if (target == "/v1/control-numbers") return control_number(sock, req, opts, state, drop);
  constexpr std::string_view prefix = "/v1/control-numbers/", suffix = "/cancel";
  if (target.starts_with(prefix) && target.ends_with(suffix)) {
    auto cn = target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
    state.count("withdrawal_requests");
    if (state.draw_error()) {
      response out;
      drop = inject_error(sock, req, state, out);
      return out;
    }
    if (!state.withdraw(cn))
      return answer(req, http::status::not_found, error_body("not_found", "no such number"));
    return answer(req, http::status::ok, R"({"status":"withdrawn"})");
  }
  return answer(req, http::status::not_found, error_body("not_found", "no such route"));
}

template <class Stream>
void session(Stream& stream, const server_options& opts, sim_state& state) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    request req;
    http::read(stream, buffer, req, ec);
    if (ec) return;
    bool drop = false;
    auto res = route(beast::get_lowest_layer(stream), req, opts, state, drop);
    if (drop) return;
    http::write(stream, res, ec);
    if (ec || !req.keep_alive()) return;
  }
}

}  // namespace

int serve(const server_options& opts, sim_state& state) {
  asio::io_context ioc{1};
  auto colon = opts.listen.rfind(':');
  tcp::endpoint ep{asio::ip::make_address(opts.listen.substr(0, colon)),
                   static_cast<unsigned short>(std::stoi(opts.listen.substr(colon + 1)))};
  tcp::acceptor acceptor{ioc, ep};
  auto bound = acceptor.local_endpoint();
  bool tls = !opts.tls_cert.empty();
  asio::ssl::context ctx{asio::ssl::context::tls_server};
  if (tls) {
    ctx.use_certificate_chain_file(opts.tls_cert);
    ctx.use_private_key_file(opts.tls_key, asio::ssl::context::pem);
  }
  std::printf("gateway-sim listening on %s://%s:%u\n", tls ? "https" : "http",
              bound.address().to_string().c_str(), bound.port());
  std::fflush(stdout);
  for (;;) {
    tcp::socket sock{ioc};
    beast::error_code ec;
    acceptor.accept(sock, ec);
    if (ec) continue;
    std::thread{[s = std::move(sock), &opts, &state, &ctx, tls]() mutable {
      if (!tls) return session(s, opts, state);
      asio::ssl::stream<tcp::socket> secure{std::move(s), ctx};
      beast::error_code handshake_error;
      secure.handshake(asio::ssl::stream_base::server, handshake_error);
      if (!handshake_error) session(secure, opts, state);
    }}.detach();
  }
}

}  // namespace billd::sim
