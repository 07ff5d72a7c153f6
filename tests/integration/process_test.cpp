// billd as a process on its embedded default: start, create a bill, SIGTERM (exit 0, no
// postgres left) or SIGKILL (the postmaster follows), start again and read the bill back.
#define CAF_SUITE process
#include <utility>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "caf/test/unit_test.hpp"
#include "storage/audit_store.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/gateway_sim_process.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace billd;
using namespace billd::test;
namespace fs = std::filesystem;

namespace {

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

pid_t postmaster_pid(const fs::path& data_dir) {
  std::ifstream f{data_dir / "pg" / "postmaster.pid"};
  pid_t pid = -1;
  f >> pid;
  return pid;
}

bool gone_within(pid_t pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (alive(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  return !alive(pid);
}

/// One billd process with its own data directory.
struct billd_process {
  fs::path data_dir;
  pid_t pid = -1;
  std::string address;
  std::vector<std::pair<std::string, std::string>> env;  // set after the defaults

  void start() {
    fs::remove(data_dir / "listen-address");
    pid = ::fork();
    if (pid == 0) {
      ::setenv("BILLD_DATA_DIR", data_dir.c_str(), 1);
      ::setenv("BILLD_HTTP_LISTEN", "127.0.0.1:0", 1);
      ::setenv("BILLD_ADMIN_PASSWORD", admin_password, 1);
      ::setenv("BILLD_AUTH_ARGON2_OPS", "1", 1);
      ::setenv("BILLD_AUTH_ARGON2_MEM_KIB", "8", 1);
      ::unsetenv("BILLD_DB_URL");
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      ::execl(BILLD_BINARY, "billd", "serve", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{90};
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream f{data_dir / "listen-address"};
      if (f >> address && !address.empty()) return;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) CAF_FAIL("billd exited during start-up");
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    CAF_FAIL("billd did not start listening");
  }

  int stop(int sig) {
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  ~billd_process() {
    if (pid > 0) stop(SIGKILL);
  }
};

std::string login(const std::string& address) {
  http_call c{"POST", "/api/v1/auth/login"};
  c.body = std::string{R"({"username":"admin","password":")"} + admin_password + "\"}";
  return str_of(json_of(send(address, c)), "token");
}

}  // namespace

CAF_TEST(billd_survives_sigterm_and_sigkill_with_its_bills) {
  auto dir = fs::temp_directory_path() / ("billd-proc-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  billd_process p;
  p.data_dir = dir / "var";
  p.start();
  http_call create{"POST", "/api/v1/bills", bill_body("2500.00", "process")};
  create.token = login(p.address);
  auto created = send(p.address, create);
  CAF_REQUIRE_EQUAL(created.status, 201);
  auto id = str_of(json_of(created), "id");
  auto pg = postmaster_pid(p.data_dir);
  CAF_CHECK(alive(pg));
  // The postmaster dies under billd: the storage supervisor starts a new one by itself.
  ::kill(pg, SIGKILL);
  int ready = 0;
  for (int i = 0; i < 300 && ready != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    ready = send(p.address, {"GET", "/health/ready"}).status;
  }
  CAF_CHECK_EQUAL(ready, 200);
  auto restarted = postmaster_pid(p.data_dir);
  CAF_CHECK_NOT_EQUAL(restarted, pg);
  CAF_CHECK(alive(restarted));
  pg = restarted;
  http_call again{"GET", "/api/v1/bills/" + id};
  again.token = create.token;
  // The outage opened the PostgreSQL breaker. Ready means a probe succeeded, but while the
  // breaker is half-open it admits only db.breaker.probes statements (the jobs actor's
  // leases take some), so a read may still get 503 for a moment before it closes.
  int read_back = 0;
  for (int i = 0; i < 100 && read_back != 200; ++i) {
    read_back = send(p.address, again).status;
    if (read_back != 200) std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  CAF_CHECK_EQUAL(read_back, 200);
  CAF_CHECK_EQUAL(p.stop(SIGTERM), 0);
  CAF_CHECK(gone_within(pg, std::chrono::seconds{10}));

  p.start();
  http_call read{"GET", "/api/v1/bills/" + id};
  read.token = login(p.address);
  auto r = send(p.address, read);
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(str_of(json_of(r), "amount"), "2500.00");
  pg = postmaster_pid(p.data_dir);
  p.stop(SIGKILL);
  CAF_CHECK(gone_within(pg, std::chrono::seconds{20}));

  p.start();
  read.token = login(p.address);
  CAF_CHECK_EQUAL(send(p.address, read).status, 200);
  CAF_CHECK_EQUAL(p.stop(SIGTERM), 0);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

namespace {

/// Runs billd with args and extra environment; returns (exit code, combined output).
std::pair<int, std::string> run_billd(std::vector<std::string> args,
                                      std::vector<std::pair<std::string, std::string>> env) {
  int out[2];
  CAF_REQUIRE(::pipe(out) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    ::close(out[0]);
    for (auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>("billd")};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(BILLD_BINARY, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string output;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    output.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace

CAF_TEST(jobs_pending_when_billd_is_killed_complete_once_after_a_restart) {
  gateway_sim_process sim;
  sim.control(R"({"error_rate":1.0,"error_kind":"5xx"})");
  auto url = test_cluster::instance().create_database();
  auto dir = fs::temp_directory_path() / ("billd-jobs-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  billd_process p;
  p.data_dir = dir;
  p.env = {{"BILLD_DB_URL", url},
           {"BILLD_GATEWAY_URL", sim.url()},
           {"BILLD_GATEWAY_SECRET_OUT", gateway_secret_out},
           {"BILLD_GATEWAY_SECRET_IN", gateway_secret_in},
           {"BILLD_GATEWAY_ATTEMPTS", "1"},
           {"BILLD_JOBS_POLL_INTERVAL_MS", "50"},
           {"BILLD_JOBS_BACKOFF_MIN_MS", "50"},
           {"BILLD_JOBS_BACKOFF_MAX_MS", "200"},
           {"BILLD_JOBS_LEASE_MS", "1000"}};
  p.start();
  http_call create{"POST", "/api/v1/bills", bill_body()};
  create.token = login(p.address);
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto r = send(p.address, create);
    CAF_REQUIRE_EQUAL(r.status, 201);
    ids.push_back(str_of(json_of(r), "id"));
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (sim.stat("errors_injected") < 10 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  CAF_CHECK_EQUAL(p.stop(SIGKILL), 128 + SIGKILL);  // jobs leased or waiting: all in flight
  sim.control(R"({"error_rate":0.0})");
  p.start();
  http_call read{"GET", ""};
  read.token = login(p.address);
  until = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  for (const auto& id : ids) {
    read.path = "/api/v1/bills/" + id + "/control-number";
    while (send(p.address, read).status != 200 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    CAF_CHECK_EQUAL(send(p.address, read).status, 200);
  }
  pg_connection conn{url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  CAF_CHECK_EQUAL(conn.exec("SELECT count(*) FROM jobs WHERE kind = 'control_number'"
                            " AND status = 'done'")
                      .int64(0, 0),
                  10);
  CAF_CHECK_EQUAL(sim.stat("bills"), 10);   // one control number per bill at the gateway
  CAF_CHECK_EQUAL(sim.stat("issued"), 10);  // however often each was asked
  p.stop(SIGTERM);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

CAF_TEST(migrate_and_user_create_work_against_a_database_url) {
  auto url = test_cluster::instance().create_database();
  std::vector<std::pair<std::string, std::string>> env{{"BILLD_DB_URL", url},
                                                       {"BILLD_DATA_DIR", "/tmp"}};
  auto [code, out] = run_billd({"migrate"}, env);
  CAF_CHECK_EQUAL(code, 0);
  auto all = "applied " + std::to_string(embedded_migrations().size()) + " migration";
  CAF_CHECK(out.find(all) != std::string::npos);
  auto again = run_billd({"migrate"}, env);
  CAF_CHECK(again.second.find("applied 0 migration") != std::string::npos);
  auto created = run_billd({"user", "create", "--username", "ops.one", "--role", "viewer"}, env);
  CAF_CHECK_EQUAL(created.first, 0);
  CAF_CHECK(created.second.find("password: ") != std::string::npos);
  auto dup = run_billd({"user", "create", "--username", "ops.one", "--role", "viewer"}, env);
  CAF_CHECK_NOT_EQUAL(dup.first, 0);
  CAF_CHECK(dup.second.find("already exists") != std::string::npos);
}

CAF_TEST(audit_verify_reports_an_intact_log_then_the_first_tampered_row) {
  auto url = test_cluster::instance().create_database();
  std::vector<std::pair<std::string, std::string>> env{{"BILLD_DB_URL", url},
                                                       {"BILLD_DATA_DIR", "/tmp"}};
  CAF_REQUIRE_EQUAL(run_billd({"migrate"}, env).first, 0);
  pg_connection conn{url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  for (const char* entity : {"bil_A", "bil_B"})
    for (int i = 0; i < 3; ++i) {
      conn.begin();
      record_audit(conn, "bill", entity, "update", "usr_X",
                   R"({"status":{"before":"pending","after":"issued"}})");
      conn.commit();
    }
  CAF_CHECK_EQUAL(seal_audit(conn, audit_ids_drawn(conn)), 6);
  auto intact = run_billd({"audit", "verify"}, env);
  CAF_CHECK_EQUAL(intact.first, 0);
  CAF_CHECK(intact.second.find("intact: 6 rows, 1 checkpoints") != std::string::npos);
  // Rewriting a row's content breaks its own hash.
  auto second_of_b = conn.exec(
                             "SELECT id FROM audit_log WHERE entity_id = 'bil_B' ORDER BY id"
                             " OFFSET 1 LIMIT 1")
                         .str(0, 0);
  conn.exec(
      "UPDATE audit_log SET changes = '{\"status\":{\"before\":\"x\",\"after\":\"y\"}}'"
      " WHERE id = $1",
      {second_of_b});
  auto broken = run_billd({"audit", "verify"}, env);
  CAF_CHECK_EQUAL(broken.first, 1);
  CAF_CHECK(broken.second.find("audit row " + second_of_b + " (bill bil_B)") != std::string::npos);
  // Recomputing that row's hash moves the break to the next row of the chain...
  conn.exec(
      "UPDATE audit_log SET hash = audit_row_hash(prev_hash, entity_type, entity_id,"
      " action, actor, at, changes) WHERE id = $1",
      {second_of_b});
  auto next = run_billd({"audit", "verify"}, env);
  CAF_CHECK_EQUAL(next.first, 1);
  CAF_CHECK(next.second.find("prev_hash") != std::string::npos);
  // ...and rewriting the whole rest of the chain is still caught by the checkpoint.
  conn.exec(
      "UPDATE audit_log a SET prev_hash = (SELECT hash FROM audit_log p WHERE"
      " p.entity_id = a.entity_id AND p.id < a.id ORDER BY p.id DESC LIMIT 1)"
      " WHERE a.entity_id = 'bil_B' AND a.id > $1::bigint",
      {second_of_b});
  conn.exec(
      "UPDATE audit_log SET hash = audit_row_hash(prev_hash, entity_type, entity_id,"
      " action, actor, at, changes) WHERE entity_id = 'bil_B' AND id > $1::bigint",
      {second_of_b});
  auto sealed = run_billd({"audit", "verify"}, env);
  CAF_CHECK_EQUAL(sealed.first, 1);
  CAF_CHECK(sealed.second.find("checkpoint") != std::string::npos);
}

CAF_TEST(cleanup_purges_only_what_is_old_and_dry_run_purges_nothing) {
  auto url = test_cluster::instance().create_database();
  std::vector<std::pair<std::string, std::string>> env{{"BILLD_DB_URL", url},
                                                       {"BILLD_DATA_DIR", "/tmp"}};
  CAF_REQUIRE_EQUAL(run_billd({"migrate"}, env).first, 0);
  pg_connection conn{url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  conn.exec(
      "INSERT INTO users (id, username, password_hash, role) VALUES ('usr_1', 'u1', 'x', 'clerk');"
      "INSERT INTO gateway_log (req_type, status, created_at) VALUES"
      " ('control_number', 'issued', now() - interval '401 days'),"
      " ('control_number', 'issued', now() - interval '399 days');"
      "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES"
      " ('\\x01', 'usr_1', now() - interval '1 hour'), ('\\x02', 'usr_1', now() + interval '1 "
      "hour');"
      "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) VALUES"
      " ('usr_1', 'old', '\\x00', 201, '{}', now() - interval '2 days'),"
      " ('usr_1', 'new', '\\x00', 201, '{}', now());"
      "INSERT INTO jobs (id, kind, status, updated_at) VALUES"
      " ('job_1', 'withdrawal', 'done', now() - interval '31 days'),"
      " ('job_2', 'withdrawal', 'queued', now() - interval '31 days'),"
      " ('job_3', 'withdrawal', 'done', now());"
      "INSERT INTO audit_log (entity_type, entity_id, action, actor, at, hash) VALUES"
      " ('bill', 'bil_1', 'create', 'usr_1', now() - interval '3000 days', '\\x00');");
  auto counts = [&] {
    return conn
        .exec(
            "SELECT (SELECT count(*) FROM gateway_log) || ',' ||"
            " (SELECT count(*) FROM sessions) || ',' ||"
            " (SELECT count(*) FROM idempotency_keys) || ',' ||"
            " (SELECT count(*) FROM jobs) || ',' || (SELECT count(*) FROM audit_log)")
        .str(0, 0);
  };
  auto dry = run_billd({"cleanup", "--dry-run"}, env);
  CAF_CHECK_EQUAL(dry.first, 0);
  CAF_CHECK(dry.second.find("gateway_log: 1 would be purged") != std::string::npos);
  CAF_CHECK(dry.second.find("jobs: 1 would be purged") != std::string::npos);
  CAF_CHECK_EQUAL(counts(), "2,2,2,3,1");
  auto real = run_billd({"cleanup"}, env);
  CAF_CHECK_EQUAL(real.first, 0);
  CAF_CHECK(real.second.find("sessions: 1 purged") != std::string::npos);
  CAF_CHECK(real.second.find("idempotency_keys: 1 purged") != std::string::npos);
  CAF_CHECK_EQUAL(counts(), "1,1,1,2,1");
}

CAF_TEST(configuration_errors_exit_64_naming_the_key) {
  auto [code, out] = run_billd({"--db.pool_size=0"}, {});
  CAF_CHECK_EQUAL(code, 64);
  CAF_CHECK(out.find("db.pool_size") != std::string::npos);
  auto unknown = run_billd({"--no.such.key=1"}, {});
  CAF_CHECK_EQUAL(unknown.first, 64);
  auto version = run_billd({"--version"}, {});
  CAF_CHECK_EQUAL(version.first, 0);
  CAF_CHECK(version.second.starts_with("billd "));
  auto help = run_billd({"--help"}, {});
  CAF_CHECK(help.second.find("billd migrate") != std::string::npos);
}

CAF_TEST(check_exits_zero_on_a_fresh_schema_and_one_for_an_unindexed_foreign_key) {
  auto url = test_cluster::instance().create_database();
  std::vector<std::pair<std::string, std::string>> env{{"BILLD_DB_URL", url},
                                                       {"BILLD_DATA_DIR", "/tmp"}};
  auto fresh = run_billd({"check"}, env);
  CAF_CHECK_EQUAL(fresh.first, 0);
  CAF_CHECK(fresh.second.find("0 finding(s) need action") != std::string::npos);
  CAF_CHECK(fresh.second.find("plan bill by id") != std::string::npos);  // explained
  // A big table whose foreign key leads no index: deleting a parent scans all of it.
  pg_connection conn{url, std::chrono::seconds{5}, std::chrono::seconds{30}};
  conn.exec(
      "CREATE TABLE check_parent (id integer PRIMARY KEY);"
      " CREATE TABLE check_child (id integer PRIMARY KEY,"
      "   parent integer NOT NULL REFERENCES check_parent (id));"
      " INSERT INTO check_parent VALUES (1);"
      " INSERT INTO check_child SELECT g, 1 FROM generate_series(1, 20000) g;"
      " ANALYZE check_child");
  auto flagged = run_billd({"check"}, env);
  CAF_CHECK_EQUAL(flagged.first, 1);
  CAF_CHECK(flagged.second.find("ACTION fk_without_index check_child: foreign key "
                                "check_child_parent_fkey (parent)") != std::string::npos);
  conn.exec("CREATE INDEX ON check_child (parent)");  // a sequential scan: not yet a habit
  auto fixed = run_billd({"check"}, env);
  CAF_CHECK_EQUAL(fixed.first, 0);
  CAF_CHECK(fixed.second.find("0 finding(s) need action") != std::string::npos);
}

CAF_TEST(a_log_file_that_cannot_be_written_costs_requests_nothing) {
  auto dir = fs::temp_directory_path() / ("billd-log-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  auto requests_succeed = [](const std::string& address) {
    int ok = 0;
    for (int i = 0; i < 200; ++i)  // each one logs a debug line
      ok += send(address, http_call{"GET", "/api/v1/auth/me"}).status == 401 ? 1 : 0;
    return ok;
  };
  billd_process p;
  p.data_dir = dir / "var";
  // Disk full: every write to the file fails; lines go to stderr instead.
  p.env = {{"BILLD_LOG_FILE", "/dev/full"}, {"BILLD_LOG_LEVEL", "debug"}};
  p.start();
  CAF_CHECK_EQUAL(requests_succeed(p.address), 200);
  CAF_CHECK_EQUAL(p.stop(SIGTERM), 0);
  // A plain file where the log directory should be: stderr until the directory can be made,
  // then the file, by itself.
  auto logs = dir / "logs";
  fs::remove_all(logs);
  std::ofstream{logs} << "in the way";
  p.env = {{"BILLD_LOG_FILE", (logs / "billd.log").string()},
           {"BILLD_LOG_LEVEL", "debug"},
           {"BILLD_LOG_FILE_RETRY_MS", "200"}};
  p.start();
  CAF_CHECK_EQUAL(requests_succeed(p.address), 200);
  fs::remove(logs);
  fs::create_directories(logs);
  std::this_thread::sleep_for(std::chrono::milliseconds{400});
  CAF_CHECK_EQUAL(requests_succeed(p.address), 200);
  CAF_CHECK_EQUAL(p.stop(SIGTERM), 0);
  std::ifstream file{logs / "billd.log"};
  std::string all{std::istreambuf_iterator<char>{file}, {}};
  CAF_CHECK(all.find("[http]") != std::string::npos);
  CAF_CHECK(all.find("/api/v1/auth/me -> 401") != std::string::npos);
  fs::remove_all(dir);
}
