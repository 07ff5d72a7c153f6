#pragma once
// An outbound HTTP/1.1 exchange as actors see it. actors/ never includes Beast: net/ implements
// http_transport, app/ injects a factory, and tests may inject their own.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace billd {

struct outbound_request {
  std::string method = "POST";
  std::string target;  // path and query, e.g. /v1/control-numbers
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// How an exchange ended on the wire.
enum class wire_error { none, connect_failed, timeout, reset, protocol };

struct outbound_response {
  wire_error error = wire_error::none;
  std::string error_text;
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::chrono::milliseconds took{0};

  /// The first header of that (lower-case) name, or empty.
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

/// One keep-alive connection to one origin; blocking, used by one thread at a time.
class http_transport {
 public:
  virtual ~http_transport() = default;
  /// Sends req and reads the answer within timeout; reconnects when the connection was closed.
  virtual outbound_response exchange(const outbound_request& req,
                                     std::chrono::milliseconds timeout) = 0;
};

/// Makes one transport to the configured origin.
using transport_factory = std::function<std::unique_ptr<http_transport>()>;

/// Makes a transport to the origin of an absolute URL and sets `path` to the target to
/// request there; nullptr (with `error`) for a URL it cannot reach.
using url_transport_factory = std::function<std::unique_ptr<http_transport>(
    const std::string& url, std::string& origin, std::string& path, std::string& error)>;

}  // namespace billd
