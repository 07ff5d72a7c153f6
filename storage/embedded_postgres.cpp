#include "storage/embedded_postgres.hpp"
#include "log/module_log.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace billd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t socket_path_bytes_max = sizeof(sockaddr_un::sun_path) - 1;
/// SIGQUIT is PostgreSQL's immediate shutdown; it should finish almost at once.
constexpr std::chrono::milliseconds quit_grace{3'000};
/// After SIGKILL only the kernel is left to act.
constexpr std::chrono::milliseconds kill_grace{2'000};
constexpr std::chrono::milliseconds exit_poll_interval{20};
constexpr std::chrono::milliseconds ready_poll_interval{50};
/// Exit status of a forked child that failed before exec (127: exec itself failed).
constexpr int child_setup_failed = 126;
constexpr int child_exec_failed = 127;
/// Directories deeper than this cannot be reported through an exit status.
constexpr std::size_t reach_chain_depth_max = 200;

/// The account the server runs as when billd is root, resolved before fork (NSS is not
/// async-signal-safe).
struct os_identity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

std::optional<os_identity> child_identity(const embedded_pg_options& opts) {
  if (::geteuid() != 0) return std::nullopt;
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  const int rc = ::getpwnam_r(opts.os_user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) {
    throw std::runtime_error(fmt::format(
        "billd runs as root, so the embedded PostgreSQL must run as user '{}' (PostgreSQL refuses "
        "root), but that user does not exist; create it or run billd as another user",
        opts.os_user));
  }
  if (found->pw_uid == 0) {
    throw std::runtime_error(fmt::format(
        "embedded PostgreSQL cannot run as '{}': it is a root account and PostgreSQL refuses root",
        opts.os_user));
  }
  os_identity id{opts.os_user, found->pw_uid, found->pw_gid, {}};
  int count = 64;
  id.groups.resize(static_cast<std::size_t>(count));
  while (::getgrouplist(found->pw_name, found->pw_gid, id.groups.data(), &count) < 0) {
    id.groups.resize(static_cast<std::size_t>(count) * 2);
    count = static_cast<int>(id.groups.size());
  }
  id.groups.resize(static_cast<std::size_t>(count));
  return id;
}

/// argv for execv, built before fork so the child only reads memory.
class exec_args {
 public:
  explicit exec_args(std::vector<std::string> args) : args_(std::move(args)) {
    for (auto& arg : args_) pointers_.push_back(arg.data());
    pointers_.push_back(nullptr);
  }
  exec_args(const exec_args&) = delete;
  exec_args& operator=(const exec_args&) = delete;

  const char* path() const { return args_.front().c_str(); }
  char* const* argv() const { return pointers_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> pointers_;
};

/// What a forked child does before exec; everything here is async-signal-safe because billd
/// forks from a multi-threaded process.
struct child_setup {
  const os_identity* become = nullptr;  // drop to this account when set (billd is root)
  const char* workdir = nullptr;
  int stdin_fd = -1;  // -1 keeps billd's
  int stdout_fd = -1;
  int stderr_fd = -1;
  pid_t die_with = 0;  // when set: SIGQUIT on parent death, and give up if it already died
  bool own_process_group = false;
};

void child_write(const char* text) {
  const ssize_t written = ::write(STDERR_FILENO, text, std::strlen(text));
  static_cast<void>(written);
}

[[noreturn]] void child_fail(const char* what, int status, const char* detail = "") {
  child_write("billd (embedded PostgreSQL child): ");
  child_write(what);
  child_write(detail);
  child_write("\n");
  ::_exit(status);
}

void child_apply(const child_setup& setup) {
  // A terminal's Ctrl-C must reach billd only; billd then stops the server in order.
  if (setup.own_process_group) ::setpgid(0, 0);
  // Ignored dispositions and the blocked mask survive exec; PostgreSQL expects defaults.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) {
      ::sigaction(sig, &dfl, nullptr);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (setup.stdin_fd >= 0 && ::dup2(setup.stdin_fd, STDIN_FILENO) < 0)
    child_fail("dup2", child_setup_failed);
  if (setup.stdout_fd >= 0 && ::dup2(setup.stdout_fd, STDOUT_FILENO) < 0)
    child_fail("dup2", child_setup_failed);
  if (setup.stderr_fd >= 0 && ::dup2(setup.stderr_fd, STDERR_FILENO) < 0)
    child_fail("dup2", child_setup_failed);
  if (setup.become != nullptr) {
    const os_identity& id = *setup.become;
    if (::setgroups(id.groups.size(), id.groups.data()) != 0 || ::setgid(id.gid) != 0 ||
        ::setuid(id.uid) != 0) {
      child_fail("cannot switch to the PostgreSQL user", child_setup_failed);
    }
  }
  if (setup.die_with != 0) {
    // After the uid change, which clears the death signal.
    if (::prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0) child_fail("prctl", child_setup_failed);
    // billd may have died between fork and prctl; then nobody would stop us.
    if (::getppid() != setup.die_with) ::_exit(1);
  }
  // PostgreSQL resolves its own path from the cwd, which (e.g. /root) it may not be able to read.
  if (setup.workdir != nullptr && ::chdir(setup.workdir) != 0) {
    child_fail("cannot enter the cluster directory", child_setup_failed);
  }
  // billd's sockets and files must not stay open in the server.
  ::close_range(3, ~0U, 0);
}

[[noreturn]] void child_exec(const child_setup& setup, const exec_args& args) {
  child_apply(setup);
  ::execv(args.path(), args.argv());
  child_fail("cannot exec ", child_exec_failed, args.path());
}

/// Checked before fork so a missing installation is reported as such, not as exit status 127.
void require_binary(const fs::path& binary) {
  if (::access(binary.c_str(), X_OK) != 0) {
    throw std::runtime_error(fmt::format(
        "the PostgreSQL 15 program {} is missing or not executable ({}); install postgresql-15 "
        "or point bin_dir at its bin directory",
        binary.string(), std::strerror(errno)));
  }
}

/// Blocking waitpid that survives EINTR; returns the wait status.
int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "waitpid");
    }
  }
  return status;
}

