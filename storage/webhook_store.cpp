#include "storage/webhook_store.hpp"

#include "domain/civil_time.hpp"
#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "storage/audit_store.hpp"
#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"

namespace billd {
namespace {

std::vector<std::string> split_pg_array(std::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

#define WEBHOOK_COLUMNS "id, url, events::text, " BILLD_SQL_RFC3339("created_at")

webhook row_to_webhook(const pg_rows& r, int i) {
  return {r.str(i, 0), r.str(i, 1), split_pg_array(r.text(i, 2)), r.str(i, 3)};
}

std::string now_rfc3339() {
  return format_rfc3339_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
}

}  // namespace

std::string webhook_json(const webhook& w) {
  return json_object{}
      .str("id", w.id)
      .str("url", w.url)
      .raw("events", json_string_array(w.events))
      .str("created_at", w.created_at)
      .finish();
}

webhook insert_webhook(pg_connection& conn, const std::string& id, const std::string& url,
                       const std::vector<std::string>& events, const std::string& secret_box,
                       const std::string& actor) {
  static const pg_statement stmt{
      "webhook_insert",
      "INSERT INTO webhooks (id, url, events, secret_box, created_by)"
      " VALUES ($1, $2, $3::text[], decode($4, 'hex'), $5) RETURNING " WEBHOOK_COLUMNS};
  auto w =
      row_to_webhook(conn.run(stmt, {id, url, pg_array(events), to_hex(secret_box), actor}), 0);
  std::string url_json;
  append_json_string(url_json, url);
  record_audit(conn, "webhook", id, "create", actor,
               json_object{}
                   .raw("url", "{\"before\":null,\"after\":" + url_json + "}")
                   .raw("events", "{\"before\":null,\"after\":" + json_string_array(events) + "}")
                   .finish());
  return w;
}

std::vector<webhook> list_webhooks(pg_connection& conn) {
  static const pg_statement stmt{"webhook_list",
                                 "SELECT " WEBHOOK_COLUMNS
                                 " FROM webhooks WHERE deleted_at IS NULL ORDER BY id"};
  auto rows = conn.run(stmt, {});
  std::vector<webhook> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(row_to_webhook(rows, i));
  return out;
}

bool delete_webhook(pg_connection& conn, const std::string& id, const std::string& actor) {
  static const pg_statement del{
      "webhook_delete",
      "UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL"};
  static const pg_statement kill{
      "webhook_deliveries_kill",
      "UPDATE webhook_deliveries SET status = 'dead', last_error = 'webhook removed',"
      " updated_at = now() WHERE webhook_id = $1 AND status = 'pending'"};
  if (conn.run(del, {id}).affected() != 1) return false;
  conn.run(kill, {id});
  record_audit(conn, "webhook", id, "delete", actor,
               R"({"deleted":{"before":false,"after":true}})");
  return true;
}

void emit_events(pg_pipeline& out, const std::vector<event_draft>& events) {
  // Rows keep the order given (WITH ORDINALITY), so deliveries of one bill keep it too.
  static const pg_statement stmt{
      "webhook_emit",
      "WITH src AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])"
      "              WITH ORDINALITY AS s(id, type, bill_id, body, n)),"
      " subs AS (SELECT id, events FROM webhooks WHERE deleted_at IS NULL),"
      " e AS (INSERT INTO webhook_events (id, type, bill_id, body)"
      "       SELECT src.id, src.type, src.bill_id, src.body FROM src"
      "       WHERE EXISTS (SELECT 1 FROM subs WHERE src.type = ANY(subs.events)) ORDER BY src.n"
      "       RETURNING id, type, bill_id)"
      " INSERT INTO webhook_deliveries (webhook_id, event_id, order_key)"
      " SELECT subs.id, e.id, coalesce(e.bill_id, e.id)"
      " FROM e JOIN src ON src.id = e.id JOIN subs ON e.type = ANY(subs.events) ORDER BY src.n"};
  if (events.empty()) return;
  pg_columns<4> rows;
  rows.reserve(events.size());
  auto created_at = now_rfc3339();
  for (const auto& ev : events) {
    auto id = new_id("evt");
    auto body = json_object{}
                    .str("id", id)
                    .str("type", ev.type)
                    .str("created_at", created_at)
                    .raw("data", ev.data_json)
                    .finish();
    rows.add_row({std::move(id), ev.type, ev.bill_id, std::move(body)});
  }
  out.add(stmt, rows.params());
}

void emit_event(pg_connection& conn, const std::string& type,
                const std::optional<std::string>& bill_id, const std::string& data_json) {
  pg_pipeline statement;
  emit_events(statement, {event_draft{type, bill_id, data_json}});
  conn.run(statement);
}

std::vector<leased_delivery> lease_deliveries(pg_connection& conn, std::uint32_t limit,
                                              std::chrono::milliseconds lease,
                                              const std::vector<std::string>& busy) {
  static const pg_statement stmt{
      "webhook_lease",
      "WITH candidates AS ("
      "  SELECT x.id, row_number() OVER (PARTITION BY x.webhook_id"
      "                                  ORDER BY x.next_attempt_at, x.id) AS rn"
      "  FROM webhook_deliveries x"
      "  WHERE x.status = 'pending' AND x.next_attempt_at <= now()"
      "    AND (x.locked_until IS NULL OR x.locked_until < now())"
      "    AND NOT (x.webhook_id = ANY(string_to_array($3, ',')))"
      "    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries y WHERE y.webhook_id = x.webhook_id"
      "                    AND y.order_key = x.order_key AND y.status = 'pending'"
      "                    AND y.id < x.id)),"
      " due AS (SELECT d.id FROM webhook_deliveries d JOIN candidates c ON c.id = d.id"
      "         WHERE c.rn = 1 ORDER BY d.next_attempt_at LIMIT $1"
      "         FOR UPDATE OF d SKIP LOCKED),"
      " leased AS (UPDATE webhook_deliveries d SET attempt = d.attempt + 1, fence = d.fence + 1,"
      "            locked_until = now() + ($2::bigint * interval '1 millisecond'),"
      "            updated_at = now() FROM due WHERE d.id = due.id"
      "            RETURNING d.id, d.webhook_id, d.event_id, d.attempt, d.fence, d.created_at)"
      " SELECT l.id, l.webhook_id, w.url, encode(w.secret_box, 'hex'), l.event_id, e.body,"
      "        l.attempt, l.fence, extract(epoch FROM now() - l.created_at)::bigint"
      " FROM leased l JOIN webhooks w ON w.id = l.webhook_id"
      " JOIN webhook_events e ON e.id = l.event_id"};
  std::string busy_list;
  for (const auto& b : busy) busy_list += (busy_list.empty() ? "" : ",") + b;
  auto rows = conn.run(stmt, {std::to_string(limit), std::to_string(lease.count()), busy_list});
  std::vector<leased_delivery> out;
  for (int i = 0; i < rows.size(); ++i) {
    leased_delivery d;
    d.id = rows.int64(i, 0);
    d.webhook_id = rows.str(i, 1);
    d.url = rows.str(i, 2);
    from_hex(rows.text(i, 3), d.secret_box);
    d.event_id = rows.str(i, 4);
    d.body = rows.str(i, 5);
    d.attempt = static_cast<std::int32_t>(rows.int64(i, 6));
    d.fence = rows.int64(i, 7);
    d.age_s = rows.int64(i, 8);
    out.push_back(std::move(d));
  }
  return out;
}

bool settle_delivery(pg_connection& conn, std::int64_t id, std::int64_t fence,
                     const std::string& status, std::optional<int> http_status,
                     const std::string& error) {
  static const pg_statement stmt{
      "webhook_settle",
      "UPDATE webhook_deliveries SET status = $3, http_status = $4, last_error = $5,"
      " locked_until = NULL, updated_at = now() WHERE id = $1 AND fence = $2"
      " AND status = 'pending'"};
  return conn.run(stmt, {std::to_string(id), std::to_string(fence), status,
                         http_status ? pg_param{std::to_string(*http_status)} : std::nullopt,
                         error.empty() ? std::nullopt : pg_param{error}})
             .affected() == 1;
}

bool retry_delivery(pg_connection& conn, std::int64_t id, std::int64_t fence,
                    std::chrono::milliseconds delay, std::optional<int> http_status,
                    const std::string& error) {
  static const pg_statement stmt{
      "webhook_retry",
      "UPDATE webhook_deliveries SET http_status = $4, last_error = $5, locked_until = NULL,"
      " next_attempt_at = now() + ($3::bigint * interval '1 millisecond'), updated_at = now()"
      " WHERE id = $1 AND fence = $2 AND status = 'pending'"};
  return conn.run(stmt,
                  {std::to_string(id), std::to_string(fence), std::to_string(delay.count()),
                   http_status ? pg_param{std::to_string(*http_status)} : std::nullopt, error})
             .affected() == 1;
}

std::optional<std::string> deliveries_json(pg_connection& conn, const std::string& webhook_id,
                                           int limit) {
  static const pg_statement exists{"webhook_exists", "SELECT 1 FROM webhooks WHERE id = $1"};
  static const pg_statement stmt{
      "webhook_deliveries_list",
      "SELECT json_build_object('event_id', d.event_id, 'event', e.type, 'attempt', d.attempt,"
      " 'status', d.status, 'http_status', d.http_status, 'next_attempt_at',"
      " CASE WHEN d.status = 'pending' THEN " BILLD_SQL_RFC3339("d.next_attempt_at") " END,"
      " 'created_at', " BILLD_SQL_RFC3339("d.created_at") ")::text"
      " FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id"
      " WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2"};
  if (conn.run(exists, {webhook_id}).empty()) return std::nullopt;
  auto rows = conn.run(stmt, {webhook_id, std::to_string(limit)});
  std::string items = "[";
  for (int i = 0; i < rows.size(); ++i) {
    if (i > 0) items += ',';
    items += rows.text(i, 0);
  }
  return json_object{}.raw("items", items + "]").finish();
}

}  // namespace billd
