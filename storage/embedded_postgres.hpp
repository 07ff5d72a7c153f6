#pragma once
// The embedded default database: a private PostgreSQL 15 cluster that billd creates under its
// data directory and runs as a direct child when no database URL is configured.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace billd {

/// Where and how the embedded cluster runs.
struct embedded_pg_options {
  /// billd's data dir (e.g. ./var): the cluster lives in data_dir/"pg", its socket in
  /// data_dir/"pg-run" and the server's output goes to data_dir/"postgres.log".
  std::filesystem::path data_dir;
  /// Directory holding the PostgreSQL 15 `initdb` and `postgres` binaries.
  std::filesystem::path bin_dir = "/usr/lib/postgresql/15/bin";
  /// Superuser created by initdb (-U); trust auth, reachable only over the private socket.
  std::string db_user = "billd";
  /// Account the server runs as when billd runs as root (PostgreSQL refuses to run as root).
  std::string os_user = "postgres";
  /// [1, 65535]; only names the socket file (.s.PGSQL.<port>): there is no TCP listener.
  int port = 5432;
  /// How long a fast shutdown (SIGINT) may take before escalating to SIGQUIT, then SIGKILL.
  std::chrono::milliseconds stop_timeout{10'000};
};

/// Owns one embedded postmaster: prepare once, then start/poll/stop it as a direct child.
///
/// Not thread-safe: one owner drives it. It reaps only its own child (waitpid on that pid).
class embedded_postgres {
 public:
  /// Keeps the options with data_dir and bin_dir made absolute; touches nothing on disk.
  explicit embedded_postgres(embedded_pg_options opts);
  /// Stops the child (as stop()) if it still runs.
  ~embedded_postgres();

  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  /// Makes the cluster ready to start: creates data_dir, data_dir/pg and data_dir/pg-run; when
  /// root, checks that os_user can reach them, then gives them to os_user (mode 0700); stops a
  /// live postmaster a killed billd left on the same cluster; runs initdb when
  /// data_dir/pg/PG_VERSION is missing. Throws std::runtime_error with an operator-readable
  /// message on any failure.
  void prepare();

  /// Forks and execs `postgres` (no TCP, socket in data_dir/pg-run, fsync and synchronous commit
  /// on) as a direct child running as os_user when root; its output goes to
  /// data_dir/postgres.log. Returns the child's pid. The child gets SIGQUIT when the *thread*
  /// that called start() exits (PR_SET_PDEATHSIG), so call it from a thread that lives as long as
  /// the server should (the main thread, or a dedicated one). Throws std::runtime_error when the
  /// fork fails and std::logic_error when a child is already running.
  pid_t start();

  /// Non-blocking: true while the child runs. When it has ended, records its wait status (see
  /// wait_status()) and, unless stop() ended it, logs the exit as an error.
  bool poll_alive();

  /// Blocks until a connection over the socket succeeds, the timeout passes or the child dies;
  /// true when the server accepts connections.
  bool wait_ready(std::chrono::milliseconds timeout);

  /// Fast shutdown: SIGINT, wait up to stop_timeout, then SIGQUIT, then SIGKILL; reaps the
  /// child. Idempotent; does nothing when no child runs.
  void stop();

  /// libpq conninfo for a database on this cluster:
  /// "host=<abs pg-run dir> port=<port> user=<db_user> dbname=<dbname>" (values quoted only when
  /// they contain spaces, quotes or backslashes).
  std::string conninfo(std::string_view dbname = "postgres") const;

  /// Pid of the last started child, or -1 before start().
  pid_t pid() const;

  /// The options, with data_dir and bin_dir absolute.
  const embedded_pg_options& options() const;

  /// waitpid status of the last child once it has been reaped; nullopt while it runs or before
  /// start().
  std::optional<int> wait_status() const;

 private:
  void check_socket_path() const;
  void stop_leftover_postmaster() const;
  void run_initdb() const;
  bool wait_for_exit(std::chrono::milliseconds timeout);
  void record_exit(int status);

  embedded_pg_options opts_;
  std::filesystem::path pg_dir_;
  std::filesystem::path run_dir_;
  std::filesystem::path log_path_;
  std::int64_t log_offset_ = 0;  // size of postgres.log when the child started
  pid_t pid_ = -1;
  bool running_ = false;
  bool stopping_ = false;
  std::optional<int> wait_status_;
};

}  // namespace billd