pid_t fork_or_throw(std::string_view what) {
  const pid_t child = ::fork();
  if (child < 0) {
    throw std::runtime_error(fmt::format("cannot fork to run {}: {}", what, std::strerror(errno)));
  }
  return child;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::sigabbrev_np(WTERMSIG(status));
    return fmt::format("was killed by signal {} (SIG{})", WTERMSIG(status),
                       name != nullptr ? name : "?");
  }
  return fmt::format("ended with wait status {}", status);
}

std::string mode_text(const fs::path& dir) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) return "mode unknown";
  return fmt::format("owner uid {}, mode {:04o}", info.st_uid, info.st_mode & 07777U);
}

/// data_dir's ancestors from "/" down, then data_dir itself: what the server must traverse.
std::vector<fs::path> reach_chain(const fs::path& data_dir) {
  std::vector<fs::path> chain;
  for (fs::path dir = data_dir; !dir.empty(); dir = dir.parent_path()) {
    chain.push_back(dir);
    if (dir == dir.root_path()) break;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

/// Forks a child that becomes os_user and probes every directory on the way to the cluster;
/// exit status 0 when all are reachable, else 1 + the index of the first unreachable one.
int probe_reach(const os_identity& id, const std::vector<std::string>& dirs,
                std::size_t traverse_only) {
  const child_setup setup{&id};
  const pid_t child = fork_or_throw("an access check");
  if (child == 0) {
    child_apply(setup);
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      const int needed = i < traverse_only ? X_OK : (R_OK | W_OK | X_OK);
      if (::access(dirs[i].c_str(), needed) != 0) ::_exit(static_cast<int>(i + 1));
    }
    ::_exit(0);
  }
  const int status = wait_child(child);
  if (!WIFEXITED(status) || WEXITSTATUS(status) > static_cast<int>(dirs.size())) {
    throw std::runtime_error("the access check for the PostgreSQL user " + describe_status(status));
  }
  return WEXITSTATUS(status);
}

void ensure_reachable(const os_identity& id, const fs::path& data_dir,
                      const std::vector<fs::path>& cluster_dirs) {
  const std::vector<fs::path> chain = reach_chain(data_dir);
  if (chain.size() > reach_chain_depth_max) {
    throw std::runtime_error("data_dir is nested too deeply: " + data_dir.string());
  }
  std::vector<std::string> dirs;
  for (const auto& dir : chain) dirs.push_back(dir.string());
  for (const auto& dir : cluster_dirs) dirs.push_back(dir.string());
  const int failed = probe_reach(id, dirs, chain.size());
  if (failed == 0) return;
  const auto index = static_cast<std::size_t>(failed - 1);
  if (index < chain.size()) {
    throw std::runtime_error(fmt::format(
        "PostgreSQL runs as user '{}', which cannot reach {}: '{}' is not traversable by it "
        "({}). Choose a data_dir that user can reach (e.g. /var/lib/billd) or chmod o+x the "
        "parents.",
        id.name, data_dir.string(), dirs[index], mode_text(chain[index])));
  }
  throw std::runtime_error(fmt::format(
      "PostgreSQL runs as user '{}', which cannot read and write {} ({}) although billd gave it "
      "that directory; check the file system (e.g. NFS root_squash) or choose another data_dir",
      id.name, dirs[index], mode_text(dirs[index])));
}

/// chown -R that leaves correctly owned entries alone, so a large cluster costs only lstat.
void give_to(const os_identity& id, const fs::path& top) {
  const auto own = [&id](const fs::path& entry) {
    struct stat info {};
    if (::lstat(entry.c_str(), &info) != 0) return;
    if (info.st_uid == id.uid && info.st_gid == id.gid) return;
    if (::lchown(entry.c_str(), id.uid, id.gid) != 0) {
      throw std::runtime_error(fmt::format("cannot give {} to user '{}': {}", entry.string(),
                                           id.name, std::strerror(errno)));
    }
  };
  own(top);
  for (const auto& entry : fs::recursive_directory_iterator(top)) own(entry.path());
}

void make_private(const fs::path& dir) {
  if (::chmod(dir.c_str(), 0700) != 0) {
    throw std::runtime_error(
        fmt::format("cannot set mode 0700 on {}: {}", dir.string(), std::strerror(errno)));
  }
}

/// True when pid is gone, including a zombie nobody reaps (it is no longer a postmaster).
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat_file(fmt::format("/proc/{}/stat", pid));
  std::string stat_line;
  if (!std::getline(stat_file, stat_line)) return true;
  const auto paren = stat_line.rfind(')');
  return paren != std::string::npos && paren + 2 < stat_line.size() && stat_line[paren + 2] == 'Z';
}

