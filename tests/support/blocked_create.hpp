#pragma once
// A bill create held inside its INSERT, for tests of what happens to a write in flight.
#include <future>
#include <string>

#include "storage/pg_connection.hpp"
#include "tests/support/test_server.hpp"

namespace billd::test {

/// A transaction of its own holding `bills` locked (ACCESS EXCLUSIVE) from construction until
/// release() or destruction (closing the connection ends the transaction): every write of a
/// bill waits meanwhile.
class bills_lock {
 public:
  explicit bills_lock(const test_server& server);
  /// Ends the locking transaction (ROLLBACK): waiting writes go on.
  void release();

 private:
  pg_connection conn_;
};

/// A transaction of its own locks `bills`, a POST /api/v1/bills is sent, and the constructor
/// returns once PostgreSQL shows that create's INSERT waiting on the lock (throws when it does
/// not within ~5 s). A busy pool connection alone would not say so: a background lease
/// (webhooks, jobs) may hold one for a moment.
class blocked_create {
 public:
  blocked_create(const test_server& server, const std::string& token);
  /// Ends the locking transaction (ROLLBACK): the INSERT goes on.
  void release();
  /// The create's answer (waits for it).
  http_reply answer();
  /// The create request, to send again.
  const http_call& request() const { return create_; }

 private:
  // Destroyed in reverse: the locking connection closes first, so a blocked_create left
  // without release() (a failed check, a throw) lets the create go on instead of waiting on it.
  std::future<http_reply> pending_;
  http_call create_;
  bills_lock blocker_;
};

}  // namespace billd::test
