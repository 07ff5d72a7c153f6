#include "storage/payment_store.hpp"

#include "domain/bill_status.hpp"
#include "domain/crypto.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "storage/bill_store.hpp"
#include "storage/gateway_log_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"
#include "storage/webhook_store.hpp"

namespace billd {
namespace {

#define PAYMENT_COLUMNS                                                          \
  "id, bill_id, transaction_ref, amount, currency_exponent, currency, outcome, " \
  "credit, " BILLD_SQL_RFC3339("paid_at") ", channel, " BILLD_SQL_RFC3339("created_at")

/// The payment JSON of API.md from a row of PAYMENT_COLUMNS.
std::string payment_json(const pg_rows& r, int i) {
  auto exponent = static_cast<int>(r.int64(i, 4));
  return json_object{}
      .str("id", r.text(i, 0))
      .opt("bill_id", r.opt(i, 1))
      .str("transaction_ref", r.text(i, 2))
      .str("amount", format_amount(r.int64(i, 3), exponent))
      .str("currency", r.text(i, 5))
      .str("outcome", r.text(i, 6))
      .str("credit", format_amount(r.int64(i, 7), exponent))
      .str("paid_at", r.text(i, 8))
      .str("channel", r.text(i, 9))
      .str("created_at", r.text(i, 10))
      .finish();
}

/// Everything that identifies the notification: a repeat must match all of it.
std::string fingerprint_of(const payment_notice& n) {
  std::string canon;
  for (const auto* part :
       {&n.control_number, &n.transaction_ref, &n.currency, &n.paid_at, &n.channel}) {
    canon += *part;
    canon += '\x1f';
  }
  canon += std::to_string(n.amount) + '\x1f' + std::to_string(n.currency_exponent) + '\x1f' +
           n.payer_phone.value_or("\x1e");
  return sha256_hex(canon);
}

/// Decides outcome and the bill's new figures.
struct decision {
  std::string outcome = "unapplied";
  std::optional<std::string> reason;
  std::int64_t credit = 0;
  std::int64_t paid_after = 0;
  bill_status status_after = bill_status::pending;
};

decision decide(const std::optional<bill>& b, const payment_notice& n) {
  decision d;
  if (!b) {
    d.reason = "unknown control number";
    return d;
  }
  d.paid_after = b->paid_amount;
  d.status_after = b->status;
  if (b->currency != n.currency || b->currency_exponent != n.currency_exponent) {
    d.reason = "currency mismatch: the bill is in " + b->currency;
    return d;
  }
  if (b->status == bill_status::cancelled || b->status == bill_status::expired ||
      b->status == bill_status::failed || b->status == bill_status::pending) {
    d.reason = "the bill is " + std::string{to_string(b->status)};
    return d;
  }
  // issued, partially_paid or paid: the money goes to the bill; any excess stays as credit.
  auto total = b->paid_amount + n.amount;
  d.paid_after = std::min(total, b->amount);
  d.credit = total - d.paid_after;
  d.status_after = status_after_payment(b->amount, d.paid_after);
  d.outcome = d.credit > 0 ? "overpaid" : "applied";
  return d;
}

std::string response_body(const std::string& payment_id, const decision& d,
                          const std::optional<bill>& after) {
  json_object o;
  o.str("payment_id", payment_id).str("outcome", d.outcome);
  if (after && d.outcome != "unapplied") {
    o.str("bill_id", after->id)
        .str("bill_status", to_string(after->status))
        .str("paid_amount", format_amount(after->paid_amount, after->currency_exponent));
  } else if (after) {
    o.str("bill_id", after->id)
        .str("bill_status", to_string(after->status))
        .raw("paid_amount", "null");
  } else {
    o.raw("bill_id", "null").raw("bill_status", "null").raw("paid_amount", "null");
  }
  return o.finish();
}

}  // namespace

payment_recorded record_payment(pg_connection& conn, const payment_notice& n,
                                const std::string& payment_id) {
  // Concurrent duplicates queue on this lock and then see the first one's row.
  static const pg_statement lock_stmt{"payment_lock",
                                      "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))"};
  static const pg_statement find_stmt{
      "payment_find_ref",
      "SELECT encode(fingerprint, 'hex'), response, outcome, bill_id"
      " FROM payments WHERE transaction_ref = $1"};
  static const pg_statement insert_stmt{
      "payment_insert",
      "INSERT INTO payments (id, transaction_ref, fingerprint, control_number, bill_id, amount,"
      " currency, currency_exponent, outcome, credit, reason, paid_at, channel, payer_phone,"
      " response) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, $7, $8, $9, $10, $11,"
      " $12::timestamptz, $13, $14, $15)"};
  payment_recorded out;
  auto fp = fingerprint_of(n);
  conn.run(lock_stmt, {"payment:" + n.transaction_ref});
  auto seen = conn.run(find_stmt, {n.transaction_ref});
  if (!seen.empty()) {
    out.what =
        seen.text(0, 0) == fp ? payment_recorded::kind::replayed : payment_recorded::kind::conflict;
    out.body = seen.str(0, 1);
    out.outcome = seen.str(0, 2);
    out.bill_id = seen.opt(0, 3);
    return out;
  }
  auto current = lock_bill_by_control_number(conn, n.control_number);
  auto d = decide(current, n);
  auto after = current;
  if (d.outcome != "unapplied") {
    after = set_bill_paid(conn, current->id, current->version, d.paid_after, d.status_after);
    json_object change;
    change.raw("paid_amount",
               json_object{}
                   .str("before", format_amount(current->paid_amount, current->currency_exponent))
                   .str("after", format_amount(d.paid_after, current->currency_exponent))
                   .finish());
    if (d.status_after != current->status)
      change.raw("status", json_object{}
                               .str("before", to_string(current->status))
                               .str("after", to_string(d.status_after))
                               .finish());
    record_audit(conn, "bill", current->id, "payment", "gateway", change.finish());
    emit_event(conn, d.status_after == bill_status::paid ? "bill.paid" : "bill.partially_paid",
               current->id, bill_event_data(*after));
  }
  out.body = response_body(payment_id, d, after);
  out.outcome = d.outcome;
  out.reason = d.reason;
  out.bill_id = current ? std::optional<std::string>{current->id} : std::nullopt;
  conn.run(insert_stmt,
           {payment_id, n.transaction_ref, fp, n.control_number, out.bill_id,
            std::to_string(n.amount), n.currency, std::to_string(n.currency_exponent), d.outcome,
            std::to_string(d.credit), d.reason, n.paid_at, n.channel, n.payer_phone, out.body});
  record_audit(
      conn, "payment", payment_id, "record", "gateway",
      json_object{}
          .raw("outcome", json_object{}.raw("before", "null").str("after", d.outcome).finish())
          .raw("amount", json_object{}
                             .raw("before", "null")
                             .str("after", format_amount(n.amount, n.currency_exponent))
                             .finish())
          .finish());
  if (d.outcome == "unapplied")
    emit_event(conn, "payment.unapplied", out.bill_id,
               json_object{}
                   .raw("payment", json_object{}
                                       .str("id", payment_id)
                                       .opt("bill_id", out.bill_id)
                                       .str("transaction_ref", n.transaction_ref)
                                       .str("control_number", n.control_number)
                                       .str("amount", format_amount(n.amount, n.currency_exponent))
                                       .str("currency", n.currency)
                                       .str("outcome", "unapplied")
                                       .opt("reason", d.reason)
                                       .str("paid_at", n.paid_at)
                                       .finish())
                   .finish());
  gateway_log_entry log;
  log.bill_id = out.bill_id;
  log.req_type = "payment";
  log.status = d.outcome;
  log.http_status = 200;
  log.detail = "transaction_ref " + n.transaction_ref + (d.reason ? "; " + *d.reason : "");
  insert_gateway_log(conn, log);
  return out;
}

std::optional<std::string> find_payment_json(pg_connection& conn, const std::string& id) {
  static const pg_statement stmt{"payment_find",
                                 "SELECT " PAYMENT_COLUMNS " FROM payments WHERE id = $1"};
  auto rows = conn.run(stmt, {id});
  if (rows.empty()) return std::nullopt;
  return payment_json(rows, 0);
}

std::vector<payment_row> list_payments(pg_connection& conn, const payment_filter& f,
                                       const std::optional<std::string>& before_id, int limit) {
  static const pg_statement stmt{
      "payment_list",
      "SELECT " PAYMENT_COLUMNS
      " FROM payments"
      " WHERE ($1::text IS NULL OR outcome = $1) AND ($2::text IS NULL OR bill_id = $2)"
      " AND ($3::timestamptz IS NULL OR paid_at >= $3) AND ($4::timestamptz IS NULL OR paid_at < "
      "$4)"
      " AND ($5::text IS NULL OR id < $5) ORDER BY id DESC LIMIT $6"};
  auto rows =
      conn.run(stmt, {f.outcome, f.bill_id, f.from, f.to, before_id, std::to_string(limit + 1)});
  std::vector<payment_row> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back({payment_json(rows, i), rows.str(i, 0)});
  return out;
}

}  // namespace billd