bool wait_gone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(exit_poll_interval);
  }
  return true;
}

/// A pid from postmaster.pid may have been reused: only a postgres binary whose working
/// directory is this cluster is ours to stop.
bool is_postmaster_of(pid_t pid, const fs::path& pg_dir) {
  std::ifstream cmdline_file(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  std::string argv0;
  if (!std::getline(cmdline_file, argv0, '\0')) return false;
  const std::string program = fs::path(argv0).filename().string();
  if (program != "postgres" && program != "postmaster") return false;
  std::error_code ec;
  const fs::path cwd = fs::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  return ec || fs::weakly_canonical(pg_dir, ec) == cwd;
}

std::optional<pid_t> read_lock_pid(const fs::path& lock_file) {
  std::ifstream in(lock_file);
  long value = 0;
  if (!(in >> value) || value <= 0 || value > INT32_MAX) return std::nullopt;
  return static_cast<pid_t>(value);
}

std::string conninfo_value(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \t\n'\\") == std::string_view::npos) {
    return std::string(value);
  }
  std::string quoted = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

/// The server's own explanation for an exit: the postmaster's last line in its log since
/// start (backends log too, e.g. "starting up" for every early ping, and would mislead), or an
/// early startup error, which has no "<timestamp> [pid]" prefix.
std::string last_log_message(const fs::path& log_path, std::streamoff since, pid_t postmaster) {
  std::ifstream in(log_path, std::ios::binary);
  if (!in) return "no log";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(std::max(since, size - std::streamoff{16384}));
  const std::string own_tag = fmt::format("[{}] ", postmaster);
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    const bool prefixed = !line.empty() && line.front() >= '0' && line.front() <= '9';
    if (!line.empty() && (!prefixed || line.find(own_tag) != std::string::npos)) found = line;
  }
  return found.empty() ? "no message from the server" : found;
}

