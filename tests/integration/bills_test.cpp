// Bills through real HTTP: create, validation, read with ETag, lists, cancel, idempotency.
#define CAF_SUITE bills
#include <utility>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "app/server_internals.hpp"
#include "caf/test/unit_test.hpp"
#include "storage/bill_store.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/decode.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

struct fixture {
  test_server server;
  std::string token = server.user_token("clerk");

  http_call call(std::string method, std::string path, std::string body = {}) {
    return authed(token, std::move(method), std::move(path), std::move(body));
  }
  http_reply create(const std::string& body) {
    return server.call(call("POST", "/api/v1/bills", body));
  }
  std::string create_id(const std::string& body = bill_body()) {
    auto r = create(body);
    CAF_REQUIRE_EQUAL(r.status, 201);
    return str_of(json_of(r), "id");
  }
  void set_status(const std::string& id, const std::string& status) {
    sql("UPDATE bills SET status = $2 WHERE id = $1", {id, status});
  }
  /// Changes a bill behind billd's back (the first parameter is its id), then does what a
  /// billing shard does after every change: drops the bill from billd's cache.
  void sql(const char* statement, const pg_params& params) {
    pg_connection conn{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
    conn.exec(statement, params);
    if (!params.empty() && params[0]) invalidate_bill(server.srv().parts().caches, *params[0]);
  }
};

std::set<std::string> error_fields(const http_reply& r) {
  std::set<std::string> fields;
  auto doc = json_of(r);
  if (doc.HasMember("errors") && doc["errors"].IsArray())
    for (const auto& e : doc["errors"].GetArray()) fields.insert(str_of(e, "field"));
  return fields;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(bills_tests, fixture)

CAF_TEST(a_created_bill_is_pending_with_location_and_money_as_strings) {
  auto r = create(bill_body("15000.00", "INV-1"));
  CAF_CHECK_EQUAL(r.status, 201);
  auto doc = json_of(r);
  auto id = str_of(doc, "id");
  CAF_CHECK(id.starts_with("bil_"));
  CAF_CHECK_EQUAL(r.header("location"), "/api/v1/bills/" + id);
  CAF_CHECK_EQUAL(str_of(doc, "status"), "pending");
  CAF_CHECK_EQUAL(str_of(doc, "amount"), "15000.00");
  CAF_CHECK_EQUAL(str_of(doc, "paid_amount"), "0.00");
  CAF_CHECK_EQUAL(str_of(doc, "reference"), "INV-1");
  CAF_CHECK(doc["control_number"].IsNull());
  CAF_CHECK_EQUAL(str_of(doc, "expires_at"), "2100-01-01T00:00:00.000Z");
  CAF_CHECK_EQUAL(str_of(doc["payer"], "phone"), "+255712345678");
}

CAF_TEST(every_invalid_field_is_reported_by_name) {
  auto r = create(R"({"payer":{"name":"","phone":"0712"},"amount":"1e3","currency":"TZS",)"
                  R"("description":"x","due_date":"2099-02-30"})");
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(problem_slug(r), "validation-failed");
  auto fields = error_fields(r);
  for (auto f : {"payer.name", "payer.phone", "amount", "due_date"})
    CAF_CHECK(fields.count(f) == 1);
}

CAF_TEST(wrong_types_and_unknown_fields_are_422) {
  auto r = create(R"({"payer":{"name":"A","phone":"+255712345678","age":3},"amount":15000,)"
                  R"("currency":"TZS","description":"x","due_date":"2099-01-01","extra":true})");
  CAF_CHECK_EQUAL(r.status, 422);
  auto fields = error_fields(r);
  CAF_CHECK(fields.count("payer.age") == 1);
  CAF_CHECK(fields.count("extra") == 1);
  CAF_CHECK(fields.count("amount") == 1);
}

CAF_TEST(a_due_date_in_the_past_is_422) {
  auto body = bill_body();
  body.replace(body.find("2099-12-31"), 10, "2001-01-01");
  auto r = create(body);
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK(error_fields(r).count("due_date") == 1);
}

CAF_TEST(bad_json_duplicate_keys_and_media_types_are_refused) {
  CAF_CHECK_EQUAL(problem_slug(create("{not json")), "invalid-json");
  auto dup = create(R"({"amount":"1.00","amount":"2.00"})");
  CAF_CHECK_EQUAL(dup.status, 400);
  CAF_CHECK_EQUAL(problem_slug(dup), "invalid-json");
  auto utf8 = create("{\"payer\":{\"name\":\"\xff\xfe\"}}");
  CAF_CHECK_EQUAL(utf8.status, 400);
  auto c = call("POST", "/api/v1/bills", bill_body());
  c.content_type = "text/plain";
  auto media = server.call(c);
  CAF_CHECK_EQUAL(media.status, 415);
  CAF_CHECK_EQUAL(problem_slug(media), "unsupported-media-type");
  CAF_CHECK_EQUAL(create("[1,2]").status, 422);
  CAF_CHECK_EQUAL(create(std::string(100'000, '[')).status, 400);
}

CAF_TEST(a_bill_reads_back_with_a_weak_etag_and_304) {
  auto id = create_id();
  auto r = server.call(call("GET", "/api/v1/bills/" + id));
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(r.header("etag"), "W/\"1\"");
  CAF_CHECK_EQUAL(r.header("cache-control"), "private, no-cache");
  CAF_CHECK(!r.header("x-cache").empty());
  auto c = call("GET", "/api/v1/bills/" + id);
  c.headers = {{"If-None-Match", "W/\"1\""}};
  auto not_modified = server.call(c);
  CAF_CHECK_EQUAL(not_modified.status, 304);
  CAF_CHECK(not_modified.body.empty());
}

CAF_TEST(unknown_and_foreign_ids_are_404) {
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills/bil_0000000000000000000000000A")).status,
                  404);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills/usr_0000000000000000000000000A")).status,
                  404);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills/%27%20OR%201=1")).status, 404);
}

CAF_TEST(lists_walk_every_row_once_across_pages) {
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i) created.insert(create_id(bill_body("100.00", "walk")));
  create_id(bill_body("100.00", "other"));
  std::set<std::string> seen;
  std::string path = "/api/v1/bills?reference=walk&limit=3";
  int pages = 0;
  for (;;) {
    auto r = server.call(call("GET", path));
    CAF_REQUIRE_EQUAL(r.status, 200);
    auto doc = json_of(r);
    ++pages;
    std::string previous;
    for (const auto& item : doc["items"].GetArray()) {
      auto id = str_of(item, "id");
      CAF_CHECK(seen.insert(id).second);
      if (!previous.empty()) CAF_CHECK(id < previous);
      previous = id;
      CAF_CHECK_EQUAL(str_of(item, "reference"), "walk");
    }
    if (doc["next_cursor"].IsNull()) break;
    path = "/api/v1/bills?reference=walk&limit=3&cursor=" +
           std::string{doc["next_cursor"].GetString()};
  }
  CAF_CHECK_EQUAL(pages, 3);
  CAF_CHECK(seen == created);
}

CAF_TEST(list_parameters_are_validated) {
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills?limit=0")).status, 422);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills?limit=101")).status, 422);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills?status=unknown")).status, 422);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills?created_from=yesterday")).status, 422);
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/bills?colour=red")).status, 422);
  for (int i = 0; i < 3; ++i) create_id();
  auto first = json_of(server.call(call("GET", "/api/v1/bills?limit=1&status=pending")));
  std::string cursor = first["next_cursor"].GetString();
  auto other = server.call(call("GET", "/api/v1/bills?limit=1&cursor=" + cursor));
  CAF_CHECK_EQUAL(other.status, 422);
  auto ok = server.call(call("GET", "/api/v1/bills?limit=1&status=pending&cursor=" + cursor));
  CAF_CHECK_EQUAL(ok.status, 200);
}

