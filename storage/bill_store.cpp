#include "storage/bill_store.hpp"

#include <algorithm>
#include <unordered_map>

#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "storage/audit_store.hpp"
#include "storage/job_store.hpp"
#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"
#include "storage/webhook_store.hpp"

namespace billd {
namespace {

#define BILL_COLUMNS \
  "id, status, amount, paid_amount, currency, currency_exponent, description,"               \
  " to_char(due_date, 'YYYY-MM-DD'), " BILLD_SQL_RFC3339("expires_at") ", reference,"        \
  " payer_name, payer_phone, payer_email, control_number, failure_reason, created_by, "      \
  BILLD_SQL_RFC3339("created_at") ", " BILLD_SQL_RFC3339("updated_at") ", version"

bill row_to_bill(const pg_rows& r, int i) {
  bill b;
  b.id = r.str(i, 0);
  b.status = parse_bill_status(r.text(i, 1)).value_or(bill_status::pending);
  b.amount = r.int64(i, 2);
  b.paid_amount = r.int64(i, 3);
  b.currency = r.str(i, 4);
  b.currency_exponent = static_cast<int>(r.int64(i, 5));
  b.description = r.str(i, 6);
  b.due_date = r.str(i, 7);
  b.expires_at = r.str(i, 8);
  b.reference = r.opt(i, 9);
  b.payer_name = r.str(i, 10);
  b.payer_phone = r.str(i, 11);
  b.payer_email = r.opt(i, 12);
  b.control_number = r.opt(i, 13);
  b.failure_reason = r.opt(i, 14);
  b.created_by = r.str(i, 15);
  b.created_at = r.str(i, 16);
  b.updated_at = r.str(i, 17);
  b.version = r.int64(i, 18);
  return b;
}

const pg_statement find_stmt{"bill_find", "SELECT " BILL_COLUMNS " FROM bills WHERE id = $1"};
// One index probe per id: LIMIT 1 (the id is unique) keeps the LATERAL subquery from being
// flattened into a join, which the planner ran as a scan of the whole table.
const pg_statement find_many_stmt{
    "bill_find_many", "SELECT " BILL_COLUMNS
                      " FROM unnest($1::text[]) AS c(bill_id)"
                      " CROSS JOIN LATERAL (SELECT * FROM bills WHERE id = c.bill_id LIMIT 1) b"};
const pg_statement lock_stmt{"bill_lock",
                             "SELECT " BILL_COLUMNS " FROM bills WHERE id = $1 FOR UPDATE"};
// New bills, each with its control-number job and the first row of its audit chain, in one
// statement (one round trip however many bills): a bill due in the past is not written.
const pg_statement insert_stmt{
    "bill_insert",
    "WITH src AS ("
    " SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::text[],"
    "  $6::date[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],"
    "  $13::jsonb[])"
    "  AS s(id, amount, currency, exponent, description, due_date, reference, payer_name,"
    "       payer_phone, payer_email, created_by, job_id, changes)"
    "), b AS ("
    " INSERT INTO bills (id, status, amount, currency, currency_exponent, description, due_date,"
    "  expires_at, reference, payer_name, payer_phone, payer_email, created_by)"
    " SELECT id, 'pending', amount, currency, exponent, description, due_date,"
    "  ((due_date + 1)::timestamp AT TIME ZONE $14), reference, payer_name, payer_phone,"
    "  payer_email, created_by"
    " FROM src WHERE due_date >= (now() AT TIME ZONE $14)::date"
    " RETURNING " BILL_COLUMNS
    "), job AS ("
    " INSERT INTO jobs (id, kind, bill_id, payload)"
    " SELECT src.job_id, $15, b.id, '{}'::jsonb FROM b JOIN src ON src.id = b.id"
    "), audit AS (" BILLD_SQL_FIRST_AUDIT("'bill'", "b.id", "'create'", "src.created_by",
                                          "src.changes", ", b JOIN src ON src.id = b.id") ")"
    " SELECT * FROM b"};
const pg_statement status_stmt{
    "bill_set_status",
    "UPDATE bills SET status = $3, version = version + 1, updated_at = now()"
    " WHERE id = $1 AND version = $2 RETURNING " BILL_COLUMNS};

// Set-based updates reach each bill through its id's index and then its row's ctid: FOR
// UPDATE in the LATERAL subquery keeps it a per-id probe. The caller must have locked the
// bills earlier in the transaction (lock_bills, lock_bills_by_control_numbers): only then is
// the ctid the probe returns the version the UPDATE's snapshot sees. Joined on id instead, a
// generic plan made while the table was small (a fresh database) went on scanning the whole table
// as it grew, until the next ANALYZE: 4.4 ms for 4 bills among 9 000. Nothing may stand beside the
// ctid in the outer WHERE: an indexed condition there can again lead the planner to scan by it.
#define BILLD_SQL_BILLS_BY_ID(columns, arrays)                                         \
  " FROM (SELECT x.*, b.ctid AS row_id FROM unnest(" arrays ") AS x(bill_id, " columns \
  ")  CROSS JOIN LATERAL (SELECT ctid FROM bills"                                      \
  "   WHERE id = x.bill_id AND version = x.expected_version FOR UPDATE) b) u"          \
  " WHERE bills.ctid = u.row_id"

// Both kinds of gateway answer in one shape: a NULL number or reason leaves the column as is.
const pg_statement gateway_stmt{
    "bill_set_from_gateway",
    "UPDATE bills SET control_number = coalesce(u.new_number, bills.control_number),"
    " status = u.new_status, failure_reason = coalesce(u.new_reason, bills.failure_reason),"
    " version = version + 1, updated_at = now()" BILLD_SQL_BILLS_BY_ID(
        "expected_version, new_number, new_status, new_reason",
        "$1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]") " RETURNING " BILL_COLUMNS};
// One index probe per id (FOR UPDATE keeps the LATERAL subquery from being flattened into a
// join the planner may run as a scan of the whole table), locked in the order given.
const pg_statement lock_many_stmt{
    "bill_lock_many", "SELECT " BILL_COLUMNS
                      " FROM unnest($1::text[]) WITH ORDINALITY AS c(bill_id, n)"
                      " CROSS JOIN LATERAL (SELECT * FROM bills WHERE id = c.bill_id FOR UPDATE) b"
                      " ORDER BY c.n"};
// Each number is looked up by its index and locked in the order given (sorted by the caller),
// so two transactions locking overlapping sets cannot deadlock on them. FOR UPDATE inside the
// LATERAL subquery keeps it from being flattened into a join, which the planner may run as a
// scan of the whole table.
const pg_statement lock_by_cns_stmt{
    "bill_lock_by_control_numbers",
    "SELECT " BILL_COLUMNS
    " FROM unnest($1::text[]) WITH ORDINALITY AS c(cn, n)"
    " CROSS JOIN LATERAL (SELECT * FROM bills WHERE control_number = c.cn FOR UPDATE) b"
    " ORDER BY c.n"};
const pg_statement paid_stmt{
    "bill_set_paid",
    "UPDATE bills SET paid_amount = u.paid, status = u.new_status, version = version + 1,"
    " updated_at = now()" BILLD_SQL_BILLS_BY_ID(
        "expected_version, paid, new_status",
        "$1::text[], $2::bigint[], $3::bigint[], $4::text[]") " RETURNING " BILL_COLUMNS};

/// The bills of `rows` by id.
std::unordered_map<std::string, bill> bills_by_id(const pg_rows& rows) {
  std::unordered_map<std::string, bill> by_id;
  for (int i = 0; i < rows.size(); ++i) {
    auto b = row_to_bill(rows, i);
    auto id = b.id;
    by_id.emplace(std::move(id), std::move(b));
  }
  return by_id;
}

/// The bills of `rows` in the order of `items` (each with a distinct `id`): nullopt for an
/// item the statement returned no row for.
template <class Items>
std::vector<std::optional<bill>> in_order_of(const pg_rows& rows, const Items& items) {
  auto by_id = bills_by_id(rows);
  std::vector<std::optional<bill>> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    auto it = by_id.find(item.id);
    out.push_back(it == by_id.end() ? std::nullopt : std::optional<bill>{std::move(it->second)});
  }
  return out;
}

std::optional<bill> first_bill(const pg_rows& rows) {
  if (rows.empty()) return std::nullopt;
  return row_to_bill(rows, 0);
}

std::string creation_changes(const bill_draft& d) {
  auto field = [](std::string_view after) {
    std::string json = "{\"before\":null,\"after\":";
    append_json_string(json, after);
    return json + "}";
  };
  return json_object{}
      .raw("status", field(to_string(bill_status::pending)))
      .raw("amount", field(format_amount(d.amount_minor, d.currency_exponent)))
      .raw("currency", field(d.currency))
      .raw("due_date", field(to_string(d.due_date)))
      .finish();
}

}  // namespace