class unique_fd {
 public:
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  unique_fd& operator=(unique_fd&&) = delete;
  ~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

unique_fd open_or_throw(const fs::path& path, int flags, mode_t mode = 0) {
  unique_fd fd(::open(path.c_str(), flags | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    throw std::runtime_error(
        fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  }
  return fd;
}

}  // namespace

embedded_postgres::embedded_postgres(embedded_pg_options opts) : opts_(std::move(opts)) {
  if (opts_.data_dir.empty()) throw std::runtime_error("embedded PostgreSQL: data_dir is empty");
  opts_.data_dir = fs::absolute(opts_.data_dir).lexically_normal();
  opts_.bin_dir = fs::absolute(opts_.bin_dir).lexically_normal();
  // "var/" normalizes to "var/" with an empty filename; drop it so parents are computed right.
  if (!opts_.data_dir.has_filename()) opts_.data_dir = opts_.data_dir.parent_path();
  pg_dir_ = opts_.data_dir / "pg";
  run_dir_ = opts_.data_dir / "pg-run";
  log_path_ = opts_.data_dir / "postgres.log";
}

embedded_postgres::~embedded_postgres() {
  try {
    stop();
  } catch (...) {
    // A destructor cannot report; stop() only throws if logging itself fails.
  }
}

void embedded_postgres::check_socket_path() const {
  if (opts_.port < 1 || opts_.port > 65535) {
    throw std::runtime_error(
        fmt::format("embedded PostgreSQL port {} is out of range [1, 65535]", opts_.port));
  }
  const std::string socket = fmt::format("{}/.s.PGSQL.{}", run_dir_.string(), opts_.port);
  if (socket.size() > socket_path_bytes_max) {
    throw std::runtime_error(fmt::format(
        "the embedded PostgreSQL socket path {} is {} bytes, but Unix sockets allow at most {}; "
        "choose a shorter data_dir",
        socket, socket.size(), socket_path_bytes_max));
  }
}

void embedded_postgres::prepare() {
  check_socket_path();
  const std::optional<os_identity> id = child_identity(opts_);
  try {
    fs::create_directories(pg_dir_);
    fs::create_directories(run_dir_);
    if (id) {
      give_to(*id, pg_dir_);
      give_to(*id, run_dir_);
    }
  } catch (const fs::filesystem_error& e) {
    throw std::runtime_error(
        fmt::format("cannot create the embedded PostgreSQL directories under {}: {}",
                    opts_.data_dir.string(), e.what()));
  }
  make_private(pg_dir_);
  make_private(run_dir_);
  if (id) ensure_reachable(*id, opts_.data_dir, {pg_dir_, run_dir_});
  stop_leftover_postmaster();
  if (!fs::exists(pg_dir_ / "PG_VERSION")) run_initdb();
}

void embedded_postgres::stop_leftover_postmaster() const {
  const std::optional<pid_t> leftover = read_lock_pid(pg_dir_ / "postmaster.pid");
  // A dead pid or a reused one is left alone: postgres itself replaces a stale lock file.
  if (!leftover || process_gone(*leftover) || !is_postmaster_of(*leftover, pg_dir_)) return;
  const pid_t pid = *leftover;
  logger_of(log_module::db)
      .warn("stopping a PostgreSQL server (pid {}) left running on {} by an earlier billd", pid,
            pg_dir_.string());
  const std::pair<int, std::chrono::milliseconds> steps[] = {
      {SIGINT, opts_.stop_timeout}, {SIGQUIT, quit_grace}, {SIGKILL, kill_grace}};
  for (const auto& [sig, grace] : steps) {
    if (::kill(pid, sig) != 0 && errno == EPERM) {
      throw std::runtime_error(fmt::format(
          "a PostgreSQL server (pid {}) is running on {} and billd may not stop it; stop it first",
          pid, pg_dir_.string()));
    }
    if (wait_gone(pid, grace)) return;
    logger_of(log_module::db)
        .warn("leftover PostgreSQL (pid {}) still runs after signal {}; escalating", pid, sig);
  }
  throw std::runtime_error(fmt::format(
      "a PostgreSQL server (pid {}) left running on {} survived SIGKILL", pid, pg_dir_.string()));
}

void embedded_postgres::run_initdb() const {
  if (!fs::is_empty(pg_dir_)) {
    throw std::runtime_error(fmt::format(
        "{} is not empty but holds no PostgreSQL cluster (no PG_VERSION), probably from an "
        "interrupted initdb; remove it or choose another data_dir",
        pg_dir_.string()));
  }
  logger_of(log_module::db)
      .info("creating the embedded PostgreSQL cluster in {} (initdb)", pg_dir_.string());
  const std::optional<os_identity> id = child_identity(opts_);
  require_binary(opts_.bin_dir / "initdb");
  const exec_args args({(opts_.bin_dir / "initdb").string(), "-D", pg_dir_.string(), "-U",
                        opts_.db_user, "--auth=trust", "-E", "UTF8", "--no-locale"});
  // Its progress chatter goes to the log; its errors stay on our stderr for the operator.
  const unique_fd log = open_or_throw(log_path_, O_WRONLY | O_CREAT | O_APPEND, 0640);
  const std::string workdir = pg_dir_.string();
  child_setup setup;
  setup.become = id ? &*id : nullptr;
  setup.workdir = workdir.c_str();
  setup.stdout_fd = log.get();
  const pid_t child = fork_or_throw("initdb");
  if (child == 0) child_exec(setup, args);
  const int status = wait_child(child);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(
        fmt::format("initdb for {} failed: it {} (see its messages above and {})", pg_dir_.string(),
                    describe_status(status), log_path_.string()));
  }
}

pid_t embedded_postgres::start() {
  if (running_ && poll_alive()) {
    throw std::logic_error("embedded PostgreSQL is already running");
  }
  check_socket_path();
  const std::optional<os_identity> id = child_identity(opts_);
  require_binary(opts_.bin_dir / "postgres");
  const exec_args args({(opts_.bin_dir / "postgres").string(), "-D", pg_dir_.string(), "-c",
                        "listen_addresses=", "-c", "unix_socket_directories=" + run_dir_.string(),
                        "-c", fmt::format("port={}", opts_.port), "-c", "fsync=on", "-c",
                        "synchronous_commit=on", "-c", "max_connections=200"});
  const unique_fd log = open_or_throw(log_path_, O_WRONLY | O_CREAT | O_APPEND, 0640);
  const unique_fd null_in = open_or_throw("/dev/null", O_RDONLY);
  struct stat log_info {};
  log_offset_ = ::fstat(log.get(), &log_info) == 0 ? std::int64_t{log_info.st_size} : 0;
  const std::string workdir = pg_dir_.string();
  child_setup setup;
  setup.become = id ? &*id : nullptr;
  setup.workdir = workdir.c_str();
  setup.stdin_fd = null_in.get();
  setup.stdout_fd = log.get();
  setup.stderr_fd = log.get();
  setup.die_with = ::getpid();
  setup.own_process_group = true;
  // PR_SET_PDEATHSIG fires when the forking *thread* exits, not the process: the caller must
  // call start() from a thread that lives as long as the server should.
  const pid_t child = fork_or_throw("postgres");
  if (child == 0) child_exec(setup, args);
  pid_ = child;
  running_ = true;
  stopping_ = false;
  wait_status_.reset();
  logger_of(log_module::db)
      .info("embedded PostgreSQL started (pid {}, socket dir {}, log {})", pid_, run_dir_.string(),
            log_path_.string());
  return pid_;
}

void embedded_postgres::record_exit(int status) {
  running_ = false;
  wait_status_ = status;
  if (stopping_) {
    logger_of(log_module::db)
        .info("embedded PostgreSQL (pid {}) stopped: it {}", pid_, describe_status(status));
    return;
  }
  logger_of(log_module::db)
      .error("embedded PostgreSQL (pid {}) {} unexpectedly; its last message: {} (see {})", pid_,
             describe_status(status),
             last_log_message(log_path_, std::streamoff{log_offset_}, pid_), log_path_.string());
}

bool embedded_postgres::poll_alive() {
  if (!running_) return false;
  int status = 0;
  const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == 0 || (reaped < 0 && errno == EINTR)) return true;
  if (reaped == pid_) {
    record_exit(status);
    return false;
  }
  // ECHILD: SIGCHLD is ignored or another waitpid reaped it; the status is lost.
  running_ = false;
  logger_of(log_module::db)
      .error("embedded PostgreSQL (pid {}) was reaped outside billd's control: {}", pid_,
             std::strerror(errno));
  return false;
}

