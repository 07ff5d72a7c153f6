// Sessions against a real PostgreSQL: a verification finds a live session and sets its
// last_used_at only when that is older than the touch interval (auth.session_touch_interval_ms),
// so most verifications write nothing; 0 touches on every one; revoked, expired and disabled
// sessions are not found.
#define CAF_SUITE session_store
#include <utility>

#include <string>

#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "storage/user_store.hpp"
#include "tests/support/migrated_database.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

const std::string token = std::string(64, 'a');

struct fixture : migrated_database {
  fixture() {
    insert_user(conn, "usr_1", "clerk", "not-a-real-hash", user_role::clerk);
    insert_session(conn, token, "usr_1", 3600);
  }

  /// Moves the session's last_used_at `ago` into the past and returns that value (as text).
  std::string last_used_set_back(const std::string& ago) {
    return conn
        .exec("UPDATE sessions SET last_used_at = now() - interval '" + ago +
              "' RETURNING last_used_at::text")
        .str(0, 0);
  }

  std::string last_used() { return conn.exec("SELECT last_used_at::text FROM sessions").str(0, 0); }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(session_store_tests, fixture)

CAF_TEST(a_verification_touches_the_session_only_when_its_last_use_is_older_than_the_interval) {
  auto recent = last_used_set_back("10 seconds");
  auto found = find_session(conn, token, 60s);
  CAF_REQUIRE(found.has_value());
  CAF_CHECK_EQUAL(found->account.id, "usr_1");
  CAF_CHECK_EQUAL(last_used(), recent);  // 10 s old, interval 60 s: not written
  auto old = last_used_set_back("2 minutes");
  CAF_REQUIRE(find_session(conn, token, 60s).has_value());
  CAF_CHECK_NOT_EQUAL(last_used(), old);  // older than the interval: set to now
  CAF_CHECK(
      conn.exec("SELECT last_used_at > now() - interval '10 seconds' FROM sessions").str(0, 0) ==
      "t");
}

CAF_TEST(an_interval_of_zero_touches_on_every_verification) {
  auto recent = last_used_set_back("1 second");
  CAF_REQUIRE(find_session(conn, token, 0ms).has_value());
  CAF_CHECK_NOT_EQUAL(last_used(), recent);
}

CAF_TEST(revoked_expired_and_disabled_sessions_are_not_found_nor_touched) {
  auto old = last_used_set_back("2 minutes");
  conn.exec("UPDATE users SET disabled = true");
  CAF_CHECK(!find_session(conn, token, 60s).has_value());
  conn.exec("UPDATE users SET disabled = false");
  conn.exec("UPDATE sessions SET expires_at = now() - interval '1 second'");
  CAF_CHECK(!find_session(conn, token, 60s).has_value());
  conn.exec("UPDATE sessions SET expires_at = now() + interval '1 hour'");
  CAF_REQUIRE(revoke_session(conn, token));
  CAF_CHECK(!find_session(conn, token, 60s).has_value());
  CAF_CHECK_EQUAL(last_used(), old);
  CAF_CHECK(!find_session(conn, std::string(64, 'b'), 60s).has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
