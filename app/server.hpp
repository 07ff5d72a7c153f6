#pragma once
// The whole billd service in one object: database, actor tree, HTTP listener, shutdown.
// main() runs one; integration tests run one in-process.

#include <memory>
#include <string>

#include "config/settings.hpp"

namespace caf {
class actor_system;
}

namespace billd {

/// A running billd.
class server {
 public:
  explicit server(settings cfg);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Prepares the database, starts the actor tree, applies migrations, creates the first
  /// admin and opens the listener. Throws std::runtime_error with an operator message.
  void start();
  /// The bound listener address ("127.0.0.1:8080").
  const std::string& listen_address() const;
  /// The bound ops listener address (http.ops_listen), or "" without one.
  const std::string& ops_listen_address() const;
  /// SIGTERM semantics: not ready, stop accepting, let in-flight requests finish within
  /// shutdown.grace_ms, then stop the actors in reverse start order. Returns at once.
  void request_shutdown();
  /// Blocks until the actor tree is down; returns the exit code (0, or 70 after escalation).
  int wait();

  /// Everything inside (app/server_internals.hpp), for tests that reach actors directly.
  struct internals;
  internals& parts();

 private:
  std::unique_ptr<internals> parts_;
};

}  // namespace billd
