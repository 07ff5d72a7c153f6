#include "storage/import_store.hpp"

#include "domain/bill_draft.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "storage/bill_store.hpp"
#include "storage/db_error.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {


std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>{s};
}

/// The draft input of one row (fields in import_columns order); empty optionals stay absent.
bill_draft_input row_input(const std::vector<std::string>& f) {
  bill_draft_input in;
  in.payer_present = true;
  in.payer.name = f[0];
  in.payer.phone = f[1];
  in.payer.email = non_empty(f[2]);
  in.amount = f[3];
  in.currency = f[4];
  in.description = f[5];
  in.due_date = f[6];
  in.reference = non_empty(f[7]);
  return in;
}

std::string describe(const field_errors& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e.field + ": " + e.message;
  return out;
}

}  // namespace

void stage_import(pg_connection& conn, const std::string& job_id, const std::string& owner_id) {
  static const pg_statement stmt{
      "import_stage",
      "INSERT INTO jobs (id, kind, owner_id, status, payload) VALUES ($1, 'import', $2,"
      " 'uploading', jsonb_build_object('total', 0, 'processed', 0, 'succeeded', 0,"
      " 'failed', 0, 'errors', '[]'::jsonb, 'errors_truncated', false))"};
  conn.run(stmt, {job_id, owner_id});
}

void append_import_rows(pg_connection& conn, const std::string& job_id, std::int64_t stored,
                        const std::vector<std::vector<std::string>>& rows) {
  static const pg_statement stmt{
      "import_rows_insert",
      "INSERT INTO import_rows (job_id, row_no, fields)"
      " SELECT $1, $2::int + t.i::int, t.v FROM jsonb_array_elements($3::jsonb)"
      " WITH ORDINALITY AS t(v, i)"};
  if (rows.empty()) return;
  std::string arr = "[";
  for (const auto& row : rows) {
    if (arr.size() > 1) arr += ',';
    arr += json_string_array(row);
  }
  arr += ']';
  conn.run(stmt, {job_id, std::to_string(stored), arr});
}

bool activate_import(pg_connection& conn, const std::string& job_id, std::int64_t total) {
  static const pg_statement stmt{
      "import_activate",
      "UPDATE jobs SET status = 'queued', run_after = now(), updated_at = now(),"
      " payload = jsonb_set(payload, '{total}', to_jsonb($2::int))"
      " WHERE id = $1 AND status = 'uploading'"};
  return conn.run(stmt, {job_id, std::to_string(total)}).affected() == 1;
}

void discard_import(pg_connection& conn, const std::string& job_id) {
  static const pg_statement stmt{"import_discard",
                                 "DELETE FROM jobs WHERE id = $1 AND status = 'uploading'"};
  conn.run(stmt, {job_id});
}

std::int64_t discard_stale_uploads(pg_connection& conn, std::chrono::milliseconds age) {
  static const pg_statement stmt{
      "import_discard_stale",
      "DELETE FROM jobs WHERE status = 'uploading'"
      " AND created_at < now() - ($1::bigint * interval '1 millisecond')"};
  return conn.run(stmt, {std::to_string(age.count())}).affected();
}

