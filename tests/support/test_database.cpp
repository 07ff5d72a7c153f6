#include "tests/support/test_database.hpp"

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <future>
#include <stdexcept>
#include <system_error>

namespace billd::test {
namespace {

constexpr std::chrono::milliseconds ready_timeout{30'000};

/// mkdtemp under /tmp, opened up to 0755: mkdtemp makes 0700, which the postgres user (when the
/// tests run as root) cannot traverse.
std::filesystem::path make_temp_root() {
  char pattern[] = "/tmp/billd-test-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp /tmp/billd-test-XXXXXX");
  }
  if (::chmod(pattern, 0755) != 0) {
    throw std::system_error(errno, std::generic_category(), std::string("chmod ") + pattern);
  }
  return pattern;
}

struct pg_conn_closer {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct pg_result_clearer {
  void operator()(PGresult* res) const { PQclear(res); }
};

}  // namespace

test_cluster& test_cluster::instance() {
  static test_cluster cluster;
  return cluster;
}

test_cluster::test_cluster() : root_(make_temp_root()) {
  embedded_pg_options opts;
  opts.data_dir = root_ / "var";
  server_ = std::make_unique<embedded_postgres>(opts);
  try {
    server_->prepare();
    start_on_keeper_thread();
    if (!server_->wait_ready(ready_timeout)) {
      throw std::runtime_error("the test PostgreSQL did not accept connections within 30 s");
    }
  } catch (const std::exception& e) {
    server_->stop();
    release_keeper();
    throw std::runtime_error(std::string(e.what()) + " (kept " + root_.string() +
                             " for its log, var/postgres.log)");
  }
}

void test_cluster::start_on_keeper_thread() {
  std::promise<void> started;
  std::future<void> started_result = started.get_future();
  keeper_ = std::thread([this, started = std::move(started)]() mutable {
    try {
      server_->start();
      started.set_value();
    } catch (...) {
      started.set_exception(std::current_exception());
      return;
    }
    std::unique_lock lock(keeper_mutex_);
    keeper_wake_.wait(lock, [this] { return keeper_released_; });
  });
  started_result.get();
}

void test_cluster::release_keeper() {
  {
    const std::lock_guard lock(keeper_mutex_);
    keeper_released_ = true;
  }
  keeper_wake_.notify_all();
  if (keeper_.joinable()) keeper_.join();
}

test_cluster::~test_cluster() {
  // Stop before releasing the keeper: its exit would otherwise SIGQUIT the server mid-stop.
  server_->stop();
  release_keeper();
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

std::string test_cluster::conninfo(std::string_view dbname) const {
  return server_->conninfo(dbname);
}

embedded_postgres& test_cluster::server() { return *server_; }

std::string test_cluster::create_database() {
  const std::string name = "t_" + std::to_string(++databases_) + "_" + std::to_string(::getpid());
  const std::unique_ptr<PGconn, pg_conn_closer> admin(PQconnectdb(conninfo("postgres").c_str()));
  if (PQstatus(admin.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the test PostgreSQL: " +
                             std::string(PQerrorMessage(admin.get())));
  }
  const std::unique_ptr<PGresult, pg_result_clearer> result(
      PQexec(admin.get(), ("CREATE DATABASE " + name).c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error("CREATE DATABASE " + name + " failed: " + PQerrorMessage(admin.get()));
  }
  return conninfo(name);
}

}  // namespace billd::test
