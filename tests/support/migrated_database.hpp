#pragma once
// A fresh database with billd's schema and a connection to it: the fixture of the store tests.

#include <chrono>
#include <string>

#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_database.hpp"

namespace billd::test {

struct migrated_database {
  std::string url = test_cluster::instance().create_database();
  pg_connection conn{url, std::chrono::seconds{5}, std::chrono::seconds{5}};

  migrated_database() { apply_migrations(conn); }

  /// A user row for the rows a test writes to name (bills, webhooks).
  void add_user(const std::string& id, const std::string& role) {
    conn.exec("INSERT INTO users (id, username, password_hash, role) VALUES ($1, $1, 'x', $2)",
              {id, role});
  }
};

}  // namespace billd::test
