#define CAF_SUITE metrics_access
#include <utility>

#include "caf/test/unit_test.hpp"

#include "net/metrics_access.hpp"

using namespace billd;

CAF_TEST(loopback_clients_scrape_without_a_token) {
  CAF_CHECK(metrics_scrape_allowed("127.0.0.1", std::nullopt, ""));
  CAF_CHECK(metrics_scrape_allowed("127.3.2.1", std::nullopt, ""));
  CAF_CHECK(metrics_scrape_allowed("::1", std::nullopt, ""));
  CAF_CHECK(metrics_scrape_allowed("::ffff:127.0.0.1", std::nullopt, ""));
}

CAF_TEST(others_need_the_configured_bearer_token) {
  const std::string token = "scrape-token-0123456789";
  CAF_CHECK(!metrics_scrape_allowed("10.0.0.7", std::nullopt, ""));
  CAF_CHECK(!metrics_scrape_allowed("10.0.0.7", std::nullopt, token));
  CAF_CHECK(!metrics_scrape_allowed("10.0.0.7", "Bearer wrong-token-0123456789", token));
  CAF_CHECK(!metrics_scrape_allowed("10.0.0.7", "Bearer scrape-token-012345678", token));
  CAF_CHECK(!metrics_scrape_allowed("10.0.0.7", "Basic scrape-token-0123456789", token));
  CAF_CHECK(!metrics_scrape_allowed("10.0.0.7", "Bearer ", ""));  // no token configured
  CAF_CHECK(metrics_scrape_allowed("10.0.0.7", "Bearer scrape-token-0123456789", token));
  CAF_CHECK(metrics_scrape_allowed("::ffff:192.168.1.9", "Bearer scrape-token-0123456789", token));
}
