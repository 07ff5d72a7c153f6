#include "tests/support/blocked_create.hpp"

#include <chrono>

namespace billd::test {

bills_lock::bills_lock(const test_server& server)
    : conn_{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{60}} {
  conn_.exec("BEGIN");
  conn_.exec("LOCK TABLE bills IN ACCESS EXCLUSIVE MODE");
}

void bills_lock::release() { conn_.exec("ROLLBACK"); }

blocked_create::blocked_create(const test_server& server, const std::string& token)
    : create_{"POST", "/api/v1/bills", bill_body()}, blocker_{server} {
  create_.token = token;
  pending_ = std::async(std::launch::async, [&server, c = create_] { return server.call(c); });
  wait_for_lock_wait(server, "INSERT INTO bills");
}

void blocked_create::release() { blocker_.release(); }

http_reply blocked_create::answer() { return pending_.get(); }

}  // namespace billd::test
