#include "storage/cleanup_store.hpp"

#include "storage/pg_connection.hpp"

namespace billd {

std::vector<std::pair<std::string, std::int64_t>> run_cleanup(pg_connection& conn,
                                                              const cleanup_rules& rules,
                                                              bool dry_run) {
  struct kind {
    const char* name;
    const char* table;
    const char* condition;  // $1 is the kind's age limit in seconds
    std::int64_t age_s;
  };
  const kind kinds[] = {
      {"gateway_log", "gateway_log", "created_at < now() - ($1::bigint * interval '1 second')",
       std::int64_t{rules.gateway_log_days} * 86'400},
      {"sessions", "sessions",
       "(expires_at < now() OR revoked_at IS NOT NULL) AND"
       " coalesce(revoked_at, expires_at) < now() - ($1::bigint * interval '1 second')",
       0},
      {"idempotency_keys", "idempotency_keys",
       "created_at < now() - ($1::bigint * interval '1 second')", rules.idempotency_ttl.count()},
      {"jobs", "jobs",
       "status IN ('done', 'dead', 'cancelled') AND"
       " updated_at < now() - ($1::bigint * interval '1 second')",
       std::int64_t{rules.jobs_days} * 86'400},
  };
  std::vector<std::pair<std::string, std::int64_t>> counts;
  in_transaction(conn, [&] {
    for (const auto& k : kinds) {
      std::string sql =
          std::string{dry_run ? "SELECT count(*) FROM " : "WITH gone AS (DELETE FROM "} + k.table +
          " WHERE " + k.condition + (dry_run ? "" : " RETURNING 1) SELECT count(*) FROM gone");
      counts.emplace_back(k.name, conn.exec(sql.c_str(), {std::to_string(k.age_s)}).int64(0, 0));
    }
  });
  return counts;
}

}  // namespace billd
