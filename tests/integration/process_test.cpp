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
#include "storage/migrations.hpp"
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
  CAF_CHECK_EQUAL(send(p.address, again).status, 200);
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
