#pragma once
// Alerts, stored in the transaction of what they report: at most one per kind per cooldown
// (a repeat only counts on the alert that fired), each sent by a durable 'alert_notify' job
// when a notification URL is configured.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace billd {

class pg_connection;

/// The job kind that sends one alert to alerts.notify_url.
inline constexpr const char* job_alert_notify = "alert_notify";

/// One alert to raise.
struct alert_event {
  std::string kind;                  // e.g. payment_unapplied, job_dead, webhook_delivery_dead
  std::string severity = "warning";  // warning | critical
  std::string message;
  std::string details_json = "{}";  // a JSON object; never secrets
};

/// How a raise was settled.
struct alert_policy {
  std::chrono::seconds cooldown{300};
  bool notify = false;  // enqueue a notification job for an alert that fires
};

/// What raise_alert did: the alert that fired, or the one within the cooldown it counted on.
struct alert_raised {
  std::string id;
  bool fired = false;
  std::string json;  // the stored alert (as GET /api/v1/alerts shows it) when it fired
};

/// Records ev in the caller's transaction (serialised per kind by an advisory lock).
alert_raised raise_alert(pg_connection& conn, const alert_event& ev, const alert_policy& policy);

/// GET /api/v1/alerts: one row with its cursor id and JSON.
struct alert_row {
  std::string id;
  std::string json;
};

/// Alerts (of `kind` when set) with id < before_id, newest first, at most limit + 1.
std::vector<alert_row> list_alerts(pg_connection& conn, const std::optional<std::string>& kind,
                                   const std::optional<std::string>& before_id, int limit);

}  // namespace billd
