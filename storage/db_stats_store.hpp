#pragma once
// Figures PostgreSQL keeps about billd's own tables (GET /api/v1/metrics/database).

#include <cstdint>
#include <string>
#include <vector>

namespace billd {

class pg_connection;

struct table_size {
  std::string name;
  std::int64_t total_bytes = 0;  // table, indexes and TOAST
  std::int64_t rows_estimate = 0;
};

/// The tables of billd's schema, largest first.
std::vector<table_size> table_sizes(pg_connection& conn);

}  // namespace billd
