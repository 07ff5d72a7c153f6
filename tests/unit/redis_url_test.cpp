#define CAF_SUITE redis_url
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/redis_url.hpp"

using namespace billd;

CAF_TEST(host_port_password_and_database_are_read) {
  auto t = parse_redis_url("redis://cache.internal:6380/2");
  CAF_REQUIRE(t.has_value());
  CAF_CHECK_EQUAL(t->host, "cache.internal");
  CAF_CHECK_EQUAL(t->port, 6380);
  CAF_CHECK_EQUAL(t->db, 2u);
  CAF_CHECK_EQUAL(t->password, "");
  t = parse_redis_url("redis://:s3cr@t@127.0.0.1");
  CAF_REQUIRE(t.has_value());
  CAF_CHECK_EQUAL(t->password, "s3cr@t");
  CAF_CHECK_EQUAL(t->host, "127.0.0.1");
  CAF_CHECK_EQUAL(t->port, 6379);
  CAF_CHECK(parse_redis_url("redis://localhost/").has_value());
}

CAF_TEST(malformed_urls_are_refused) {
  for (auto bad :
       {"", "http://localhost", "redis://", "redis://:6379", "redis://h:0", "redis://h:65536",
        "redis://h:port", "redis://h/db", "redis://user:pw@h", "redis://h h", "redis://h/1/2"})
    CAF_CHECK(!parse_redis_url(bad).has_value());
}
