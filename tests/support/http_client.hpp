#pragma once
// A small blocking HTTP/1.1 client over real sockets, for integration tests: well-formed
// requests, raw (hostile) bytes, pipelining and half-closed connections.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace billd::test {

/// One response as read off the wire.
struct http_reply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::string header(const std::string& name) const;
  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
};

/// One TCP connection to "host:port".
class http_connection {
 public:
  /// `narrow`: a 4 KiB receive buffer and 536-byte segments, set before connecting, so the
  /// server's socket (whose send buffer Linux sizes by the segment size) fills after a few
  /// dozen KiB that the test does not read.
  explicit http_connection(const std::string& address, bool narrow = false);
  ~http_connection();
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;
  /// Sends bytes as they are; false when the peer closed.
  bool send_raw(const std::string& bytes);
  /// Reads one response; nullopt on timeout or when the connection closed first.
  std::optional<http_reply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds{
                                           30});
  /// True when the server closed the connection (reads EOF within timeout).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds{5});
  void shutdown_write();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

/// A request to send.
struct http_call {
  http_call() = default;
  http_call(std::string m, std::string p, std::string b = {})
      : method(std::move(m)), path(std::move(p)), body(std::move(b)) {}
  std::string method = "GET";
  std::string path = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string token;  // adds Authorization: Bearer when set
  std::string content_type = "application/json";
};

/// Serialises a call as HTTP/1.1 bytes (Content-Length set).
std::string render(const http_call& call);

/// Sends one call on a fresh connection and reads the answer (throws on failure).
http_reply send(const std::string& address, const http_call& call);

}  // namespace billd::test