std::optional<bill> find_bill(pg_connection& conn, const std::string& id) {
  return first_bill(conn.run(find_stmt, {id}));
}

std::vector<std::optional<bill>> find_bills(pg_connection& conn,
                                            const std::vector<std::string>& ids) {
  auto by_id = bills_by_id(conn.run(find_many_stmt, {pg_array(ids)}));
  std::vector<std::optional<bill>> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {  // copied, not moved: an id may be asked for twice
    auto it = by_id.find(id);
    out.push_back(it == by_id.end() ? std::nullopt : std::optional<bill>{it->second});
  }
  return out;
}

std::optional<bill> lock_bill(pg_connection& conn, const std::string& id) {
  return first_bill(conn.run(lock_stmt, {id}));
}

bill_page list_bills(pg_connection& conn, const bill_filter& f,
                     const std::optional<std::string>& before_id, int limit) {
  // Filters are bound as parameters; a NULL parameter disables its filter, so one statement
  // shape serves every combination.
  static const pg_statement stmt{
      "bill_list",
      "SELECT " BILL_COLUMNS
      " FROM bills"
      " WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR payer_phone = $2)"
      " AND ($3::text IS NULL OR reference = $3)"
      " AND ($4::timestamptz IS NULL OR created_at >= $4)"
      " AND ($5::timestamptz IS NULL OR created_at < $5)"
      " AND ($6::text IS NULL OR id < $6)"
      " ORDER BY id DESC LIMIT $7"};
  pg_params params{f.status ? pg_param{std::string{to_string(*f.status)}} : std::nullopt,
                   f.payer_phone,
                   f.reference,
                   f.created_from,
                   f.created_to,
                   before_id,
                   std::to_string(limit + 1)};
  auto rows = conn.run(stmt, params);
  bill_page page;
  for (int i = 0; i < rows.size() && i < limit; ++i) page.items.push_back(row_to_bill(rows, i));
  page.more = rows.size() > limit;
  return page;
}

