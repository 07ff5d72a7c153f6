#include "storage/migrations.hpp"

#include <set>

#include "storage/pg_connection.hpp"

namespace billd {
namespace {

constexpr const char* create_table_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

std::set<int> applied_versions(pg_connection& conn) {
  auto exists = conn.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  std::set<int> applied;
  if (!exists.boolean(0, 0)) return applied;
  auto rows = conn.exec("SELECT version FROM schema_migrations");
  for (int i = 0; i < rows.size(); ++i) applied.insert(static_cast<int>(rows.int64(i, 0)));
  return applied;
}

}  // namespace

int apply_migrations(pg_connection& conn) {
  // A session-level lock: held across the per-migration transactions below.
  conn.exec("SELECT pg_advisory_lock(4242001)");
  int count = 0;
  try {
    conn.exec(create_table_sql);
    auto applied = applied_versions(conn);
    for (const auto& m : embedded_migrations()) {
      if (applied.contains(m.version)) continue;
      in_transaction(conn, [&] {
        conn.exec(m.sql);
        conn.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                  {std::to_string(m.version), m.name});
      });
      ++count;
    }
  } catch (...) {
    conn.exec("SELECT pg_advisory_unlock(4242001)");
    throw;
  }
  conn.exec("SELECT pg_advisory_unlock(4242001)");
  return count;
}

std::vector<int> pending_migrations(pg_connection& conn) {
  auto applied = applied_versions(conn);
  std::vector<int> pending;
  for (const auto& m : embedded_migrations())
    if (!applied.contains(m.version)) pending.push_back(m.version);
  return pending;
}

}  // namespace billd
