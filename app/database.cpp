#include "app/database.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "log/module_log.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/pg_connection.hpp"
#include "storage/user_store.hpp"

namespace billd {

database_target resolve_database(const settings& cfg) {
  std::filesystem::create_directories(cfg.data_dir);
  database_target target;
  if (!cfg.db.url.empty()) {
    target.conninfo = cfg.db.url;
    return target;
  }
  embedded_pg_options opts;
  opts.data_dir = cfg.data_dir;
  opts.bin_dir = cfg.db.embedded_bin_dir;
  target.embedded = std::make_shared<embedded_postgres>(opts);
  target.embedded->prepare();
  target.conninfo = target.embedded->conninfo("billd");
  return target;
}

void ensure_embedded_database(const database_target& target) {
  if (!target.embedded) return;
  pg_connection admin{target.embedded->conninfo("postgres"), std::chrono::seconds{10},
                      std::chrono::seconds{30}};
  auto exists = admin.exec("SELECT 1 FROM pg_database WHERE datname = 'billd'");
  if (exists.empty()) admin.exec("CREATE DATABASE billd");
}

std::unique_ptr<pg_connection> connect_for_startup(const settings& cfg,
                                                   const std::string& conninfo) {
  return std::make_unique<pg_connection>(conninfo, cfg.db.connect_timeout, std::chrono::minutes{5});
}

namespace {

std::string write_password_file(const settings& cfg, const std::string& password) {
  auto path =
      std::filesystem::absolute(std::filesystem::path{cfg.data_dir} / "initial-admin-password");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + path.string());
  ::fchmod(fd, 0600);
  auto text = password + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

}  // namespace

void bootstrap_admin(pg_connection& conn, const settings& cfg) {
  if (count_users(conn) > 0) return;
  bool generated = cfg.admin_password.empty();
  auto password = generated ? random_password() : cfg.admin_password;
  auto hash = hash_password(password, cfg.auth.argon2_ops, cfg.auth.argon2_mem_kib);
  insert_user(conn, new_id("usr"), cfg.admin_user, hash, user_role::admin);
  if (generated) {
    auto path = write_password_file(cfg, password);
    logger_of(log_module::app)
        .warn("created admin user '{}'; its generated password is in {}", cfg.admin_user, path);
  } else {
    logger_of(log_module::app)
        .info("created admin user '{}' with the configured password", cfg.admin_user);
  }
}

void check_timezone(pg_connection& conn, const settings& cfg) {
  auto rows = conn.exec("SELECT 1 FROM pg_timezone_names WHERE name = $1", {cfg.billing.timezone});
  if (rows.empty())
    throw std::runtime_error("billing.timezone '" + cfg.billing.timezone +
                             "' is not a time zone PostgreSQL knows");
}

}  // namespace billd