CAF_TEST(created_filters_use_inclusive_from_and_exclusive_to) {
  auto id = create_id();
  auto bill = json_of(server.call(call("GET", "/api/v1/bills/" + id)));
  auto at = str_of(bill, "created_at");
  auto from = server.call(call("GET", "/api/v1/bills?created_from=" + at));
  CAF_CHECK_EQUAL(json_of(from)["items"].Size(), 1u);
  auto to = server.call(call("GET", "/api/v1/bills?created_to=" + at));
  CAF_CHECK_EQUAL(json_of(to)["items"].Size(), 0u);
}

CAF_TEST(cancel_is_idempotent_and_honours_if_match) {
  auto id = create_id();
  auto c = call("POST", "/api/v1/bills/" + id + "/cancel");
  c.headers = {{"If-Match", "W/\"7\""}};
  auto stale = server.call(c);
  CAF_CHECK_EQUAL(stale.status, 412);
  CAF_CHECK_EQUAL(problem_slug(stale), "precondition-failed");
  c.headers = {{"If-Match", "W/\"1\""}};
  auto done = server.call(c);
  CAF_CHECK_EQUAL(done.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(done), "status"), "cancelled");
  auto again = server.call(call("POST", "/api/v1/bills/" + id + "/cancel"));
  CAF_CHECK_EQUAL(again.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(again), "status"), "cancelled");
}

