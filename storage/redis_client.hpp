#pragma once
// One synchronous Redis connection (hiredis 0.14, which has no Asio adapter): owned by one
// detached redis-link actor, so its blocking calls, each bounded by a timeout, never hold a
// scheduler thread. After any failure the connection is dropped and the next call reconnects.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/redis_url.hpp"

struct redisContext;

namespace billd {

/// What one command did: failed (connection, timeout or a Redis error), or its value.
struct redis_result {
  bool failed = false;
  std::string error;                 // when failed
  std::optional<std::string> value;  // GET: the value or nullopt (no such key)
  long long integer = 0;             // INCR
};

class redis_client {
 public:
  redis_client(redis_target target, std::chrono::milliseconds timeout);
  ~redis_client();
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  redis_result get(std::string_view key);
  redis_result set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl);
  redis_result del(std::string_view key);
  redis_result incr(std::string_view key);

  /// Whether a connection is open now (false after a failure, until the next call).
  bool connected() const { return ctx_ != nullptr; }

 private:
  redis_result run(std::initializer_list<std::string_view> argv);
  std::optional<std::string> connect();
  void drop();

  redis_target target_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
};

}  // namespace billd
