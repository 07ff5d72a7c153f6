#pragma once
// `billd-bench seed`: loads many bills straight into billd's PostgreSQL with COPY (the HTTP
// API would take hours for millions), so the cost of billd's queries can be measured as the
// data grows. Each bill comes with what billd itself would have written for it: issued bills
// a control number, paid ones a payment row, every one its finished control-number job and
// its first audit row (hash-chained by the database's own audit_row_hash).

#include <cstdint>
#include <string>

namespace billd::bench {

struct seed_options {
  std::string conninfo;                   // libpq connection string of billd's database
  std::uint64_t bills = 10'000;           // rows to add
  std::uint64_t per_statement = 100'000;  // rows per COPY (and per transaction)
};

struct seed_result {
  std::uint64_t bills = 0, payments = 0, jobs = 0, audit_rows = 0;
  double seconds = 0;
};

/// Adds the bills; throws std::runtime_error with PostgreSQL's message on failure.
seed_result seed_database(const seed_options& opt);

}  // namespace billd::bench
