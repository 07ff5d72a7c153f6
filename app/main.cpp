// billd's entry point: configuration, logging, signals, and the chosen command.

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "app/cli.hpp"
#include "app/database.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"
#include "app/server_internals.hpp"
#include "app/version.hpp"
#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "log/module_log.hpp"
#include "storage/audit_store.hpp"
#include "storage/cleanup_store.hpp"
#include "storage/db_check.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "storage/user_store.hpp"

extern char** environ;

namespace billd {
namespace {

constexpr int exit_config = 64;  // EX_USAGE
constexpr int exit_failure = 1;

/// Raises the soft open-file limit to the hard limit: every connection is a descriptor.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

/// Blocks the shutdown signals in every thread; one thread waits for them with sigwait.
sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int run_serve(const settings& cfg, sigset_t signals) {
  raise_fd_limit();
  server srv{cfg};
  srv.start();
  std::thread{[&srv, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    logger_of(log_module::app).info("signal {}: draining", sig);
    srv.request_shutdown();
    sigwait(&signals, &sig);
    // A second signal exits at once; the postmaster follows through its parent-death signal.
    if (auto& pg = srv.parts().db.embedded; pg && pg->pid() > 0) ::kill(pg->pid(), SIGQUIT);
    std::_Exit(exit_failure);
  }}.detach();
  int code = srv.wait();
  logger_of(log_module::app).info("billd stopped (exit code {})", code);
  spdlog::shutdown();
  return code;
}

/// Runs fn with a connection to the configured database, starting the embedded one for the
/// duration when needed.
template <class Fn>
int with_database(const settings& cfg, Fn fn) {
  crypto_init();
  auto target = resolve_database(cfg);
  if (target.embedded) {
    target.embedded->start();
    if (!target.embedded->wait_ready(std::chrono::seconds{60}))
      throw std::runtime_error("the embedded PostgreSQL did not become ready");
    ensure_embedded_database(target);
  }
  auto conn = connect_for_startup(cfg, target.conninfo);
  int code = fn(*conn);
  conn.reset();
  if (target.embedded) target.embedded->stop();
  return code;
}

int run_migrate(const settings& cfg) {
  return with_database(cfg, [](pg_connection& conn) {
    auto applied = apply_migrations(conn);
    std::cout << "applied " << applied << " migration(s); schema is at version "
              << embedded_migrations().back().version << "\n";
    return 0;
  });
}

int run_user_create(const settings& cfg, const flag_list& flags) {
  std::optional<std::string> username, role, password;
  for (const auto& [k, v] : flags) {
    if (k == "username") username = v;
    if (k == "role") role = v;
    if (k == "password") password = v;
  }
  if (!username || !role) throw config_error("user create needs --username and --role");
  if (auto e = check_username(*username)) throw config_error("--username " + *e);
  auto parsed_role = parse_user_role(*role);
  if (!parsed_role) throw config_error("--role must be admin, clerk or viewer");
  if (password)
    if (auto e = check_password(*password)) throw config_error("--password " + *e);
  return with_database(cfg, [&](pg_connection& conn) {
    apply_migrations(conn);
    auto pw = password.value_or(random_password());
    auto hash = hash_password(pw, cfg.auth.argon2_ops, cfg.auth.argon2_mem_kib);
    try {
      auto u = insert_user(conn, new_id("usr"), *username, hash, *parsed_role);
      std::cout << "created user " << u.id << " (" << u.username << ", " << to_string(u.role)
                << ")\n";
      if (!password) std::cout << "password: " << pw << "\n";
      return 0;
    } catch (const db_error& e) {
      if (e.code() != db_errc::unique_violation) throw;
      std::cerr << "billd: username '" << *username << "' already exists\n";
      return exit_failure;
    }
  });
}

int run_audit_verify(const settings& cfg) {
  return with_database(cfg, [](pg_connection& conn) {
    apply_migrations(conn);
    auto v = verify_audit(conn);
    if (v.broken) {
      std::cout << "audit log broken at " << v.broken->where << ": " << v.broken->why << "\n";
      return exit_failure;
    }
    std::cout << "audit log intact: " << v.rows << " rows, " << v.checkpoints << " checkpoints\n";
    return 0;
  });
}

int run_cleanup_command(const settings& cfg, const flag_list& flags) {
  bool dry_run = false;
  for (const auto& [k, v] : flags) dry_run = dry_run || k == "dry-run";
  cleanup_rules rules{cfg.retention.gateway_log_days, cfg.retention.jobs_days, cfg.idempotency_ttl};
  return with_database(cfg, [&](pg_connection& conn) {
    apply_migrations(conn);
    for (const auto& [kind, n] : run_cleanup(conn, rules, dry_run))
      std::cout << kind << ": " << n << (dry_run ? " would be purged" : " purged") << "\n";
    return 0;
  });
}

int run_db_check(const settings& cfg) {
  return with_database(cfg, [&](pg_connection& conn) {
    apply_migrations(conn);
    check_rules rules;
    rules.slow_statement_ms = static_cast<double>(cfg.db.slow_query.count());
    auto findings = check_database(conn, rules);
    std::size_t needing = 0;
    for (const auto& f : findings) {
      needing += f.action ? 1 : 0;
      std::cout << (f.action ? "ACTION " : "info   ") << f.area << " " << f.subject << ": "
                << f.detail << "\n";
    }
    std::cout << needing << " finding(s) need action, " << findings.size() - needing
              << " for information\n";
    return needing > 0 ? exit_failure : 0;
  });
}

int run(int argc, char** argv) {
  auto signals = shutdown_signals();
  command_line cl;
  loaded_config loaded;
  try {
    cl = parse_command_line(argc, argv);
    if (cl.help) return std::cout << usage_text(), 0;
    if (cl.version) return std::cout << "billd " << billd_version << "\n", 0;
    loaded = load_config(cl.config_file, cl.config_flags, environ);
  } catch (const config_error& e) {
    std::cerr << "billd: " << e.what() << "\n";
    return exit_config;
  }
  setup_logging(loaded.values.log);
  for (const auto& w : loaded.warnings) logger_of(log_module::app).warn("{}", w);
  try {
    if (cl.command[0] == "migrate") return run_migrate(loaded.values);
    if (cl.command[0] == "user") return run_user_create(loaded.values, cl.command_flags);
    if (cl.command[0] == "audit") return run_audit_verify(loaded.values);
    if (cl.command[0] == "cleanup") return run_cleanup_command(loaded.values, cl.command_flags);
    if (cl.command[0] == "check") return run_db_check(loaded.values);
    return run_serve(loaded.values, signals);
  } catch (const config_error& e) {
    std::cerr << "billd: " << e.what() << "\n";
    return exit_config;
  } catch (const std::exception& e) {
    logger_of(log_module::app).critical("{}", e.what());
    spdlog::shutdown();
    std::cerr << "billd: " << e.what() << "\n";
    return exit_failure;
  }
}

}  // namespace
}  // namespace billd

int main(int argc, char** argv) { return billd::run(argc, argv); }
