// CSV imports through real HTTP: rows streamed into a staged job while the body arrives, the
// job queued once the whole file is stored, refusals that leave nothing behind.
#define CAF_SUITE imports
#include <utility>

#include <thread>

#include "caf/test/unit_test.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;

namespace {

const std::string import_header =
    "payer_name,payer_phone,payer_email,amount,currency,description,due_date,reference\n";

/// n valid data rows with references <prefix>-1..n.
std::string csv_rows(int n, const std::string& prefix) {
  std::string out;
  for (int i = 1; i <= n; ++i)
    out += "Payer " + std::to_string(i) + ",+255712" + std::to_string(100000 + i) +
           ",,1.00,TZS,Water,2030-01-31," + prefix + "-" + std::to_string(i) + "\n";
  return out;
}

/// The HTTP/1.1 chunked form of body, in chunks of `size` bytes.
std::string chunked(const std::string& body, std::size_t size) {
  std::string out;
  char len[32];
  for (std::size_t at = 0; at < body.size(); at += size) {
    auto n = std::min(size, body.size() - at);
    std::snprintf(len, sizeof len, "%zx\r\n", n);
    out += len;
    out.append(body, at, n);
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

struct fixture {
  explicit fixture(const std::function<void(settings&)>& tweak = {}) : server(tweak) {}
  test_server server;
  std::string token = server.user_token("clerk");

  http_call call(std::string method, std::string path, std::string body = {}) {
    return authed(token, std::move(method), std::move(path), std::move(body));
  }
  http_reply upload(std::string body, std::string type = "text/csv") {
    http_call up = call("POST", "/api/v1/bills/import", std::move(body));
    up.content_type = std::move(type);
    return server.call(up);
  }
  /// The header of an import request whose body follows as `framing` says.
  std::string upload_head(const std::string& framing) {
    return "POST /api/v1/bills/import HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token +
           "\r\nContent-Type: text/csv\r\n" + framing + "\r\n\r\n";
  }
  /// The job's status document once it is done (or after 30 s).
  rapidjson::Document finished_job(const std::string& job) {
    rapidjson::Document status;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    do {
      status = json_of(server.call(call("GET", "/api/v1/jobs/" + job)));
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    } while (str_of(status, "status") != "done" && std::chrono::steady_clock::now() < until);
    return status;
  }
  std::int64_t count(const std::string& sql) {
    pg_connection conn{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
    return conn.exec(sql).int64(0, 0);
  }
  /// Import jobs in the database once no staged upload is left (or after 10 s).
  std::int64_t import_jobs_after_cleanup() {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (count("SELECT count(*) FROM jobs WHERE status = 'uploading'") > 0 &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    return count("SELECT count(*) FROM jobs WHERE kind = 'import'");
  }
};

struct small_limit_fixture : fixture {
  small_limit_fixture() : fixture([](settings& s) { s.http.import_bytes_max = 100 * 1024; }) {}
};

struct sweeping_fixture : fixture {
  sweeping_fixture()
      : fixture([](settings& s) {
          s.http.import_timeout = std::chrono::milliseconds{1'000};
          s.maintenance.expiry_interval = std::chrono::milliseconds{100};
        }) {}
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(imports_tests, fixture)

CAF_TEST(a_csv_import_creates_the_good_rows_and_reports_the_bad_ones) {
  std::string csv =
      "reference,amount,currency,payer_name,payer_phone,payer_email,description,due_date\r\n"
      "IMP-1,100.00,TZS,Asha,+255712000001,,Water,2030-01-31\r\n"
      "IMP-2,12.345,TZS,Baraka,+255712000002,,Water,2030-01-31\r\n"
      "IMP-3,300.00,TZS,\"Mwita, Juma\",+255712000003,j@example.com,\"Line one\nline "
      "two\",2030-01-31\r\n"
      "\r\n"
      "IMP-4,400.00,TZS,Neema,+255712000004,,Water,2001-01-31\r\n"
      "IMP-5,500,UGX,Okello,+256712000005,,Water,2030-01-31\n";
  http_call up = call("POST", "/api/v1/bills/import", csv);
  up.content_type = "text/csv";
  auto r = server.call(up);
  CAF_REQUIRE_EQUAL(r.status, 202);
  auto job = str_of(json_of(r), "job_id");
  CAF_CHECK_EQUAL(r.header("location"), "/api/v1/jobs/" + job);
  rapidjson::Document status;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  do {
    status = json_of(server.call(call("GET", "/api/v1/jobs/" + job)));
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  } while (str_of(status, "status") != "done" && std::chrono::steady_clock::now() < until);
  CAF_REQUIRE_EQUAL(str_of(status, "status"), "done");
  CAF_CHECK_EQUAL(str_of(status, "kind"), "import");
  CAF_CHECK_EQUAL(status["total"].GetInt(), 5);
  CAF_CHECK_EQUAL(status["processed"].GetInt(), 5);
  CAF_CHECK_EQUAL(status["succeeded"].GetInt(), 3);
  CAF_CHECK_EQUAL(status["failed"].GetInt(), 2);
  CAF_REQUIRE_EQUAL(status["errors"].Size(), 2u);
  CAF_CHECK_EQUAL(status["errors"][0]["row"].GetInt(), 2);
  CAF_CHECK(str_of(status["errors"][0], "message").find("amount") != std::string::npos);
  CAF_CHECK_EQUAL(status["errors"][1]["row"].GetInt(), 4);
  CAF_CHECK(str_of(status["errors"][1], "message").find("due_date") != std::string::npos);
  CAF_CHECK(!status["errors_truncated"].GetBool());
  auto quoted = json_of(server.call(call("GET", "/api/v1/bills?reference=IMP-3")));
  CAF_REQUIRE_EQUAL(quoted["items"].Size(), 1u);
  auto bill = json_of(server.call(
      call("GET", "/api/v1/bills/" + std::string{quoted["items"][0]["id"].GetString()})));
  CAF_CHECK_EQUAL(str_of(bill["payer"], "name"), "Mwita, Juma");
  CAF_CHECK_EQUAL(str_of(bill, "description"), "Line one\nline two");
  // Another clerk does not see this job; an admin does.
  http_call other = authed(server.user_token("clerk"), "GET", "/api/v1/jobs/" + job);
  CAF_CHECK_EQUAL(server.call(other).status, 404);
  CAF_CHECK_EQUAL(server.call(authed(server.admin_token(), "GET", "/api/v1/jobs/" + job)).status,
                  200);
}

CAF_TEST(an_idempotency_key_makes_an_upload_safe_to_retry) {
  http_call up = call("POST", "/api/v1/bills/import",
                      "payer_name,payer_phone,payer_email,amount,currency,description,due_date,"
                      "reference\nA,+255712000010,,1.00,TZS,Water,2030-01-31,IDEM-1\n");
  up.content_type = "text/csv";
  up.headers.emplace_back("Idempotency-Key", "upload-1");
  auto a = server.call(up);
  auto b = server.call(up);
  CAF_REQUIRE_EQUAL(a.status, 202);
  CAF_CHECK_EQUAL(b.status, 202);
  CAF_CHECK_EQUAL(b.header("idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(str_of(json_of(a), "job_id"), str_of(json_of(b), "job_id"));
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (json_of(server.call(call("GET", "/api/v1/bills?reference=IDEM-1")))["items"].Size() < 1 &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  CAF_CHECK_EQUAL(
      json_of(server.call(call("GET", "/api/v1/bills?reference=IDEM-1")))["items"].Size(), 1u);
}

CAF_TEST(an_unusable_file_is_refused_at_once) {
  auto upload = [&](std::string body, std::string type = "text/csv") {
    http_call up = call("POST", "/api/v1/bills/import", std::move(body));
    up.content_type = std::move(type);
    return server.call(up);
  };
  CAF_CHECK_EQUAL(upload("payer_name,amount\nA,1\n").status, 422);
  CAF_CHECK_EQUAL(upload("\r\n").status, 422);  // no header row
  CAF_CHECK_EQUAL(upload("a,b", "application/json").status, 415);
  CAF_CHECK_EQUAL(upload("payer_name,payer_phone,payer_email,amount,currency,description,"
                         "due_date,reference\n\"unclosed\n")
                      .status,
                  422);
  CAF_CHECK_EQUAL(upload("\xff\xfe").status, 422);
  // The import route takes bodies over http.body_bytes_max (1 MiB); other routes do not.
  std::string big =
      "payer_name,payer_phone,payer_email,amount,currency,description,due_date,"
      "reference\n" +
      std::string(1'200'000, '\n') + "A,+255712000009,,1.00,TZS,Water,2030-01-31,BIG-1\n";
  CAF_CHECK_EQUAL(upload(big).status, 202);
  CAF_CHECK_EQUAL(server.call(call("POST", "/api/v1/bills", std::string(1'200'000, ' '))).status,
                  413);
  http_call as_viewer = authed(server.user_token("viewer"), "POST", "/api/v1/bills/import", "x");
  as_viewer.content_type = "text/csv";
  CAF_CHECK_EQUAL(server.call(as_viewer).status, 403);
}

CAF_TEST(a_chunked_upload_is_stored_while_it_arrives_and_the_connection_goes_on) {
  // 2 500 rows (more than one stored chunk of 1 000), sent in pieces with pauses.
  auto body = chunked(import_header + csv_rows(2'500, "STREAM"), 7'000);
  http_connection conn{server.address()};
  CAF_REQUIRE(conn.send_raw(upload_head("Transfer-Encoding: chunked")));
  for (std::size_t at = 0; at < body.size(); at += 50'000) {
    CAF_REQUIRE(conn.send_raw(body.substr(at, 50'000)));
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  auto r = conn.read_reply();
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->status, 202);
  auto job = str_of(json_of(*r), "job_id");
  // Keep-alive: the same connection serves the next request once the body was read.
  http_call next = call("GET", "/api/v1/jobs/" + job);
  CAF_REQUIRE(conn.send_raw(render(next)));
  auto again = conn.read_reply();
  CAF_REQUIRE(again.has_value());
  CAF_CHECK_EQUAL(again->status, 200);
  auto status = finished_job(job);
  CAF_REQUIRE_EQUAL(str_of(status, "status"), "done");
  CAF_CHECK_EQUAL(status["total"].GetInt(), 2'500);
  CAF_CHECK_EQUAL(status["succeeded"].GetInt(), 2'500);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM bills WHERE reference LIKE 'STREAM-%'"), 2'500);
}

CAF_TEST(a_malformed_row_late_in_a_file_refuses_the_whole_file_and_keeps_nothing) {
  // 1 500 good rows are read (and 1 000 of them stored) before the bad one arrives.
  auto r =
      upload(import_header + csv_rows(1'500, "LATE") +
             "Bad,+255712000001,,1.00,TZS,Wat\"er,2030-01-31,LATE-X\n" + csv_rows(100, "AFTER"));
  CAF_REQUIRE_EQUAL(r.status, 422);
  auto problem = json_of(r);
  CAF_REQUIRE(problem["errors"].IsArray() && problem["errors"].Size() == 1);
  CAF_CHECK(str_of(problem["errors"][0], "message").find("row 1501") != std::string::npos);
  CAF_CHECK_EQUAL(import_jobs_after_cleanup(), 0);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM import_rows"), 0);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM bills"), 0);
}

CAF_TEST(a_row_longer_than_the_record_bound_is_refused) {
  auto r = upload(import_header + "A,+255712000001,,1.00,TZS," + std::string(70'000, 'x') +
                  ",2030-01-31,LONG-1\n");
  CAF_REQUIRE_EQUAL(r.status, 422);
  CAF_CHECK(r.body.find("longer than 65536 bytes") != std::string::npos);
  auto open = upload(import_header + "A,+255712000001,,1.00,TZS,\"" + std::string(70'000, 'x'));
  CAF_REQUIRE_EQUAL(open.status, 422);
  CAF_CHECK(open.body.find("not closed") != std::string::npos);
  CAF_CHECK_EQUAL(import_jobs_after_cleanup(), 0);
}

CAF_TEST(a_client_that_vanishes_mid_upload_leaves_no_job) {
  auto rows = import_header + csv_rows(3'000, "GONE");
  {
    http_connection conn{server.address()};
    CAF_REQUIRE(conn.send_raw(upload_head("Content-Length: " + std::to_string(rows.size() * 2))));
    CAF_REQUIRE(conn.send_raw(rows));
    // Let billd store a chunk or two of it, then hang up.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (count("SELECT count(*) FROM import_rows") == 0 &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    CAF_CHECK_GREATER(count("SELECT count(*) FROM import_rows"), 0);
  }
  CAF_CHECK_EQUAL(import_jobs_after_cleanup(), 0);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM import_rows"), 0);
  // billd goes on serving.
  CAF_CHECK_EQUAL(server.call(call("GET", "/api/v1/auth/me")).status, 200);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(import_limit_tests, small_limit_fixture)

CAF_TEST(a_chunked_upload_over_the_import_limit_is_413_and_keeps_nothing) {
  auto rows = import_header + csv_rows(3'000, "HUGE");  // about 190 KB, the limit is 100 KiB
  http_connection conn{server.address()};
  CAF_REQUIRE(conn.send_raw(upload_head("Transfer-Encoding: chunked")));
  conn.send_raw(chunked(rows, 16'000));  // billd may stop reading before the end
  auto r = conn.read_reply();
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->status, 413);
  CAF_CHECK_EQUAL(r->header("connection"), "close");
  CAF_CHECK_EQUAL(import_jobs_after_cleanup(), 0);
  // With Content-Length the size is refused before any of the body is read.
  auto declared = upload(rows);
  CAF_CHECK_EQUAL(declared.status, 413);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(import_sweep_tests, sweeping_fixture)

CAF_TEST(uploads_left_staged_by_a_crash_are_deleted_by_the_maintenance_sweep) {
  pg_connection conn{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  // One simple query is one transaction: the sweep cannot delete the job between the two.
  conn.exec(
      "INSERT INTO jobs (id, kind, status, created_at) VALUES"
      " ('job_stale', 'import', 'uploading', now() - interval '1 hour'),"
      " ('job_fresh', 'import', 'uploading', now() + interval '1 hour');"
      " INSERT INTO import_rows (job_id, row_no, fields) VALUES ('job_stale', 1, '[]')");
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (count("SELECT count(*) FROM jobs WHERE id = 'job_stale'") > 0 &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM jobs WHERE id = 'job_stale'"), 0);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM import_rows"), 0);
  CAF_CHECK_EQUAL(count("SELECT count(*) FROM jobs WHERE id = 'job_fresh'"), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
