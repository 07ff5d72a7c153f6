#pragma once
// `billd cleanup`: purges what billd no longer needs. Never audit rows or payments.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace billd {

class pg_connection;

struct cleanup_rules {
  std::uint32_t gateway_log_days = 400;
  std::uint32_t jobs_days = 30;
  std::chrono::seconds idempotency_ttl{86'400};
};

/// Rows purged (or, with dry_run, that would be) per kind, in a fixed order.
std::vector<std::pair<std::string, std::int64_t>> run_cleanup(pg_connection& conn,
                                                              const cleanup_rules& rules,
                                                              bool dry_run);

}  // namespace billd