import_batch run_import_batch(pg_connection& conn, const std::string& job_id, std::int64_t fence,
                              std::uint32_t batch, std::chrono::milliseconds lease,
                              const currency_set& currencies, const std::string& timezone) {
  static const pg_statement hold{
      "import_hold",
      "SELECT owner_id FROM jobs WHERE id = $1 AND fence = $2 AND status = 'running' FOR UPDATE"};
  static const pg_statement next_rows{
      "import_next_rows",
      "SELECT row_no, jsonb_array_length(fields), fields->>0, fields->>1, fields->>2,"
      " fields->>3, fields->>4, fields->>5, fields->>6, fields->>7"
      " FROM import_rows WHERE job_id = $1 ORDER BY row_no LIMIT $2"};
  static const pg_statement drop_rows{"import_drop_rows",
                                      "DELETE FROM import_rows WHERE job_id = $1 AND row_no <= $2"};
  static const pg_statement progress{
      "import_progress",
      "UPDATE jobs SET updated_at = now(),"
      " locked_until = now() + ($7::bigint * interval '1 millisecond'),"
      " status = CASE WHEN $6 THEN 'done' ELSE status END,"
      " payload = jsonb_build_object("
      "   'total', payload->'total',"
      "   'processed', (payload->>'processed')::int + $2::int,"
      "   'succeeded', (payload->>'succeeded')::int + $3::int,"
      "   'failed', (payload->>'failed')::int + $4::int,"
      "   'errors', coalesce((SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements("
      "       (payload->'errors') || $5::jsonb) WITH ORDINALITY AS t(e, i) WHERE i <= 1000),"
      "       '[]'::jsonb),"
      "   'errors_truncated', (payload->>'errors_truncated')::bool OR"
      "       jsonb_array_length(payload->'errors') + jsonb_array_length($5::jsonb) > 1000)"
      " WHERE id = $1"};
  return in_transaction(conn, [&] {
    import_batch out;
    auto owner_rows = conn.run(hold, {job_id, std::to_string(fence)});
    if (owner_rows.empty()) {
      out.lease_lost = true;
      return out;
    }
    auto owner = owner_rows.str(0, 0);
    auto rows = conn.run(next_rows, {job_id, std::to_string(batch)});
    std::int64_t succeeded = 0, failed = 0, last_row = 0;
    std::string errors = "[";
    auto fail = [&](std::int64_t row, const std::string& message) {
      ++failed;
      if (errors.size() > 1) errors += ',';
      errors += json_object{}.num("row", row).str("message", message).finish();
    };
    for (int i = 0; i < rows.size(); ++i) {
      last_row = rows.int64(i, 0);
      if (rows.int64(i, 1) != 8) {
        fail(last_row, "the row does not have the 8 columns of the header");
        continue;
      }
      std::vector<std::string> fields;
      for (int col = 2; col < 10; ++col) fields.push_back(rows.str(i, col));
      field_errors ferr;
      auto draft = validate_bill_draft(row_input(fields), currencies, ferr);
      if (!draft) {
        fail(last_row, describe(ferr));
        continue;
      }
      // A savepoint per row: one bad row fails alone, the batch goes on.
      conn.exec("SAVEPOINT import_row");
      try {
        if (insert_bill(conn, new_id("bil"), *draft, owner, timezone)) {
          ++succeeded;
        } else {
          fail(last_row, "due_date: must not be in the past");
        }
        conn.exec("RELEASE SAVEPOINT import_row");
      } catch (const db_error& e) {
        conn.exec("ROLLBACK TO SAVEPOINT import_row");
        fail(last_row, e.what());
      }
    }
    errors += ']';
    out.processed = rows.size();
    if (rows.size() > 0) conn.run(drop_rows, {job_id, std::to_string(last_row)});
    out.finished = static_cast<std::uint32_t>(rows.size()) < batch;
    conn.run(progress, {job_id, std::to_string(out.processed), std::to_string(succeeded),
                        std::to_string(failed), errors, out.finished ? "true" : "false",
                        std::to_string(lease.count())});
    return out;
  });
}

std::optional<std::string> job_status_json(pg_connection& conn, const std::string& job_id,
                                           const std::string& user_id, bool admin) {
  static const pg_statement stmt{
      "job_status",
      "SELECT json_build_object('id', id, 'kind', kind, 'status', CASE status"
      "   WHEN 'dead' THEN 'failed' WHEN 'waiting' THEN 'running' WHEN 'cancelled' THEN 'failed'"
      "   ELSE status END,"
      " 'total', coalesce((payload->>'total')::int, 0),"
      " 'processed', coalesce((payload->>'processed')::int, 0),"
      " 'succeeded', coalesce((payload->>'succeeded')::int, 0),"
      " 'failed', coalesce((payload->>'failed')::int, 0),"
      " 'errors', coalesce(payload->'errors', '[]'::jsonb),"
      " 'errors_truncated', coalesce((payload->>'errors_truncated')::bool, false))::text"
      " FROM jobs WHERE id = $1 AND ($3 OR owner_id = $2)"};
  auto rows = conn.run(stmt, {job_id, user_id, admin ? "true" : "false"});
  if (rows.empty()) return std::nullopt;
  return rows.str(0, 0);
}

}  // namespace billd
