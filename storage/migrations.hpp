#pragma once
// Schema migrations: storage/migrations/NNNN_name.sql, embedded in the binary, applied in order.

#include <string>
#include <vector>

namespace billd {

class pg_connection;

/// One schema step.
struct migration {
  int version;
  std::string name;
  std::string sql;
};

/// Every migration shipped in this binary, in version order.
const std::vector<migration>& embedded_migrations();

/// Applies the missing migrations, each in its own transaction, under an advisory lock so two
/// processes starting together do not race. Returns how many were applied.
int apply_migrations(pg_connection& conn);

/// Versions shipped but not yet applied (readiness refuses while any is missing).
std::vector<int> pending_migrations(pg_connection& conn);

}  // namespace billd