std::vector<std::optional<bill>> insert_bills(pg_connection& conn,
                                              const std::vector<new_bill>& bills,
                                              const std::string& timezone) {
  pg_columns<13> rows;
  rows.reserve(bills.size());
  for (const auto& nb : bills) {
    const auto& d = nb.draft;
    rows.add_row({nb.id, std::to_string(d.amount_minor), d.currency,
                  std::to_string(d.currency_exponent), d.description, to_string(d.due_date),
                  d.reference, d.payer_name, d.payer_phone, d.payer_email, nb.created_by,
                  new_id("job"), creation_changes(d)});
  }
  auto params = rows.params();
  params.emplace_back(timezone);
  params.emplace_back(job_control_number);
  return in_order_of(conn.run(insert_stmt, params), bills);
}

std::optional<bill> insert_bill(pg_connection& conn, const std::string& id, const bill_draft& d,
                                const std::string& created_by, const std::string& timezone) {
  return std::move(insert_bills(conn, {new_bill{id, d, created_by}}, timezone).front());
}

std::optional<bill> set_bill_status(pg_connection& conn, const std::string& id,
                                    std::int64_t expected_version, bill_status to) {
  return first_bill(
      conn.run(status_stmt, {id, std::to_string(expected_version), std::string{to_string(to)}}));
}

std::string bill_event_data(const bill& b) {
  return json_object{}.raw("bill", bill_json(b)).finish();
}

std::vector<std::string> expire_due_bills(pg_connection& conn, std::uint32_t limit) {
  // SKIP LOCKED: a bill a shard is changing right now is left for the next round.
  static const pg_statement stmt{
      "bill_expire_due",
      "UPDATE bills SET status = 'expired', version = version + 1, updated_at = now()"
      " FROM (SELECT id AS due_id, status AS old_status FROM bills"
      "       WHERE status IN ('pending', 'issued', 'partially_paid') AND expires_at <= now()"
      "       ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) due"
      " WHERE bills.id = due.due_id RETURNING " BILL_COLUMNS ", due.old_status"};
  return in_transaction(conn, [&] {
    auto rows = conn.run(stmt, {std::to_string(limit)});
    std::vector<std::string> expired;
    for (int i = 0; i < rows.size(); ++i) {
      auto b = row_to_bill(rows, i);
      expired.push_back(b.id);
      record_audit(conn, "bill", b.id, "expire", "system",
                   audit_changes({{"status", rows.str(i, 19), "expired"}}));
      if (b.control_number)
        enqueue_job(conn, job_withdrawal, b.id,
                    json_object{}.str("control_number", *b.control_number).finish());
      emit_event(conn, "bill.expired", b.id, bill_event_data(b));
    }
    return expired;
  });
}

std::vector<bill> locked_bills(const pg_rows& rows) {
  std::vector<bill> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(row_to_bill(rows, i));
  return out;
}

void lock_bills_by_control_numbers(pg_pipeline& out, std::vector<std::string> control_numbers) {
  std::sort(control_numbers.begin(), control_numbers.end());
  out.add(lock_by_cns_stmt, {pg_array(control_numbers)});
}

std::vector<std::optional<bill>> set_bills_paid(pg_connection& conn,
                                                const std::vector<bill_paid_update>& updates) {
  pg_columns<4> rows;
  rows.reserve(updates.size());
  for (const auto& u : updates)
    rows.add_row({u.id, std::to_string(u.expected_version), std::to_string(u.paid_amount),
                  std::string{to_string(u.status)}});
  return in_order_of(conn.run(paid_stmt, rows.params()), updates);
}

std::vector<bill> lock_bills(pg_connection& conn, std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());  // one lock order for every writer
  return locked_bills(conn.run(lock_many_stmt, {pg_array(ids)}));
}

std::vector<std::optional<bill>> set_bills_from_gateway(
    pg_connection& conn, const std::vector<bill_gateway_update>& updates) {
  if (updates.empty()) return {};
  pg_columns<5> rows;
  rows.reserve(updates.size());
  for (const auto& u : updates)
    rows.add_row({u.id, std::to_string(u.expected_version), u.control_number,
                  std::string{to_string(u.status)}, u.failure_reason});
  return in_order_of(conn.run(gateway_stmt, rows.params()), updates);
}

}  // namespace billd
