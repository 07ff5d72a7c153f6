// Auth, sessions, users and roles through real HTTP.
#define CAF_SUITE auth_users
#include <utility>

#include "caf/test/unit_test.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

struct fixture {
  test_server server;
  http_call authed(std::string method, std::string path, std::string body = {}) {
    http_call c{std::move(method), std::move(path), std::move(body)};
    c.token = server.admin_token();
    return c;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(auth_users_tests, fixture)

CAF_TEST(login_returns_a_token_that_identifies_the_user) {
  auto token = server.admin_token();
  http_call me{"GET", "/api/v1/auth/me"};
  me.token = token;
  auto r = server.call(me);
  CAF_CHECK_EQUAL(r.status, 200);
  auto doc = json_of(r);
  CAF_CHECK_EQUAL(str_of(doc, "username"), "admin");
  CAF_CHECK_EQUAL(str_of(doc, "role"), "admin");
  CAF_CHECK(!doc.HasMember("password_hash"));
}

CAF_TEST(a_wrong_password_and_an_unknown_user_are_both_401) {
  http_call c{"POST", "/api/v1/auth/login", R"({"username":"admin","password":"wrong-password!"})"};
  auto r = server.call(c);
  CAF_CHECK_EQUAL(r.status, 401);
  CAF_CHECK_EQUAL(problem_slug(r), "unauthenticated");
  c.body = R"({"username":"nobody","password":"wrong-password!"})";
  CAF_CHECK_EQUAL(server.call(c).status, 401);
}

CAF_TEST(five_failures_throttle_even_the_right_password) {
  http_call bad{"POST", "/api/v1/auth/login",
                R"({"username":"admin","password":"not-the-password"})"};
  for (int i = 0; i < 5; ++i) CAF_CHECK_EQUAL(server.call(bad).status, 401);
  http_call good{"POST", "/api/v1/auth/login",
                 std::string{R"({"username":"admin","password":")"} + admin_password + "\"}"};
  auto r = server.call(good);
  CAF_CHECK_EQUAL(r.status, 429);
  CAF_CHECK_EQUAL(problem_slug(r), "rate-limited");
  CAF_CHECK(!r.header("retry-after").empty());
}

CAF_TEST(login_validates_its_body) {
  auto r = server.call({"POST", "/api/v1/auth/login", R"({"username":"admin"})"});
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(problem_slug(r), "validation-failed");
  r = server.call({"POST", "/api/v1/auth/login", R"({"username":1,"password":"x","extra":2})"});
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(json_of(r)["errors"].Size(), 2u);
}

CAF_TEST(no_token_is_401_with_www_authenticate) {
  auto r = server.call({"GET", "/api/v1/bills"});
  CAF_CHECK_EQUAL(r.status, 401);
  CAF_CHECK_EQUAL(r.header("www-authenticate"), "Bearer");
  http_call c{"GET", "/api/v1/bills"};
  c.token = "not-a-real-token";
  CAF_CHECK_EQUAL(server.call(c).status, 401);
}

CAF_TEST(logout_stops_the_token_at_once) {
  auto token = server.login("admin", admin_password);
  http_call me{"GET", "/api/v1/auth/me"};
  me.token = token;
  CAF_CHECK_EQUAL(server.call(me).status, 200);
  http_call out{"POST", "/api/v1/auth/logout"};
  out.token = token;
  CAF_CHECK_EQUAL(server.call(out).status, 204);
  CAF_CHECK_EQUAL(server.call(me).status, 401);
}

CAF_TEST(logout_stops_the_token_at_once_for_reads_answered_on_the_asio_thread) {
  // A cached bill read with a trusted token is answered without the front (net/fast_reads):
  // the logout must reach that path before it is answered too.
  auto token = server.login("admin", admin_password);
  http_call create{"POST", "/api/v1/bills", bill_body()};
  create.token = token;
  auto created = server.call(create);
  CAF_REQUIRE_EQUAL(created.status, 201);
  http_call read{"GET", "/api/v1/bills/" + str_of(json_of(created), "id")};
  read.token = token;
  server.call(read);  // MISS: the cache loads it
  auto hit = server.call(read);
  CAF_CHECK_EQUAL(hit.status, 200);
  CAF_CHECK_EQUAL(hit.header("x-cache"), "HIT");
  http_call out{"POST", "/api/v1/auth/logout"};
  out.token = token;
  CAF_CHECK_EQUAL(server.call(out).status, 204);
  CAF_CHECK_EQUAL(server.call(read).status, 401);
}

CAF_TEST(admins_create_users_and_duplicates_conflict) {
  auto body = R"({"username":"clerk.one","password":"a-long-password","role":"clerk"})";
  auto r = server.call(authed("POST", "/api/v1/users", body));
  CAF_CHECK_EQUAL(r.status, 201);
  auto doc = json_of(r);
  CAF_CHECK_EQUAL(str_of(doc, "role"), "clerk");
  CAF_CHECK_EQUAL(r.header("location"), "/api/v1/users/" + str_of(doc, "id"));
  CAF_CHECK(!doc.HasMember("password"));
  auto read = server.call(authed("GET", r.header("location")));
  CAF_CHECK_EQUAL(read.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(read), "username"), "clerk.one");
  auto again = server.call(authed("POST", "/api/v1/users", body));
  CAF_CHECK_EQUAL(again.status, 409);
  CAF_CHECK_EQUAL(problem_slug(again), "conflict");
}

CAF_TEST(user_fields_are_validated) {
  auto r = server.call(
      authed("POST", "/api/v1/users", R"({"username":"X!","password":"short","role":"boss"})"));
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(json_of(r)["errors"].Size(), 3u);
}

CAF_TEST(roles_are_enforced_with_403) {
  auto clerk = server.user_token("clerk");
  auto viewer = server.user_token("viewer");
  http_call users{"GET", "/api/v1/users"};
  users.token = clerk;
  CAF_CHECK_EQUAL(server.call(users).status, 403);
  http_call create{"POST", "/api/v1/bills", bill_body()};
  create.token = viewer;
  auto r = server.call(create);
  CAF_CHECK_EQUAL(r.status, 403);
  CAF_CHECK_EQUAL(problem_slug(r), "forbidden");
  create.token = clerk;
  CAF_CHECK_EQUAL(server.call(create).status, 201);
}

CAF_TEST(disabling_a_user_revokes_its_tokens_at_once) {
  auto r =
      server.call(authed("POST", "/api/v1/users",
                         R"({"username":"temp","password":"temp-password-1","role":"viewer"})"));
  auto id = str_of(json_of(r), "id");
  auto token = server.login("temp", "temp-password-1");
  http_call me{"GET", "/api/v1/auth/me"};
  me.token = token;
  CAF_CHECK_EQUAL(server.call(me).status, 200);
  auto patch = server.call(authed("PATCH", "/api/v1/users/" + id, R"({"disabled":true})"));
  CAF_CHECK_EQUAL(patch.status, 200);
  CAF_CHECK(json_of(patch)["disabled"].GetBool());
  CAF_CHECK_EQUAL(server.call(me).status, 401);
}

CAF_TEST(the_last_admin_cannot_be_disabled) {
  auto me = server.call(authed("GET", "/api/v1/auth/me"));
  auto id = str_of(json_of(me), "id");
  auto r = server.call(authed("PATCH", "/api/v1/users/" + id, R"({"disabled":true})"));
  CAF_CHECK_EQUAL(r.status, 409);
}

CAF_TEST(patching_an_unknown_user_is_404) {
  auto r = server.call(
      authed("PATCH", "/api/v1/users/usr_0000000000000000000000000A", R"({"role":"viewer"})"));
  CAF_CHECK_EQUAL(r.status, 404);
  r = server.call(authed("PATCH", "/api/v1/users/not-an-id", R"({"role":"viewer"})"));
  CAF_CHECK_EQUAL(r.status, 404);
}

CAF_TEST(users_are_listed_in_pages) {
  for (int i = 0; i < 3; ++i) server.user_token("viewer");
  auto r = server.call(authed("GET", "/api/v1/users?limit=2"));
  CAF_CHECK_EQUAL(r.status, 200);
  auto page = json_of(r);
  CAF_CHECK_EQUAL(page["items"].Size(), 2u);
  CAF_REQUIRE(page["next_cursor"].IsString());
  std::string cursor = page["next_cursor"].GetString();
  auto next = json_of(server.call(authed("GET", "/api/v1/users?limit=2&cursor=" + cursor)));
  CAF_CHECK_EQUAL(next["items"].Size(), 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(tokens_and_anonymous_callers_are_rate_limited_with_ratelimit_headers) {
  test_server server{[](settings& s) {
    s.rate.clerk_per_minute = 5;
    s.rate.anonymous_per_minute = 40;
  }};
  auto clerk = server.user_token("clerk");
  auto other = server.user_token("clerk");
  http_call me{"GET", "/api/v1/auth/me"};
  me.token = clerk;
  for (int i = 0; i < 5; ++i) {
    auto r = server.call(me);
    CAF_REQUIRE_EQUAL(r.status, 200);
    CAF_CHECK_EQUAL(r.header("ratelimit-policy"), "\"token\";q=5;w=60");
    CAF_CHECK(r.header("ratelimit").starts_with("\"token\";r=" + std::to_string(4 - i) + ";t="));
  }
  auto refused = server.call(me);
  CAF_CHECK_EQUAL(refused.status, 429);
  CAF_CHECK_EQUAL(problem_slug(refused), "rate-limited");
  CAF_CHECK_EQUAL(refused.header("retry-after"), "12");  // 5 a minute: one per 12 s
  CAF_CHECK(refused.header("ratelimit").starts_with("\"token\";r=0;t="));
  // Another token has its own quota; health and signed gateway routes are not limited.
  me.token = other;
  CAF_CHECK_EQUAL(server.call(me).status, 200);
  for (int i = 0; i < 60; ++i) CAF_REQUIRE_EQUAL(server.call({"GET", "/health"}).status, 200);
  CAF_CHECK_EQUAL(server.call({"GET", "/health"}).header("ratelimit"), "");
  // Anonymous routes count per client IP.
  http_call login{"POST", "/api/v1/auth/login", R"({"username":"nobody","password":"x"})"};
  int limited = 0;
  for (int i = 0; i < 45 && limited == 0; ++i) {
    auto r = server.call(login);
    CAF_CHECK(r.header("ratelimit-policy") == "\"ip\";q=40;w=60");
    limited += r.status == 429 && r.header("ratelimit").starts_with("\"ip\";r=0") ? 1 : 0;
  }
  CAF_CHECK_EQUAL(limited, 1);
}
