#include "storage/threshold_store.hpp"

#include "domain/json_text.hpp"
#include "storage/audit_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

alert_thresholds from_row(const pg_rows& r) {
  alert_thresholds t;
  t.error_rate_pct = std::stod(r.str(0, 0));
  t.avg_response_ms = r.int64(0, 1);
  t.slow_requests = r.int64(0, 2);
  t.active_sessions = r.int64(0, 3);
  t.cooldown_s = r.int64(0, 4);
  t.version = r.int64(0, 5);
  return t;
}

/// {"field":{"before":…,"after":…}} for the fields that changed.
std::string changes_json(const alert_thresholds& before, const alert_thresholds& after) {
  json_object changes;
  auto num = [&](const char* name, std::int64_t b, std::int64_t a) {
    if (b != a) changes.raw(name, json_object{}.num("before", b).num("after", a).finish());
  };
  if (before.error_rate_pct != after.error_rate_pct)
    changes.raw("error_rate_pct", json_object{}
                                      .real("before", before.error_rate_pct)
                                      .real("after", after.error_rate_pct)
                                      .finish());
  num("avg_response_ms", before.avg_response_ms, after.avg_response_ms);
  num("slow_requests", before.slow_requests, after.slow_requests);
  num("active_sessions", before.active_sessions, after.active_sessions);
  num("cooldown_s", before.cooldown_s, after.cooldown_s);
  return changes.finish();
}

}  // namespace

alert_thresholds load_thresholds(pg_connection& conn) {
  static const pg_statement stmt{
      "thresholds_load",
      "SELECT error_rate_pct::text, avg_response_ms, slow_requests, active_sessions, cooldown_s,"
      " version FROM alert_thresholds WHERE id = 1"};
  return from_row(conn.run(stmt, {}));
}

std::optional<alert_thresholds> replace_thresholds(pg_connection& conn, const alert_thresholds& t,
                                                   std::optional<std::int64_t> expected_version,
                                                   const std::string& actor) {
  static const pg_statement lock{
      "thresholds_lock",
      "SELECT error_rate_pct::text, avg_response_ms, slow_requests, active_sessions, cooldown_s,"
      " version FROM alert_thresholds WHERE id = 1 FOR UPDATE"};
  static const pg_statement update{
      "thresholds_update",
      "UPDATE alert_thresholds SET error_rate_pct = $1::double precision,"
      " avg_response_ms = $2::integer, slow_requests = $3::integer,"
      " active_sessions = $4::integer, cooldown_s = $5::integer, version = version + 1,"
      " updated_at = now() WHERE id = 1 RETURNING error_rate_pct::text, avg_response_ms,"
      " slow_requests, active_sessions, cooldown_s, version"};
  return in_transaction(conn, [&]() -> std::optional<alert_thresholds> {
    auto before = from_row(conn.run(lock, {}));
    if (expected_version && *expected_version != before.version) return std::nullopt;
    auto after = from_row(
        conn.run(update, {std::to_string(t.error_rate_pct), std::to_string(t.avg_response_ms),
                          std::to_string(t.slow_requests), std::to_string(t.active_sessions),
                          std::to_string(t.cooldown_s)}));
    record_audit(conn, "thresholds", "alerts", "update", actor, changes_json(before, after));
    return after;
  });
}

}  // namespace billd
