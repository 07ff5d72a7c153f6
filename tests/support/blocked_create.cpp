#include "tests/support/blocked_create.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace billd::test {
namespace {

bool insert_waits_on_lock(pg_connection& observer) {
  auto rows = observer.exec(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
      " AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO bills%'");
  return rows.int64(0, 0) > 0;
}

}  // namespace

blocked_create::blocked_create(const test_server& server, const std::string& token)
    : create_{"POST", "/api/v1/bills", bill_body()},
      blocker_{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{60}} {
  blocker_.exec("BEGIN");
  blocker_.exec("LOCK TABLE bills IN ACCESS EXCLUSIVE MODE");
  create_.token = token;
  pending_ = std::async(std::launch::async, [&server, c = create_] { return server.call(c); });
  pg_connection observer{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  for (int i = 0; i < 500; ++i) {
    if (insert_waits_on_lock(observer)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  throw std::runtime_error("the create's INSERT never waited on the lock of bills");
}

void blocked_create::release() { blocker_.exec("ROLLBACK"); }

http_reply blocked_create::answer() { return pending_.get(); }

}  // namespace billd::test
