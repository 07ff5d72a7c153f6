#pragma once
// `billd check`: what PostgreSQL's own views say about billd's schema. Each finding either
// needs action (the command exits non-zero) or is for information.

#include <cstdint>
#include <string>
#include <vector>

namespace billd {

class pg_connection;

struct check_finding {
  std::string area;     // unused_index, fk_without_index, seq_scans, slow_statement, plan,
                        // table_bloat, index_bloat
  bool action = false;  // false: information only
  std::string subject;  // the table, index or statement
  std::string detail;
};

/// The thresholds that turn an observation into "needs action".
struct check_rules {
  std::int64_t big_table_rows = 10'000;  // smaller tables are never "needing" indexes
  // Fewer sequential scans than this are not a habit (an index build or a one-off report).
  std::int64_t frequent_scans = 100;
  std::int64_t unused_index_min_bytes = 1 << 20;
  double slow_statement_ms = 100;  // mean time (pg_stat_statements)
  double dead_tuple_share = 0.2;   // table bloat
  double index_bloat_ratio = 2.0;  // actual / estimated size
  std::int64_t index_bloat_min_bytes = 10 << 20;
};

std::vector<check_finding> check_database(pg_connection& conn, const check_rules& rules);

}  // namespace billd
