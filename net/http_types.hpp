#pragma once
// Requests and responses as the front actors see them: plain data, no Beast, no sockets.
// The Beast session builds an http_exchange; its reply function posts back to the socket.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace billd {

/// Header fields in arrival order; names lower-cased.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// One parsed request.
struct http_request {
  std::string method;
  std::string target;  // as received
  std::string path;    // target without the query
  std::string query;   // after '?', without it
  header_list headers;
  std::string body;
  std::string remote_ip;
  bool loopback = false;
  std::string request_id;
  /// The first value of a header (name lower-case), if present.
  std::optional<std::string_view> header(std::string_view name) const;
};

/// One response. Content-Type defaults to application/json when the body is non-empty.
struct http_response {
  unsigned status = 200;
  header_list headers;
  std::string body;
  std::string content_type = "application/json";
  bool close = false;      // send Connection: close and close after writing
  bool sensitive = false;  // carries a token or secret: never compressed
  // Out of line: inlined into its callers, GCC 12 warned falsely of memcpy bounds in moving
  // short strings (-Warray-bounds, -Wstringop-overflow) in the Release build.
  http_response& with(std::string name, std::string value);
};

/// The media type of a Content-Type value: lower-cased, without parameters or padding.
std::string media_type(std::string_view content_type);

/// True when content_type names `media` (lower case) and, if it gives a charset, UTF-8.
bool is_utf8_media(std::string_view content_type, std::string_view media);

/// How the reading of one piece of a streamed body ended.
enum class body_status : std::uint8_t {
  ok,
  too_large,  // over the route's body limit (413)
  broken,     // the connection failed, timed out or sent a malformed body
};

/// A request body handed over in pieces, for routes that take large uploads: memory holds
/// one piece at a time, and the socket is not read while the consumer is busy (backpressure).
class body_source {
 public:
  /// Receives one piece (may be empty), whether it was the last, and how reading went.
  /// Called on an I/O thread: it must not block.
  using deliver_fn = std::function<void(std::string piece, bool last, body_status status)>;
  virtual ~body_source() = default;
  /// Asks for the next piece; ask again only after the previous one was delivered.
  virtual void next(deliver_fn deliver) = 0;
};

/// A body already in memory, delivered as one last piece.
std::shared_ptr<body_source> memory_body(std::string body);

/// A request in flight and the way back to its connection (thread-safe, call once).
struct http_exchange {
  http_request request;
  /// Set for streamed routes (request.body is empty then); the body arrives through it.
  std::shared_ptr<body_source> body_stream;
  std::function<void(http_response)> reply;
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
  /// Set once it is answered; an actor's answer arriving after that is dropped.
  bool answered = false;
  /// Sends the answer through `reply`, once: later calls are ignored.
  void answer(http_response resp);
  /// An exchange dropped unanswered (the front holding it died, or a message carrying it was
  /// dropped) answers 503 itself, so its client does not wait for nothing and the edge's count
  /// for its front is released: `outcome-unknown` for a method that may write.
  ~http_exchange();
};

using exchange_ptr = std::shared_ptr<http_exchange>;

}  // namespace billd
