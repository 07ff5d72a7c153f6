#pragma once
// The integration-test harness for PostgreSQL: one throw-away cluster per test process (the
// embedded launcher itself, so the tests exercise it too), and a fresh database per test.

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "storage/embedded_postgres.hpp"

namespace billd::test {

/// A private PostgreSQL cluster for one test binary, started on first use and stopped at exit.
class test_cluster {
 public:
  /// The cluster, prepared and started on first call under a fresh directory
  /// (/tmp/billd-test-XXXXXX/var, traversable by the postgres user). Throws std::runtime_error
  /// when it does not accept connections within 30 s; the directory is then kept for its log.
  /// Thread-safe.
  static test_cluster& instance();

  /// Creates a new empty database (CREATE DATABASE t_<counter>_<pid>) and returns its libpq
  /// conninfo. Thread-safe; throws std::runtime_error when the server refuses.
  std::string create_database();

  /// libpq conninfo for dbname on this cluster.
  std::string conninfo(std::string_view dbname) const;

  /// The running server, for tests that poll or stop it.
  embedded_postgres& server();

  /// Stops the server and removes the temporary directory.
  ~test_cluster();

  test_cluster(const test_cluster&) = delete;
  test_cluster& operator=(const test_cluster&) = delete;

 private:
  test_cluster();
  void start_on_keeper_thread();
  void release_keeper();

  std::filesystem::path root_;
  std::unique_ptr<embedded_postgres> server_;
  // The postmaster dies with the thread that forked it (PR_SET_PDEATHSIG), and a test may call
  // instance() first from a short-lived thread: a thread of our own forks and outlives it.
  std::thread keeper_;
  std::mutex keeper_mutex_;
  std::condition_variable keeper_wake_;
  bool keeper_released_ = false;
  std::atomic<int> databases_{0};
};

}  // namespace billd::test
