#define CAF_SUITE metrics
// /metrics and /api/v1/metrics* on a real billd after real traffic: the Prometheus text passes
// promtool, the figures come from the actors that own them, slow statements are captured.
#include <utility>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "net/prometheus.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  test_server server{[](settings& s) { s.db.slow_query = 200ms; }};
  std::string clerk = server.user_token("clerk");

  std::string create_bill() {
    auto r = server.call(authed(clerk, "POST", "/api/v1/bills", bill_body()));
    CAF_REQUIRE_EQUAL(r.status, 201);
    return str_of(json_of(r), "id");
  }
  /// Some traffic of several kinds, then the fronts' next report (they report every second).
  void traffic() {
    auto id = create_bill();
    for (int i = 0; i < 5; ++i) server.call(authed(clerk, "GET", "/api/v1/bills/" + id));
    server.call(authed(clerk, "GET", "/api/v1/bills/bil_0000000000000000000000000A"));
    std::this_thread::sleep_for(1'200ms);
  }
  http_reply admin_get(const std::string& path) {
    return server.call(authed(server.admin_token(), "GET", path));
  }
};

/// promtool's verdict on a scrape: its exit code, with what it printed in `out`.
int promtool_check(const std::string& body, std::string& out) {
  char path[] = "/tmp/billd-scrape-XXXXXX";
  int fd = mkstemp(path);
  CAF_REQUIRE(fd >= 0);
  std::ofstream{path} << body;
  ::close(fd);
  auto command = std::string{"promtool check metrics < "} + path + " 2>&1";
  FILE* p = popen(command.c_str(), "r");
  CAF_REQUIRE(p != nullptr);
  char buf[512];
  while (auto n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  std::remove(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(metrics_tests, fixture)

CAF_TEST(a_scrape_after_traffic_is_clean_prometheus_text_with_every_owner_in_it) {
  traffic();
  auto r = server.call(http_call{"GET", "/metrics"});
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK(r.header("content-type").starts_with("text/plain; version=0.0.4"));
  std::string lint;
  CAF_CHECK_EQUAL(promtool_check(r.body, lint), 0);
  CAF_CHECK_EQUAL(lint, "");
  for (const char* expected : {
           R"(billd_http_requests_total{route="GET /api/v1/bills/{id}",status="2xx"} 5)",
           R"(billd_http_requests_total{route="GET /api/v1/bills/{id}",status="4xx"} 1)",
           R"(billd_http_request_duration_seconds_count{route="POST /api/v1/bills",status="2xx"})",
           R"(billd_http_responses_total{code="404"} 1)",
           R"(billd_cache_hits_total{level="memory"})",
           R"(billd_db_pool_connections{state="idle"})",
           R"(billd_db_query_duration_seconds_bucket{le="+Inf"})",
           "billd_db_replaced_total 0",
           "billd_db_stranded_workers 0",
           R"(billd_breaker_state{dependency="postgresql"} 0)",
           R"(billd_actor_mailbox_depth{kind="billing-shard"})",
           R"(billd_actor_mailbox_depth{kind="cache"})",
           R"(billd_actor_mailbox_depth{kind="http-front"})",
           R"(billd_jobs{status="queued"})",
           "billd_active_sessions 2",  // the clerk's and the admin's (user creation) tokens
           "billd_metrics_sources_missing 0",
       })
    CAF_CHECK(r.body.find(expected) != std::string::npos);
}

CAF_TEST(the_grafana_dashboard_is_json_and_names_only_metrics_billd_exports) {
  std::ifstream file{std::string{BILLD_SOURCE_DIR} + "/docs/grafana/billd.json"};
  std::stringstream text;
  text << file.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_REQUIRE(doc["panels"].IsArray());
  int names = 0;
  std::regex metric{R"(billd_[a-z_]+)"};
  for (const auto& panel : doc["panels"].GetArray())
    for (const auto& target : panel["targets"].GetArray()) {
      std::string expr = target["expr"].GetString();
      for (std::sregex_iterator it{expr.begin(), expr.end(), metric}, end; it != end; ++it) {
        auto name = it->str();
        for (const char* suffix : {"_bucket", "_sum", "_count"})
          if (name.ends_with(suffix) && !prometheus_family_known(name))
            name.resize(name.size() - std::string_view{suffix}.size());
        CAF_CHECK(prometheus_family_known(name));
        ++names;
      }
    }
  CAF_CHECK(names >= 20);
}

CAF_TEST(the_json_views_are_for_admins_and_carry_the_service_figures) {
  traffic();
  CAF_CHECK_EQUAL(server.call(authed(clerk, "GET", "/api/v1/metrics")).status, 403);
  CAF_CHECK_EQUAL(server.call(http_call{"GET", "/api/v1/metrics"}).status, 401);
  auto r = admin_get("/api/v1/metrics");
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto doc = json_of(r);
  CAF_REQUIRE(doc.IsObject());
  CAF_CHECK(doc["requests"].GetInt64() >= 7);
  CAF_CHECK_EQUAL(doc["status_codes"]["404"].GetInt64(), 1);
  CAF_CHECK_EQUAL(str_of(doc, "performance"), "excellent");
  CAF_CHECK(doc["latency_ms"]["p99"].GetDouble() >= doc["latency_ms"]["p50"].GetDouble());
  CAF_CHECK(doc["last_5min"]["requests"].GetInt64() >= 7);
  CAF_CHECK(doc["actors"]["mailbox_depth"].HasMember("db-pool"));
  CAF_CHECK(doc["routes"].IsArray() && doc["routes"].Size() >= 3u);
  auto cache = json_of(admin_get("/api/v1/metrics/cache"));
  CAF_CHECK(cache["levels"]["memory"]["hits"].GetInt64() >= 4);
  CAF_CHECK(cache["levels"]["redis"].IsNull());
}

CAF_TEST(a_statement_held_up_by_a_lock_is_kept_as_a_slow_query_with_its_request_id) {
  auto id = create_bill();
  // The test holds the bill's row lock for 600 ms; billd's cancel waits for it.
  auto holder = hold_bill_lock(server, id, 600ms);
  http_call cancel = authed(clerk, "POST", "/api/v1/bills/" + id + "/cancel");
  cancel.headers.emplace_back("X-Request-Id", "slow-cancel-1");
  CAF_CHECK_EQUAL(server.call(cancel).status, 200);
  holder.join();
  auto r = admin_get("/api/v1/metrics/database");
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto doc = json_of(r);
  CAF_CHECK_EQUAL(doc["slow_query_ms"].GetDouble(), 200.0);
  bool found = false;
  for (const auto& q : doc["slow_queries"].GetArray())
    found = found || (str_of(q, "request_id") == "slow-cancel-1" && q["ms"].GetDouble() >= 200);
  CAF_CHECK(found);
  CAF_CHECK(doc["slow_queries_total"].GetInt64() >= 1);
  CAF_CHECK_EQUAL(doc["pool"]["size"].GetInt64(), server.cfg().db.pool_size);
  CAF_CHECK_EQUAL(str_of(doc["pool"], "breaker"), "closed");
  bool bills_table = false;
  for (const auto& t : doc["tables"].GetArray())
    bills_table = bills_table || str_of(t, "table") == "bills";
  CAF_CHECK(bills_table);
}

CAF_TEST(thresholds_are_validated_replaced_under_if_match_and_audited) {
  auto admin = server.admin_token();
  auto get = admin_get("/api/v1/metrics/thresholds");
  CAF_REQUIRE_EQUAL(get.status, 200);
  CAF_CHECK_EQUAL(get.body, R"({"error_rate_pct":10,"avg_response_ms":2000,"slow_requests":50,)"
                            R"("active_sessions":1000,"cooldown_s":300})");
  auto etag = get.header("etag");
  CAF_CHECK_EQUAL(etag, "W/\"1\"");
  auto put = [&](const std::string& body, const std::string& if_match = "") {
    http_call c = authed(admin, "PUT", "/api/v1/metrics/thresholds", body);
    if (!if_match.empty()) c.headers.emplace_back("If-Match", if_match);
    return server.call(c);
  };
  // Every field is checked and named; unknown and missing fields are refused.
  auto bad = put(R"({"error_rate_pct":0,"avg_response_ms":"fast","slow_requests":0,)"
                 R"("cooldown_s":9999999,"extra":1})");
  CAF_CHECK_EQUAL(bad.status, 422);
  auto problem = json_of(bad);
  std::set<std::string> named;
  for (const auto& e : problem["errors"].GetArray()) named.insert(str_of(e, "field"));
  CAF_CHECK_EQUAL(named,
                  (std::set<std::string>{"error_rate_pct", "avg_response_ms", "slow_requests",
                                         "active_sessions", "cooldown_s", "extra"}));
  CAF_CHECK_EQUAL(put("[1]").status, 422);
  CAF_CHECK_EQUAL(put("{").status, 400);
  const std::string good = R"({"error_rate_pct":2.5,"avg_response_ms":500,"slow_requests":5,)"
                           R"("active_sessions":10,"cooldown_s":60})";
  CAF_CHECK_EQUAL(put(good, "W/\"7\"").status, 412);
  auto ok = put(good, etag);
  CAF_REQUIRE_EQUAL(ok.status, 200);
  CAF_CHECK_EQUAL(ok.body, good);
  CAF_CHECK_EQUAL(ok.header("etag"), "W/\"2\"");
  CAF_CHECK_EQUAL(put(good, etag).status, 412);  // the old ETag no longer matches
  CAF_CHECK_EQUAL(admin_get("/api/v1/metrics/thresholds").body, good);
  CAF_CHECK_EQUAL(server.call(authed(clerk, "PUT", "/api/v1/metrics/thresholds", good)).status,
                  403);
  auto audit = json_of(admin_get("/api/v1/audit?entity_type=thresholds"));
  CAF_REQUIRE(audit["items"].IsArray());
  CAF_REQUIRE_EQUAL(audit["items"].Size(), 1u);
  const auto& change = audit["items"][0];
  CAF_CHECK_EQUAL(str_of(change, "action"), "update");
  CAF_CHECK_EQUAL(change["changes"]["avg_response_ms"]["before"].GetInt64(), 2000);
  CAF_CHECK_EQUAL(change["changes"]["avg_response_ms"]["after"].GetInt64(), 500);
}

CAF_TEST(an_alert_check_on_demand_raises_what_the_thresholds_call_for_once) {
  auto admin = server.admin_token();
  // Two active sessions (the clerk's, the admin's) against a threshold of one.
  auto t = server.call([&] {
    http_call c = authed(admin, "PUT", "/api/v1/metrics/thresholds",
                         R"({"error_rate_pct":50,"avg_response_ms":60000,"slow_requests":1000,)"
                         R"("active_sessions":1,"cooldown_s":300})");
    return c;
  }());
  CAF_REQUIRE_EQUAL(t.status, 200);
  traffic();
  auto check = server.call(authed(admin, "POST", "/api/v1/alerts/check"));
  CAF_REQUIRE_EQUAL(check.status, 200);
  auto doc = json_of(check);
  CAF_REQUIRE(doc["fired"].IsArray());
  CAF_REQUIRE_EQUAL(doc["fired"].Size(), 1u);
  CAF_CHECK_EQUAL(str_of(doc["fired"][0], "kind"), "active_sessions");
  // Within the cooldown the same condition fires nothing new.
  auto again = json_of(server.call(authed(admin, "POST", "/api/v1/alerts/check")));
  CAF_CHECK_EQUAL(again["fired"].Size(), 0u);
  auto listed = json_of(admin_get("/api/v1/alerts?kind=active_sessions"));
  CAF_CHECK_EQUAL(listed["items"].Size(), 1u);
  CAF_CHECK_EQUAL(server.call(authed(clerk, "POST", "/api/v1/alerts/check")).status, 403);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

const std::string dead_jobs = R"(billd_jobs{status="dead"})";

/// Adds a dead job behind billd's back (a kind no worker leases, so it stays dead).
void add_dead_job(const test_server& server, int n) {
  pg_connection conn{server.cfg().db.url, 5s, 5s};
  conn.exec("INSERT INTO jobs (id, kind, status) VALUES ('job_dead_" + std::to_string(n) +
            "', 'test_only', 'dead')");
}

}  // namespace

CAF_TEST(scrapes_within_the_max_age_reuse_the_last_job_count) {
  test_server server{[](settings& s) {
    s.metrics.job_counts_max_age = 10min;
    s.alerts.check_interval = 10min;  // no alert check counts before the first scrape
  }};
  add_dead_job(server, 1);
  CAF_CHECK_EQUAL(scraped(server, dead_jobs), 1);
  add_dead_job(server, 2);
  CAF_CHECK_EQUAL(scraped(server, dead_jobs), 1);  // the count of ten minutes ago at most
}

CAF_TEST(with_a_max_age_of_zero_every_scrape_counts_again) {
  test_server server{[](settings& s) { s.metrics.job_counts_max_age = 0ms; }};
  add_dead_job(server, 1);
  CAF_CHECK_EQUAL(scraped(server, dead_jobs), 1);
  add_dead_job(server, 2);
  CAF_CHECK_EQUAL(scraped(server, dead_jobs), 2);
}
