#pragma once
// The Beast HTTP/1.1 server: accepts connections on Asio threads, parses requests with explicit
// limits, answers pipelined requests in order, and hands each request to a front actor through
// `dispatch`. Beast stays inside http_server.cpp.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "net/edge_admission.hpp"
#include "net/http_types.hpp"

namespace billd {

/// Hooks the server needs from the rest of billd.
struct http_server_hooks {
  /// Hands a request to front `front_index` (called on an Asio thread; must not block).
  std::function<void(exchange_ptr, std::size_t front_index)> dispatch;
  /// Liveness for the GET /health/live fast path (answered on the Asio thread).
  std::function<bool()> live;
  /// Optional: the answer to a GET made on the Asio thread (net/fast_reads.hpp), or nullopt
  /// to dispatch it. Called on an Asio thread; must not block.
  std::function<std::optional<http_response>(const http_exchange&, std::size_t front_index)>
      answer_here;
  std::size_t fronts = 1;
  /// What the listener serves: every route, or (http.ops_listen) /health, /health/live,
  /// /health/ready and /metrics only, anything else answered 404 on its Asio thread.
  bool ops_only = false;
  /// Admission at the edge (net/edge_admission.hpp), shared with the fronts that report its
  /// refusals. Required: the server throws std::invalid_argument without it.
  std::shared_ptr<edge_admission> edge;
};

/// One listener and its io threads.
class http_server {
 public:
  http_server(http_settings cfg, http_server_hooks hooks);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  /// Binds, listens and starts the io threads; returns the bound "host:port". Throws on error.
  std::string start();
  /// Stops accepting; requests that arrive from now on get 503 with Connection: close.
  void begin_drain();
  /// Requests handed to fronts and not yet answered.
  std::int64_t requests_in_flight() const;
  /// Closes every connection and joins the io threads.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The request id of API.md: `offered` when it is 1–128 chars of [A-Za-z0-9._:-], else a new one.
std::string choose_request_id(std::string_view offered);

}  // namespace billd
