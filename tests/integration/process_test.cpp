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
