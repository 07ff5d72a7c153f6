#define CAF_SUITE cache_redis
// The Redis second cache level against a real redis-server: reads come from Redis, writes
// invalidate it, a dead or hanging Redis is bypassed (PostgreSQL answers, X-Cache: BYPASS)
// and billd goes back to Redis by itself, never serving a bill changed during the outage.
#include <utility>

#include <chrono>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "tests/support/redis_process.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  redis_process redis;  // declared first: outlives billd
  test_server server{[this](settings& s) {
    s.cache.redis_url = redis.url();
    s.cache.max_entries = 0;  // no first level: every read shows what Redis did
    s.cache.redis_timeout = 300ms;
    s.cache.redis_breaker.window = 4;
    s.cache.redis_breaker.min_calls = 2;
    s.cache.redis_breaker.slow = 5'000ms;  // a loaded CI machine is not a slow Redis
    s.cache.redis_breaker.open = 2'000ms;
    s.cache.redis_breaker.open_max = 2'000ms;
    s.cache.redis_breaker.probes = 1;
  }};
  std::string token = server.user_token("clerk");

  http_reply get(const std::string& id) {
    return server.call(authed(token, "GET", "/api/v1/bills/" + id));
  }
  std::string create() {
    auto r = server.call(authed(token, "POST", "/api/v1/bills", bill_body()));
    CAF_REQUIRE_EQUAL(r.status, 201);
    return str_of(json_of(r), "id");
  }
  void cancel(const std::string& id) {
    CAF_REQUIRE_EQUAL(server.call(authed(token, "POST", "/api/v1/bills/" + id + "/cancel")).status,
                      200);
  }
  /// Reads until Redis serves the bill again (HIT); counts reads that showed another status.
  int reads_until_hit(const std::string& id, const std::string& status) {
    int wrong = 0;
    for (auto until = std::chrono::steady_clock::now() + 15s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(50ms)) {
      auto r = get(id);
      CAF_REQUIRE_EQUAL(r.status, 200);
      if (str_of(json_of(r), "status") != status) ++wrong;
      if (r.header("x-cache") == "HIT") return wrong;
    }
    CAF_FAIL("Redis never served bill " << id << " again");
    return wrong;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(cache_redis_tests, fixture)

CAF_TEST(bills_are_read_from_redis_and_a_write_invalidates_them) {
  auto id = create();
  auto first = get(id);
  CAF_CHECK_EQUAL(first.header("x-cache"), "MISS");
  auto second = get(id);
  CAF_CHECK_EQUAL(second.header("x-cache"), "HIT");
  CAF_CHECK_EQUAL(second.body, first.body);
  cancel(id);
  auto after = get(id);
  CAF_CHECK_EQUAL(after.header("x-cache"), "MISS");
  CAF_CHECK_EQUAL(str_of(json_of(after), "status"), "cancelled");
  auto cached = get(id);
  CAF_CHECK_EQUAL(cached.header("x-cache"), "HIT");
  CAF_CHECK_EQUAL(cached.body, after.body);
}

CAF_TEST(a_killed_redis_is_bypassed_and_used_again_once_it_restarts) {
  auto id = create();
  get(id);
  CAF_REQUIRE_EQUAL(get(id).header("x-cache"), "HIT");
  redis.kill();
  for (int i = 0; i < 6; ++i) {
    auto r = get(id);
    CAF_CHECK_EQUAL(r.status, 200);
    CAF_CHECK_EQUAL(r.header("x-cache"), "BYPASS");
    CAF_CHECK_EQUAL(str_of(json_of(r), "id"), id);
  }
  redis.start();  // empty: it kept nothing
  CAF_CHECK_EQUAL(reads_until_hit(id, "pending"), 0);
}

CAF_TEST(a_bill_changed_while_redis_hangs_is_never_served_stale_afterwards) {
  auto id = create();
  get(id);
  CAF_REQUIRE_EQUAL(get(id).header("x-cache"), "HIT");  // Redis holds the pending bill
  redis.freeze();
  // Reads time out on Redis until its breaker opens, then skip it; all come from PostgreSQL.
  for (int i = 0; i < 3; ++i) CAF_CHECK_EQUAL(get(id).header("x-cache"), "BYPASS");
  cancel(id);  // its invalidation cannot reach Redis
  auto during = get(id);
  CAF_CHECK_EQUAL(during.header("x-cache"), "BYPASS");
  CAF_CHECK_EQUAL(str_of(json_of(during), "status"), "cancelled");
  redis.thaw();  // still holding the pending bill under the old key epoch
  CAF_CHECK_EQUAL(reads_until_hit(id, "cancelled"), 0);
  CAF_CHECK_EQUAL(str_of(json_of(get(id)), "status"), "cancelled");
}

CAF_TEST_FIXTURE_SCOPE_END()
