#include "storage/db_check.hpp"

#include <fmt/format.h>

#include "storage/pg_connection.hpp"

namespace billd {
namespace {

std::string mib(std::int64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / 1048576.0);
}

/// Indexes never scanned since statistics began (primary keys and unique ones enforce rules,
/// so they are never "unused").
void unused_indexes(pg_connection& c, const check_rules& r, std::vector<check_finding>& out) {
  auto rows = c.exec(
      "SELECT s.indexrelname, s.relname, pg_relation_size(s.indexrelid)"
      " FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid"
      " WHERE s.schemaname = current_schema() AND s.idx_scan = 0"
      " AND NOT i.indisunique AND NOT i.indisprimary ORDER BY 3 DESC, 1");
  for (int i = 0; i < rows.size(); ++i) {
    auto bytes = rows.int64(i, 2);
    out.push_back({"unused_index", bytes >= r.unused_index_min_bytes, rows.str(i, 0),
                   fmt::format("on {}: never scanned since statistics began, {}", rows.str(i, 1),
                               mib(bytes))});
  }
}

/// Foreign keys whose columns lead no index: deleting or updating a referenced row scans the
/// referencing table.
void unindexed_foreign_keys(pg_connection& c, const check_rules& r,
                            std::vector<check_finding>& out) {
  auto rows = c.exec(
      "SELECT con.conrelid::regclass::text, con.conname,"
      " (SELECT string_agg(a.attname, ',') FROM pg_attribute a"
      "   WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)),"
      " greatest(cl.reltuples, 0)::bigint"
      " FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid"
      " WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace"
      " AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = con.conrelid"
      "   AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]"
      "       @> con.conkey"
      "   AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]"
      "       <@ con.conkey)"
      " ORDER BY 1, 2");
  for (int i = 0; i < rows.size(); ++i) {
    auto n = rows.int64(i, 3);
    out.push_back({"fk_without_index", n >= r.big_table_rows, rows.str(i, 0),
                   fmt::format("foreign key {} ({}) leads no index; {} rows", rows.str(i, 1),
                               rows.str(i, 2), n)});
  }
}

/// Big tables mostly read by sequential scans: a frequent filter has no index.
void sequential_scans(pg_connection& c, const check_rules& r, std::vector<check_finding>& out) {
  auto rows = c.exec(fmt::format(
      "SELECT relname, seq_scan, coalesce(idx_scan, 0), seq_tup_read / greatest(seq_scan, 1),"
      " greatest(n_live_tup, 0)"
      " FROM pg_stat_user_tables WHERE schemaname = current_schema()"
      " AND n_live_tup >= {} AND seq_scan >= {} AND seq_scan > coalesce(idx_scan, 0)"
      " AND seq_tup_read / greatest(seq_scan, 1) >= {} ORDER BY seq_tup_read DESC",
      r.big_table_rows, r.frequent_scans, r.big_table_rows / 2));
  for (int i = 0; i < rows.size(); ++i)
    out.push_back({"seq_scans", true, rows.str(i, 0),
                   fmt::format("{} sequential scans reading {} rows each on average, {} index "
                               "scans: a frequent filter lacks an index",
                               rows.int64(i, 1), rows.int64(i, 3), rows.int64(i, 2))});
}

/// The slowest statements by mean time, from pg_stat_statements when it is installed.
bool slowest_statements(pg_connection& c, const check_rules& r, std::vector<check_finding>& out) {
  if (c.exec("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'").empty())
    return false;
  auto rows = c.exec(
      "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 120), calls,"
      " round(mean_exec_time::numeric, 2)::text"
      " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database"
      " WHERE datname = current_database()) ORDER BY mean_exec_time DESC LIMIT 5");
  for (int i = 0; i < rows.size(); ++i) {
    auto mean = std::stod(rows.str(i, 2));
    out.push_back({"slow_statement", mean >= r.slow_statement_ms, rows.str(i, 0),
                   fmt::format("mean {} ms over {} calls", rows.str(i, 2), rows.int64(i, 1))});
  }
  return true;
}

/// Without pg_stat_statements: the plans of billd's hottest lookups, which must use indexes.
void explain_hot_statements(pg_connection& c, const check_rules& r,
                            std::vector<check_finding>& out) {
  struct probe {
    const char* name;
    const char* sql;
  };
  const probe probes[] = {
      {"bill by id", "SELECT * FROM bills WHERE id = 'bil_x'"},
      {"bill by control number", "SELECT * FROM bills WHERE control_number = 'x'"},
      {"bill list page", "SELECT * FROM bills WHERE id < 'bil_x' ORDER BY id DESC LIMIT 51"},
      {"payment by transaction", "SELECT * FROM payments WHERE transaction_ref = 'x'"},
      {"due jobs",  // one kind's due jobs, which job_lease reads through jobs_kind_due
       "SELECT * FROM jobs WHERE kind = 'control_number'"
       " AND status IN ('queued', 'waiting', 'running') AND run_after <= now()"
       " ORDER BY run_after LIMIT 16"},
  };
  for (const auto& p : probes) {
    std::string plan;
    try {
      auto rows = c.exec(std::string{"EXPLAIN "} + p.sql);
      for (int i = 0; i < rows.size(); ++i) plan += rows.str(i, 0) + "\n";
    } catch (const std::exception& e) {
      out.push_back({"plan", false, p.name, std::string{"could not be explained: "} + e.what()});
      continue;
    }
    auto first_line = plan.substr(0, plan.find('\n'));
    bool seq = plan.find("Seq Scan") != std::string::npos;
    // A sequential scan is the right plan for a small table; it needs action on a big one.
    auto table = std::string{p.sql}.substr(std::string{p.sql}.find("FROM ") + 5);
    table = table.substr(0, table.find(' '));
    auto rows = c.exec(
        "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = $1::regclass", {table});
    auto n = rows.empty() ? 0 : rows.int64(0, 0);
    out.push_back({"plan", seq && n >= r.big_table_rows, p.name,
                   fmt::format("{} ({} rows in {})", first_line, n, table)});
  }
}

/// Dead tuples waiting for vacuum, as a share of the table.
void table_bloat(pg_connection& c, const check_rules& r, std::vector<check_finding>& out) {
  auto rows = c.exec(
      fmt::format("SELECT relname, n_dead_tup, n_live_tup FROM pg_stat_user_tables"
                  " WHERE schemaname = current_schema() AND n_dead_tup >= {}"
                  " AND n_dead_tup >= {} * (n_live_tup + n_dead_tup) ORDER BY n_dead_tup DESC",
                  r.big_table_rows, r.dead_tuple_share));
  for (int i = 0; i < rows.size(); ++i)
    out.push_back({"table_bloat", true, rows.str(i, 0),
                   fmt::format("{} dead rows beside {} live ones: autovacuum is behind",
                               rows.int64(i, 1), rows.int64(i, 2))});
}

/// B-tree indexes much larger than their rows need (estimate: rows × (key width + 12 bytes)
/// at 90 % fill).
void index_bloat(pg_connection& c, const check_rules& r, std::vector<check_finding>& out) {
  auto rows = c.exec(
      "SELECT ic.relname, t.relname, pg_relation_size(ic.oid),"
      " greatest(ic.reltuples, 0) * (coalesce((SELECT sum(s.avg_width) FROM pg_stats s"
      "   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = s.attname"
      "   WHERE s.schemaname = current_schema() AND s.tablename = t.relname"
      "   AND a.attnum = ANY (string_to_array(i.indkey::text, ' ')::int2[])), 8) + 12) / 0.9"
      " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
      " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am am ON am.oid = ic.relam"
      " WHERE am.amname = 'btree' AND t.relnamespace = current_schema()::regnamespace"
      " ORDER BY 3 DESC");
  for (int i = 0; i < rows.size(); ++i) {
    auto actual = rows.int64(i, 2);
    auto estimate = std::stod(rows.str(i, 3));
    if (actual < r.index_bloat_min_bytes || estimate <= 0) continue;
    auto ratio = static_cast<double>(actual) / estimate;
    if (ratio < r.index_bloat_ratio) continue;
    out.push_back({"index_bloat", true, rows.str(i, 0),
                   fmt::format("on {}: {} where about {} would do ({:.1f}×): REINDEX "
                               "CONCURRENTLY",
                               rows.str(i, 1), mib(actual),
                               mib(static_cast<std::int64_t>(estimate)), ratio)});
  }
}

}  // namespace

std::vector<check_finding> check_database(pg_connection& conn, const check_rules& rules) {
  std::vector<check_finding> out;
  unused_indexes(conn, rules, out);
  unindexed_foreign_keys(conn, rules, out);
  sequential_scans(conn, rules, out);
  if (!slowest_statements(conn, rules, out)) explain_hot_statements(conn, rules, out);
  table_bloat(conn, rules, out);
  index_bloat(conn, rules, out);
  return out;
}

}  // namespace billd