bool embedded_postgres::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // libpq's smallest connect_timeout; bounds a ping against a server that hangs mid-startup.
  const std::string ping = conninfo() + " connect_timeout=2";
  for (;;) {
    if (!poll_alive()) return false;
    if (PQping(ping.c_str()) == PQPING_OK) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(ready_poll_interval, deadline - now));
  }
}

bool embedded_postgres::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (poll_alive()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(exit_poll_interval);
  }
  return true;
}

void embedded_postgres::stop() {
  if (!poll_alive()) return;
  stopping_ = true;
  logger_of(log_module::db).info("stopping embedded PostgreSQL (pid {}, fast shutdown)", pid_);
  ::kill(pid_, SIGINT);
  if (wait_for_exit(opts_.stop_timeout)) return;
  logger_of(log_module::db)
      .warn("embedded PostgreSQL (pid {}) did not stop within {} ms; sending SIGQUIT", pid_,
            opts_.stop_timeout.count());
  ::kill(pid_, SIGQUIT);
  if (wait_for_exit(quit_grace)) return;
  logger_of(log_module::db)
      .warn("embedded PostgreSQL (pid {}) ignored SIGQUIT; sending SIGKILL", pid_);
  ::kill(pid_, SIGKILL);
  try {
    record_exit(wait_child(pid_));
  } catch (const std::system_error& e) {
    running_ = false;
    logger_of(log_module::db)
        .error("embedded PostgreSQL (pid {}) could not be reaped: {}", pid_, e.what());
  }
}

std::string embedded_postgres::conninfo(std::string_view dbname) const {
  return fmt::format("host={} port={} user={} dbname={}", conninfo_value(run_dir_.string()),
                     opts_.port, conninfo_value(opts_.db_user), conninfo_value(dbname));
}

pid_t embedded_postgres::pid() const { return pid_; }

const embedded_pg_options& embedded_postgres::options() const { return opts_; }

std::optional<int> embedded_postgres::wait_status() const { return wait_status_; }

}  // namespace billd
