#include "storage/payment_store.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "domain/bill_status.hpp"
#include "domain/crypto.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "storage/audit_store.hpp"
#include "storage/bill_store.hpp"
#include "storage/gateway_log_store.hpp"
#include "storage/pg_array.hpp"
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

/// `b`: the locked bill of the notification's control number, null when there is none.
decision decide(const bill* b, const payment_notice& n) {
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

/// `after`: the bill once the payment was decided, null for an unknown control number.
std::string response_body(const std::string& payment_id, const decision& d, const bill* after) {
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

namespace {

/// The gateway-log row of a recorded payment.
gateway_log_entry log_entry(const payment_notice& n, const decision& d,
                            const std::optional<std::string>& bill_id) {
  gateway_log_entry log;
  log.bill_id = bill_id;
  log.req_type = "payment";
  log.status = d.outcome;
  log.http_status = 200;
  log.detail = "transaction_ref " + n.transaction_ref + (d.reason ? "; " + *d.reason : "");
  return log;
}

/// The audit change of an applied payment on its bill.
std::string bill_change(const bill& before, const decision& d) {
  json_object change;
  change.raw("paid_amount",
             json_object{}
                 .str("before", format_amount(before.paid_amount, before.currency_exponent))
                 .str("after", format_amount(d.paid_after, before.currency_exponent))
                 .finish());
  if (d.status_after != before.status)
    change.raw("status", json_object{}
                             .str("before", to_string(before.status))
                             .str("after", to_string(d.status_after))
                             .finish());
  return change.finish();
}

/// The payment.unapplied event's data.
std::string unapplied_event_data(const payment_input& in, const payment_recorded& rec) {
  const auto& n = in.notice;
  return json_object{}
      .raw("payment", json_object{}
                          .str("id", in.payment_id)
                          .opt("bill_id", rec.bill_id)
                          .str("transaction_ref", n.transaction_ref)
                          .str("control_number", n.control_number)
                          .str("amount", format_amount(n.amount, n.currency_exponent))
                          .str("currency", n.currency)
                          .str("outcome", "unapplied")
                          .opt("reason", rec.reason)
                          .str("paid_at", n.paid_at)
                          .finish())
      .finish();
}

/// Writes the payment rows of a round in one statement.
void insert_payments(pg_pipeline& out, const std::vector<const payment_input*>& fresh,
                     const std::vector<decision>& decisions,
                     const std::vector<payment_recorded*>& recorded,
                     const std::vector<std::string>& fingerprints) {
  static const pg_statement stmt{
      "payment_insert",
      "INSERT INTO payments (id, transaction_ref, fingerprint, control_number, bill_id, amount,"
      " currency, currency_exponent, outcome, credit, reason, paid_at, channel, payer_phone,"
      " response)"
      " SELECT id, ref, decode(fp, 'hex'), cn, bill_id, amount, currency, exponent, outcome,"
      "  credit, reason, paid_at::timestamptz, channel, phone, response"
      " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],"
      "  $7::text[], $8::smallint[], $9::text[], $10::bigint[], $11::text[], $12::text[],"
      "  $13::text[], $14::text[], $15::text[]) WITH ORDINALITY"
      "  AS p(id, ref, fp, cn, bill_id, amount, currency, exponent, outcome, credit, reason,"
      "       paid_at, channel, phone, response, n)"
      " ORDER BY n"};
  pg_columns<15> rows;
  rows.reserve(fresh.size());
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    const auto& n = fresh[i]->notice;
    const auto& d = decisions[i];
    const auto& rec = *recorded[i];
    rows.add_row({fresh[i]->payment_id, n.transaction_ref, fingerprints[i], n.control_number,
                  rec.bill_id, std::to_string(n.amount), n.currency,
                  std::to_string(n.currency_exponent), d.outcome, std::to_string(d.credit),
                  d.reason, n.paid_at, n.channel, n.payer_phone, rec.body});
  }
  out.add(stmt, rows.params());
}

/// Records notifications with distinct transaction_refs and distinct control numbers: a fixed
/// number of statements however many there are.
void record_round(pg_connection& conn, const std::vector<const payment_input*>& round,
                  const std::vector<payment_recorded*>& out) {
  // Concurrent duplicates queue on these locks (taken in ref order) and then see the first
  // one's row.
  static const pg_statement lock_stmt{
      "payment_lock",
      "SELECT pg_advisory_xact_lock(hashtextextended('payment:' || x.r, 7))"
      " FROM unnest($1::text[]) WITH ORDINALITY AS x(r, n) ORDER BY x.n"};
  // One index probe per ref. LIMIT 1 (the ref is unique) keeps the LATERAL subquery from being
  // flattened into a join: the planner ran that as a scan of the whole payments table, which
  // grew with every batch (6 000 rows read per batch after 5 s of the bench's payments).
  static const pg_statement find_stmt{
      "payment_find_ref",
      "SELECT p.transaction_ref, encode(p.fingerprint, 'hex'), p.response, p.outcome, p.bill_id"
      " FROM unnest($1::text[]) AS x(ref)"
      " CROSS JOIN LATERAL (SELECT * FROM payments WHERE transaction_ref = x.ref LIMIT 1) p"};
  std::vector<std::string> refs, round_numbers;
  for (const auto* in : round) {
    refs.push_back(in->notice.transaction_ref);
    round_numbers.push_back(in->notice.control_number);
  }
  std::sort(refs.begin(), refs.end());
  auto ref_array = pg_array(refs);
  // One round trip: the refs' locks, then what they guard, then the bills. A replayed or
  // conflicting notification's bill is locked too (it changes nothing), which costs less than
  // a round trip of its own for the bills of the fresh ones.
  pg_pipeline reads;
  reads.add(lock_stmt, {ref_array});
  reads.add(find_stmt, {ref_array});
  lock_bills_by_control_numbers(reads, std::move(round_numbers));
  auto read = conn.run(reads);
  const auto& seen = read[1];
  std::unordered_map<std::string_view, int> seen_row;
  for (int r = 0; r < seen.size(); ++r) seen_row.emplace(seen.text(r, 0), r);

  std::vector<const payment_input*> fresh;
  std::vector<payment_recorded*> fresh_out;
  std::vector<std::string> fingerprints;
  for (std::size_t i = 0; i < round.size(); ++i) {
    auto fp = fingerprint_of(round[i]->notice);
    auto it = seen_row.find(round[i]->notice.transaction_ref);
    if (it == seen_row.end()) {
      fresh.push_back(round[i]);
      fresh_out.push_back(out[i]);
      fingerprints.push_back(std::move(fp));
      continue;
    }
    auto& rec = *out[i];
    auto r = it->second;
    rec.what =
        seen.text(r, 1) == fp ? payment_recorded::kind::replayed : payment_recorded::kind::conflict;
    rec.body = seen.str(r, 2);
    rec.outcome = seen.str(r, 3);
    rec.bill_id = seen.opt(r, 4);
  }
  if (fresh.empty()) return;

  std::unordered_map<std::string, bill> by_number;
  for (auto& b : locked_bills(read[2])) {
    auto cn = *b.control_number;
    by_number.emplace(std::move(cn), std::move(b));
  }
  std::vector<decision> decisions;
  std::vector<const bill*> before;
  std::vector<bill_paid_update> updates;
  for (const auto* in : fresh) {
    auto it = by_number.find(in->notice.control_number);
    const bill* current = it == by_number.end() ? nullptr : &it->second;
    decisions.push_back(decide(current, in->notice));
    before.push_back(current);
    const auto& d = decisions.back();
    if (d.outcome != "unapplied")
      updates.push_back({current->id, current->version, d.paid_after, d.status_after});
  }
  auto changed = set_bills_paid(conn, updates);

  std::vector<audit_entry> audits;
  std::vector<event_draft> events;
  std::vector<gateway_log_entry> logs;
  for (std::size_t i = 0, u = 0; i < fresh.size(); ++i) {
    const auto& in = *fresh[i];
    const auto& d = decisions[i];
    auto& rec = *fresh_out[i];
    const bill* after = before[i];
    if (d.outcome != "unapplied") {
      // The bill is locked: its version cannot have moved since it was read.
      if (!changed[u]) throw std::logic_error("bill " + before[i]->id + " changed under its lock");
      after = &*changed[u++];
      audits.push_back({"bill", after->id, "payment", "gateway", bill_change(*before[i], d)});
      events.push_back({d.status_after == bill_status::paid ? "bill.paid" : "bill.partially_paid",
                        after->id, bill_event_data(*after)});
    }
    rec.body = response_body(in.payment_id, d, after);
    rec.outcome = d.outcome;
    rec.reason = d.reason;
    rec.bill_id = before[i] ? std::optional<std::string>{before[i]->id} : std::nullopt;
    audits.push_back(
        {"payment", in.payment_id, "record", "gateway",
         json_object{}
             .raw("outcome", json_object{}.raw("before", "null").str("after", d.outcome).finish())
             .raw("amount",
                  json_object{}
                      .raw("before", "null")
                      .str("after", format_amount(in.notice.amount, in.notice.currency_exponent))
                      .finish())
             .finish(),
         /*first=*/true});  // the payment's id was made for this notification
    if (d.outcome == "unapplied")
      events.push_back({"payment.unapplied", rec.bill_id, unapplied_event_data(in, rec)});
    logs.push_back(log_entry(in.notice, d, rec.bill_id));
  }
  // Nothing below reads a row back: the writes go in one round trip.
  pg_pipeline writes;
  insert_payments(writes, fresh, decisions, fresh_out, fingerprints);
  record_audits(writes, audits);
  emit_events(writes, events);
  insert_gateway_logs(writes, logs);
  conn.run(writes);
}

}  // namespace

std::vector<bool> first_round(const std::vector<const payment_notice*>& notices) {
  std::vector<bool> out;
  out.reserve(notices.size());
  std::unordered_set<std::string_view> refs, numbers;
  for (const auto* n : notices) {
    // Both keys are taken even by one that waits: what follows it with either key waits too.
    bool ref_free = refs.insert(n->transaction_ref).second;
    bool number_free = numbers.insert(n->control_number).second;
    out.push_back(ref_free && number_free);
  }
  return out;
}

std::vector<payment_recorded> record_payments(pg_connection& conn,
                                              const std::vector<payment_input>& inputs) {
  std::vector<payment_recorded> out(inputs.size());
  std::vector<std::size_t> pending(inputs.size());
  std::iota(pending.begin(), pending.end(), std::size_t{0});
  // A round sees only what the rounds before it wrote (see first_round).
  while (!pending.empty()) {
    std::vector<const payment_notice*> notices;
    for (auto i : pending) notices.push_back(&inputs[i].notice);
    auto first = first_round(notices);
    std::vector<std::size_t> later;
    std::vector<const payment_input*> round;
    std::vector<payment_recorded*> round_out;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (!first[k]) {
        later.push_back(pending[k]);
        continue;
      }
      round.push_back(&inputs[pending[k]]);
      round_out.push_back(&out[pending[k]]);
    }
    record_round(conn, round, round_out);
    pending = std::move(later);
  }
  return out;
}

payment_recorded record_payment(pg_connection& conn, const payment_notice& n,
                                const std::string& payment_id) {
  return std::move(record_payments(conn, {payment_input{n, payment_id}}).front());
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
