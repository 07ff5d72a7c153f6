#include "storage/db_stats_store.hpp"

#include "storage/pg_connection.hpp"

namespace billd {

std::vector<table_size> table_sizes(pg_connection& conn) {
  // Row counts are estimates from the statistics collector (else the planner's): never a scan.
  static const pg_statement stmt{"table_sizes",
                                 "SELECT c.relname, pg_total_relation_size(c.oid),"
                                 " coalesce(s.n_live_tup, greatest(c.reltuples, 0)::bigint)"
                                 " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                 " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
                                 " WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
                                 " ORDER BY 2 DESC, 1"};
  auto rows = conn.run(stmt, {});
  std::vector<table_size> out;
  for (int r = 0; r < rows.size(); ++r)
    out.push_back(table_size{rows.str(r, 0), rows.int64(r, 1), rows.int64(r, 2)});
  return out;
}

}  // namespace billd
