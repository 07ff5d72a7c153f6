#include "storage/gateway_log_store.hpp"

#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"

namespace billd {

void insert_gateway_logs(pg_pipeline& out, const std::vector<gateway_log_entry>& entries) {
  static const pg_statement stmt{
      "gateway_log_insert",
      "INSERT INTO gateway_log (bill_id, req_type, status, http_status, latency_ms, attempt,"
      " detail) SELECT bill_id, req_type, status, http_status, latency_ms, attempt, detail"
      " FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::int[],"
      "  $7::text[]) WITH ORDINALITY"
      "  AS e(bill_id, req_type, status, http_status, latency_ms, attempt, detail, n)"
      " ORDER BY n"};
  if (entries.empty()) return;
  pg_columns<7> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries)
    rows.add_row({e.bill_id, e.req_type, e.status,
                  e.http_status ? std::optional{std::to_string(*e.http_status)} : std::nullopt,
                  std::to_string(e.latency_ms), std::to_string(e.attempt),
                  e.detail.empty() ? std::nullopt : std::optional{e.detail}});
  out.add(stmt, rows.params());
}

void insert_gateway_logs(pg_connection& conn, const std::vector<gateway_log_entry>& entries) {
  pg_pipeline statement;
  insert_gateway_logs(statement, entries);
  conn.run(statement);
}

std::vector<gateway_log_entry> list_gateway_log(pg_connection& conn, const std::string& bill_id,
                                                int limit) {
  static const pg_statement stmt{
      "gateway_log_list",
      "SELECT req_type, status, http_status, latency_ms, attempt, coalesce(detail, "
      "''), " BILLD_SQL_RFC3339(
          "created_at") " FROM gateway_log WHERE bill_id = $1 ORDER BY id DESC LIMIT $2"};
  auto rows = conn.run(stmt, {bill_id, std::to_string(limit)});
  std::vector<gateway_log_entry> out;
  for (int i = 0; i < rows.size(); ++i) {
    gateway_log_entry e;
    e.bill_id = bill_id;
    e.req_type = rows.str(i, 0);
    e.status = rows.str(i, 1);
    if (!rows.is_null(i, 2)) e.http_status = static_cast<int>(rows.int64(i, 2));
    e.latency_ms = rows.int64(i, 3);
    e.attempt = static_cast<std::int32_t>(rows.int64(i, 4));
    e.detail = rows.str(i, 5);
    e.created_at = rows.str(i, 6);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace billd
