#pragma once
// Reaching the configured database for every command: the URL when one is set, else the
// embedded cluster under data_dir (prepared, and started when the caller owns it).

#include <memory>
#include <string>

#include "config/settings.hpp"

namespace billd {

class embedded_postgres;
class pg_connection;

/// Where billd's database is and, for the embedded default, the cluster object.
struct database_target {
  std::shared_ptr<embedded_postgres> embedded;  // null when db.url is set
  std::string conninfo;
};

/// Resolves the target; prepares (initdb, leftover postmaster) the embedded cluster.
database_target resolve_database(const settings& cfg);

/// For the embedded cluster: creates the `billd` database when missing (the server must run).
void ensure_embedded_database(const database_target& target);

/// Opens a connection for start-up work (migrations, bootstrap).
std::unique_ptr<pg_connection> connect_for_startup(const settings& cfg,
                                                   const std::string& conninfo);

/// Creates the first admin when there are no users: admin.password, or a generated one written
/// to <data_dir>/initial-admin-password (0600) whose path is logged.
void bootstrap_admin(pg_connection& conn, const settings& cfg);

/// Fails with a clear message when billing.timezone is unknown to PostgreSQL.
void check_timezone(pg_connection& conn, const settings& cfg);

}  // namespace billd
