#include "storage/alert_store.hpp"

#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "storage/job_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"

// The JSON of an alert, shared by the list and the notification.
#define BILLD_ALERT_JSON                                                                \
  "json_build_object('id', id, 'kind', kind, 'severity', severity, 'message', message," \
  " 'details', details, 'suppressed', suppressed, 'created_at', " BILLD_SQL_RFC3339(    \
      "created_at") ")::text"

namespace billd {

alert_raised raise_alert(pg_connection& conn, const alert_event& ev, const alert_policy& policy) {
  static const pg_statement lock{"alert_lock",
                                 "SELECT pg_advisory_xact_lock(hashtext('alert:' || $1))"};
  static const pg_statement repeat{
      "alert_repeat",
      "UPDATE alerts SET suppressed = suppressed + 1 WHERE id = (SELECT id FROM alerts"
      " WHERE kind = $1 AND created_at > now() - ($2::bigint * interval '1 second')"
      " ORDER BY created_at DESC LIMIT 1) RETURNING id"};
  static const pg_statement insert{
      "alert_insert",
      "INSERT INTO alerts (id, kind, severity, message, details)"
      " VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING " BILLD_ALERT_JSON};
  conn.run(lock, {ev.kind});
  auto held = conn.run(repeat, {ev.kind, std::to_string(policy.cooldown.count())});
  if (held.size() > 0) return {held.str(0, 0), false, {}};
  alert_raised out{new_id("alr"), true, {}};
  auto row = conn.run(insert, {out.id, ev.kind, ev.severity, ev.message, ev.details_json});
  out.json = row.str(0, 0);
  if (policy.notify)
    enqueue_job(conn, job_alert_notify, "", json_object{}.raw("alert", row.str(0, 0)).finish());
  return out;
}

std::vector<alert_row> list_alerts(pg_connection& conn, const std::optional<std::string>& kind,
                                   const std::optional<std::string>& before_id, int limit) {
  static const pg_statement stmt{"alert_list",
                                 "SELECT id, " BILLD_ALERT_JSON
                                 " FROM alerts WHERE ($1::text IS NULL OR kind = $1)"
                                 " AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"};
  auto rows =
      conn.run(stmt, {kind ? pg_param{*kind} : std::nullopt,
                      before_id ? pg_param{*before_id} : std::nullopt, std::to_string(limit + 1)});
  std::vector<alert_row> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back({rows.str(i, 0), rows.str(i, 1)});
  return out;
}

}  // namespace billd