CAF_TEST(a_paid_bill_cannot_be_cancelled) {
  auto id = create_id();
  set_status(id, "paid");
  auto r = server.call(call("POST", "/api/v1/bills/" + id + "/cancel"));
  CAF_CHECK_EQUAL(r.status, 409);
  CAF_CHECK_EQUAL(problem_slug(r), "conflict");
  CAF_CHECK_EQUAL(
      server.call(call("POST", "/api/v1/bills/bil_0000000000000000000000000A/cancel")).status, 404);
}

CAF_TEST(an_idempotency_key_replays_the_first_answer) {
  auto c = call("POST", "/api/v1/bills", bill_body());
  c.headers = {{"Idempotency-Key", "order-42"}};
  auto first = server.call(c);
  CAF_CHECK_EQUAL(first.status, 201);
  auto second = server.call(c);
  CAF_CHECK_EQUAL(second.status, 201);
  CAF_CHECK_EQUAL(second.header("idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(second.body, first.body);
  CAF_CHECK_EQUAL(second.header("location"), first.header("location"));
  CAF_CHECK_NOT_EQUAL(second.header("x-request-id"), first.header("x-request-id"));
  c.headers = {{"Idempotency-Key", "\"order-42\""}};
  CAF_CHECK_EQUAL(server.call(c).header("idempotent-replayed"), "true");
}

CAF_TEST(a_final_error_is_replayed_for_the_same_key) {
  auto id = create_id();
  set_status(id, "paid");
  auto c = call("POST", "/api/v1/bills/" + id + "/cancel");
  c.headers = {{"Idempotency-Key", "cancel-paid"}};
  auto first = server.call(c);
  CAF_CHECK_EQUAL(first.status, 409);
  set_status(id, "pending");  // even if the state changed, the key answers as it did
  auto second = server.call(c);
  CAF_CHECK_EQUAL(second.status, 409);
  CAF_CHECK_EQUAL(second.header("idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(problem_slug(second), "conflict");
}

CAF_TEST(a_replayed_create_keeps_its_etag) {
  auto c = call("POST", "/api/v1/bills", bill_body());
  c.headers = {{"Idempotency-Key", "etag-1"}};
  auto first = server.call(c);
  auto second = server.call(c);
  CAF_CHECK_EQUAL(first.header("etag"), "W/\"1\"");
  CAF_CHECK_EQUAL(second.header("etag"), first.header("etag"));
}

CAF_TEST(filters_take_phone_numbers_with_a_plain_plus) {
  create_id();
  auto r = server.call(call("GET", "/api/v1/bills?payer_phone=+255712345678"));
  CAF_CHECK_EQUAL(json_of(r)["items"].Size(), 1u);
  r = server.call(call("GET", "/api/v1/bills?payer_phone=%2B255712345678"));
  CAF_CHECK_EQUAL(json_of(r)["items"].Size(), 1u);
  r = server.call(call("GET", "/api/v1/bills?created_from=2000-01-01T03:00:00+03:00"));
  CAF_CHECK_EQUAL(r.status, 200);
}

CAF_TEST(an_empty_reference_is_accepted) {
  auto body = bill_body();
  body.insert(body.size() - 1, R"(,"reference":"")");
  auto r = create(body);
  CAF_CHECK_EQUAL(r.status, 201);
}

CAF_TEST(a_control_number_is_202_while_pending_then_200_once_issued) {
  auto id = create_id();
  auto pending = server.call(call("GET", "/api/v1/bills/" + id + "/control-number"));
  CAF_CHECK_EQUAL(pending.status, 202);
  CAF_CHECK_EQUAL(pending.header("retry-after"), "1");
  CAF_CHECK_EQUAL(str_of(json_of(pending), "bill_status"), "pending");
  sql("UPDATE bills SET status = 'issued', control_number = '991234567890', version = 2"
      " WHERE id = $1",
      {id});
  auto issued = server.call(call("GET", "/api/v1/bills/" + id + "/control-number"));
  CAF_CHECK_EQUAL(issued.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(issued), "control_number"), "991234567890");
  CAF_CHECK_EQUAL(str_of(json_of(issued), "bill_status"), "issued");
  CAF_CHECK_EQUAL(issued.header("etag"), "W/\"2\"");
}

CAF_TEST(a_refused_control_number_is_422_with_the_reason) {
  auto id = create_id();
  sql("UPDATE bills SET status = 'failed', failure_reason = 'payer blocked' WHERE id = $1", {id});
  auto r = server.call(call("GET", "/api/v1/bills/" + id + "/control-number"));
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(problem_slug(r), "control-number-failed");
  CAF_CHECK_EQUAL(str_of(json_of(r), "bill_status"), "failed");
  CAF_CHECK_EQUAL(str_of(json_of(r), "reason"), "payer blocked");
  auto missing =
      server.call(call("GET", "/api/v1/bills/bil_0000000000000000000000000A/control-number"));
  CAF_CHECK_EQUAL(missing.status, 404);
}

CAF_TEST(an_idempotency_key_with_another_body_is_422) {
  auto c = call("POST", "/api/v1/bills", bill_body("100.00"));
  c.headers = {{"Idempotency-Key", "k-1"}};
  CAF_CHECK_EQUAL(server.call(c).status, 201);
  c.body = bill_body("200.00");
  auto r = server.call(c);
  CAF_CHECK_EQUAL(r.status, 422);
  CAF_CHECK_EQUAL(problem_slug(r), "idempotency-mismatch");
}

CAF_TEST(concurrent_requests_with_one_key_create_one_bill) {
  auto c = call("POST", "/api/v1/bills", bill_body("77.00", "same-key"));
  c.headers = {{"Idempotency-Key", "concurrent-1"}};
  std::vector<std::future<http_reply>> replies;
  for (int i = 0; i < 8; ++i)
    replies.push_back(std::async(std::launch::async, [&] { return server.call(c); }));
  std::set<std::string> bodies;
  for (auto& f : replies) {
    auto r = f.get();
    CAF_CHECK(r.status == 201 || r.status == 409);
    if (r.status == 409) {
      CAF_CHECK_EQUAL(problem_slug(r), "idempotency-in-flight");
      CAF_CHECK_EQUAL(r.header("retry-after"), "1");
    } else {
      bodies.insert(r.body);
    }
  }
  CAF_CHECK_EQUAL(bodies.size(), 1u);
  auto list = json_of(server.call(call("GET", "/api/v1/bills?reference=same-key")));
  CAF_CHECK_EQUAL(list["items"].Size(), 1u);
}

CAF_TEST(a_bad_idempotency_key_is_422) {
  auto c = call("POST", "/api/v1/bills", bill_body());
  c.headers = {{"Idempotency-Key", std::string(256, 'k')}};
  CAF_CHECK_EQUAL(server.call(c).status, 422);
}

CAF_TEST(lists_are_compressed_as_accept_encoding_asks_and_logins_never) {
  for (int i = 0; i < 15; ++i) create_id(bill_body("100.00", "ZIP-" + std::to_string(i)));
  auto plain = server.call(call("GET", "/api/v1/bills?limit=20"));
  CAF_REQUIRE_EQUAL(plain.status, 200);
  CAF_REQUIRE_GREATER(plain.body.size(), 1024u);
  CAF_CHECK_EQUAL(plain.header("content-encoding"), "");
  CAF_CHECK_EQUAL(plain.header("vary"), "Accept-Encoding");
  for (std::string coding : {"br", "gzip"}) {
    auto c = call("GET", "/api/v1/bills?limit=20");
    c.headers.emplace_back("Accept-Encoding", coding + ";q=0.9, identity;q=0.1");
    auto packed = server.call(c);
    CAF_REQUIRE_EQUAL(packed.status, 200);
    CAF_CHECK_EQUAL(packed.header("content-encoding"), coding);
    CAF_CHECK_LESS(packed.body.size(), plain.body.size());
    CAF_CHECK_EQUAL(coding == "br" ? unbrotli(packed.body) : gunzip(packed.body), plain.body);
  }
  http_call login{"POST", "/api/v1/auth/login",
                  R"({"username":"admin","password":")" + std::string{admin_password} + R"("})"};
  login.headers.emplace_back("Accept-Encoding", "gzip, identity;q=0");
  auto logged_in = server.call(login);
  CAF_CHECK_EQUAL(logged_in.status, 200);
  CAF_CHECK_EQUAL(logged_in.header("content-encoding"), "");
  CAF_CHECK(!str_of(json_of(logged_in), "token").empty());
}

CAF_TEST(bill_reads_are_cached_and_a_read_after_a_write_never_sees_the_old_bill) {
  auto id = create_id();
  auto first = server.call(call("GET", "/api/v1/bills/" + id));
  CAF_CHECK_EQUAL(first.header("x-cache"), "MISS");
  auto second = server.call(call("GET", "/api/v1/bills/" + id));
  CAF_CHECK_EQUAL(second.header("x-cache"), "HIT");
  CAF_CHECK_EQUAL(second.body, first.body);
  CAF_CHECK_EQUAL(str_of(json_of(second), "id"), id);
  CAF_CHECK_EQUAL(str_of(json_of(second), "status"), "pending");
  // Readers keep the bills hot while a writer cancels them one by one; the writer's own read
  // right after each answer must show the change.
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(create_id());
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r)
    readers.emplace_back([&] {
      while (!stop.load())
        for (const auto& b : ids) server.call(call("GET", "/api/v1/bills/" + b));
    });
  int stale = 0;
  for (const auto& b : ids) {
    CAF_REQUIRE_EQUAL(server.call(call("POST", "/api/v1/bills/" + b + "/cancel")).status, 200);
    auto after = json_of(server.call(call("GET", "/api/v1/bills/" + b)));
    stale += str_of(after, "status") == "cancelled" ? 0 : 1;
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  CAF_CHECK_EQUAL(stale, 0);
  auto last = server.call(call("GET", "/api/v1/bills/" + ids.back()));
  CAF_CHECK_EQUAL(str_of(json_of(last), "status"), "cancelled");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(bills_audit_tests, fixture)

CAF_TEST(every_bill_change_is_in_the_audit_log_with_before_and_after) {
  auto id = create_id();
  CAF_REQUIRE_EQUAL(server.call(call("POST", "/api/v1/bills/" + id + "/cancel")).status, 200);
  http_call list{"GET", "/api/v1/audit?entity_type=bill&entity_id=" + id};
  list.token = server.admin_token();
  auto r = server.call(list);
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto doc = json_of(r);
  CAF_REQUIRE(doc["items"].IsArray());
  CAF_REQUIRE_EQUAL(doc["items"].Size(), 2u);
  const auto& cancel = doc["items"][0];
  CAF_CHECK_EQUAL(str_of(cancel, "action"), "cancel");
  CAF_CHECK_EQUAL(str_of(cancel["changes"]["status"], "before"), "pending");
  CAF_CHECK_EQUAL(str_of(cancel["changes"]["status"], "after"), "cancelled");
  CAF_CHECK_EQUAL(str_of(doc["items"][1], "action"), "create");
  // Viewers and clerks may not read it; bad filters are 422.
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/audit")).status, 403);
  list.path = "/api/v1/audit?entity_type=invoice";
  CAF_CHECK_EQUAL(server.call(list).status, 422);
  list.path = "/api/v1/audit?limit=1&entity_id=" + id;
  auto first = json_of(server.call(list));
  CAF_REQUIRE(first["next_cursor"].IsString());
  list.path = "/api/v1/audit?limit=1&entity_id=" + id +
              "&cursor=" + std::string{first["next_cursor"].GetString()};
  auto second = json_of(server.call(list));
  CAF_CHECK_EQUAL(str_of(second["items"][0], "action"), "create");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(unpaid_bills_past_their_due_date_expire_and_paid_ones_do_not) {
  test_server fast{
      [](settings& s) { s.maintenance.expiry_interval = std::chrono::milliseconds{100}; }};
  auto token = fast.user_token("clerk");
  auto create = [&] {
    http_call c{"POST", "/api/v1/bills", bill_body()};
    c.token = token;
    auto r = fast.call(c);
    CAF_REQUIRE_EQUAL(r.status, 201);
    return str_of(json_of(r), "id");
  };
  auto overdue = create();
  auto paid = create();
  auto current = create();
  pg_connection conn{fast.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  conn.exec(
      "UPDATE bills SET expires_at = now() - interval '1 minute',"
      " status = CASE WHEN id = $2 THEN 'paid' ELSE status END,"
      " paid_amount = CASE WHEN id = $2 THEN amount ELSE paid_amount END"
      " WHERE id IN ($1, $2)",
      {overdue, paid});
  auto status_of = [&](const std::string& id) {
    http_call c{"GET", "/api/v1/bills/" + id};
    c.token = token;
    return str_of(json_of(fast.call(c)), "status");
  };
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (status_of(overdue) != "expired" && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  CAF_CHECK_EQUAL(status_of(overdue), "expired");
  CAF_CHECK_EQUAL(status_of(paid), "paid");
  CAF_CHECK_EQUAL(status_of(current), "pending");
  auto audit =
      conn.exec("SELECT action, actor FROM audit_log WHERE entity_id = $1 ORDER BY id", {overdue});
  CAF_REQUIRE_EQUAL(audit.size(), 2);
  CAF_CHECK_EQUAL(audit.str(1, 0), "expire");
  CAF_CHECK_EQUAL(audit.str(1, 1), "system");
}

CAF_TEST(the_expiry_sweep_finds_due_bills_through_its_partial_index) {
  // The index's predicate must match the sweep's WHERE clause, or the planner cannot use it
  // and the sweep reads every open bill again, each minute. Sequential scans are switched off
  // so the plan chooses between the indexes alone, as it does on a large table.
  test_server server;
  pg_connection conn{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  expire_due_bills(conn, 500);  // prepares bill_expire_due on this connection
  conn.exec("SET enable_seqscan = off");
  auto plan = conn.exec("EXPLAIN EXECUTE bill_expire_due(500)");
  std::string text;
  for (int i = 0; i < plan.size(); ++i) text += plan.str(i, 0) + '\n';
  CAF_MESSAGE(text);
  CAF_CHECK(text.find("Index Scan using bills_expiry_due") != std::string::npos);
}

CAF_TEST(with_fast_reads_off_the_front_serves_hits_and_reads_after_writes_see_them) {
  // front.fast_reads=false: every read goes through the front and the cache shard's actor.
  test_server server{[](settings& s) { s.front.fast_reads = false; }};
  auto token = server.user_token("clerk");
  auto created = server.call(authed(token, "POST", "/api/v1/bills", bill_body()));
  CAF_REQUIRE_EQUAL(created.status, 201);
  auto path = "/api/v1/bills/" + str_of(json_of(created), "id");
  CAF_CHECK_EQUAL(server.call(authed(token, "GET", path)).header("x-cache"), "MISS");
  auto hit = server.call(authed(token, "GET", path));
  CAF_CHECK_EQUAL(hit.header("x-cache"), "HIT");
  CAF_CHECK(!hit.header("ratelimit").empty());
  CAF_REQUIRE_EQUAL(server.call(authed(token, "POST", path + "/cancel")).status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(server.call(authed(token, "GET", path))), "status"), "cancelled");
}
