// A db-conn killed while its statement runs: the client gets 503 outcome-unknown at once
// (never a hang) and the pool restarts the connection.
#define CAF_SUITE db_conn_failure
#include <utility>

#include <thread>

#include "app/server_internals.hpp"
#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/blocked_create.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

std::uint32_t busy_connections(caf::actor_system& sys, const db_pool_actor& pool) {
  caf::scoped_actor self{sys};
  std::uint32_t busy = 0;
  self->request(pool, std::chrono::seconds{5}, stats_atom::value)
      .receive([&](std::uint32_t, std::uint32_t b, std::uint32_t, std::uint64_t) { busy = b; },
               [](caf::error&) {});
  return busy;
}

std::vector<caf::actor> connections(caf::actor_system& sys, const db_pool_actor& pool) {
  caf::scoped_actor self{sys};
  std::vector<caf::actor> conns;
  self->request(pool, std::chrono::seconds{5}, conns_atom::value)
      .receive([&](std::vector<caf::actor>& v) { conns = std::move(v); }, [](caf::error&) {});
  return conns;
}

}  // namespace

CAF_TEST(a_db_conn_killed_mid_request_answers_outcome_unknown_and_is_restarted) {
  test_server server{[](settings& s) {
    s.db.pool_size = 2;
    s.supervisor.backoff_base = std::chrono::milliseconds{10};
  }};
  auto token = server.user_token("clerk");
  auto& parts = server.srv().parts();
  // Verify the token once now, so the only statement of the create below is the insert.
  http_call me{"GET", "/api/v1/auth/me"};
  me.token = token;
  CAF_REQUIRE_EQUAL(server.call(me).status, 200);
  blocked_create create{server, token};
  auto pool = parts.pool->get();
  CAF_REQUIRE(busy_connections(*parts.sys, pool) >= 1u);
  for (auto& conn : connections(*parts.sys, pool))
    caf::anon_send_exit(conn, caf::exit_reason::kill);
  auto reply = create.answer();
  CAF_CHECK_EQUAL(reply.status, 503);
  CAF_CHECK_EQUAL(problem_slug(reply), "outcome-unknown");
  create.release();
  // The pool restarts its connections by itself; writes work again without a billd restart.
  auto last = call_until(server, create.request(), 201);
  CAF_CHECK_EQUAL(last.status, 201);
  if (last.status != 201) CAF_MESSAGE("last answer: " << last.body);
  CAF_CHECK_EQUAL(connections(*parts.sys, pool).size(), 2u);
}

CAF_TEST(the_postgresql_breaker_opens_refuses_at_once_and_closes_when_the_database_returns) {
  test_server server{[](settings& s) {
    s.db.breaker.window = 4;
    s.db.breaker.min_calls = 2;
    s.db.breaker.open = std::chrono::milliseconds{300};
    s.db.breaker.open_max = std::chrono::milliseconds{600};
    s.db.breaker.probes = 1;
  }};
  auto token = server.user_token("clerk");
  http_call list{"GET", "/api/v1/bills"};
  list.token = token;
  CAF_REQUIRE_EQUAL(server.call(list).status, 200);
  // "PostgreSQL goes away" for billd's database: no new connections, the open ones cut.
  auto conninfo = server.cfg().db.url;
  auto at = conninfo.find("dbname=");
  CAF_REQUIRE(at != std::string::npos);
  auto dbname = conninfo.substr(at + 7, conninfo.find(' ', at) - at - 7);
  pg_connection admin{test_cluster::instance().conninfo("postgres"), std::chrono::seconds{5},
                      std::chrono::seconds{5}};
  admin.exec("ALTER DATABASE " + dbname + " ALLOW_CONNECTIONS false");
  admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {dbname});
  // Failures open the breaker; from then on the refusal names the wait and runs nothing.
  http_reply refused;
  for (int i = 0; i < 50; ++i) {
    refused = server.call(list);
    CAF_REQUIRE_EQUAL(refused.status, 503);
    if (refused.body.find("holds statements back") != std::string::npos) break;
  }
  CAF_CHECK(refused.body.find("holds statements back") != std::string::npos);
  CAF_CHECK_EQUAL(problem_slug(refused), "overloaded");
  CAF_CHECK(!refused.header("retry-after").empty());
  auto health = server.call(http_call{"GET", "/health"});
  CAF_CHECK_EQUAL(health.status, 503);
  auto unhealthy = json_of(health);
  CAF_CHECK_EQUAL(str_of(unhealthy, "status"), "unhealthy");
  CAF_CHECK_EQUAL(str_of(unhealthy["checks"]["database"], "status"), "down");
  CAF_CHECK_NOT_EQUAL(str_of(unhealthy["checks"]["database"], "breaker"), "closed");
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/health/ready"}).status, 503);
  // PostgreSQL returns: probes succeed and the breaker closes without a billd restart.
  admin.exec("ALTER DATABASE " + dbname + " ALLOW_CONNECTIONS true");
  http_reply back;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (back.status != 200 && std::chrono::steady_clock::now() < until) {
    back = server.call(list);
    if (back.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  CAF_CHECK_EQUAL(back.status, 200);
  auto healthy = server.call(http_call{"GET", "/health"});
  CAF_CHECK_EQUAL(healthy.status, 200);
  auto doc = json_of(healthy);
  CAF_CHECK_EQUAL(str_of(doc, "status"), "healthy");
  CAF_CHECK_EQUAL(str_of(doc["checks"]["database"], "breaker"), "closed");
  CAF_CHECK(doc["checks"]["database"]["pool"]["size"].GetInt64() >= 1);
  CAF_CHECK(doc["checks"]["database"]["probe_ms"].IsNumber());
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/health/ready"}).status, 200);
}
