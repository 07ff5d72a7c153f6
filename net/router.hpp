#pragma once
// The route table of API.md: path patterns with {params}, methods, who may call them and the
// admission priority of each.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// Every route billd serves.
enum class route_id : std::uint8_t {
  health,
  health_live,
  health_ready,
  auth_login,
  auth_logout,
  auth_me,
  users_create,
  users_list,
  users_get,
  users_update,
  bills_create,
  bills_list,
  bills_get,
  bills_cancel,
  bills_control_number,
  bills_payments,
  bills_gateway_log,
  gateway_control_number,
  gateway_payment,
  payments_list,
  payments_get,
  audit_list,
  reports_summary,
  webhooks_create,
  webhooks_list,
  webhooks_delete,
  webhooks_deliveries,
  bills_import,
  jobs_get,
  alerts_list,
  metrics_prometheus,
  metrics,
  metrics_database,
  metrics_cache,
  thresholds_get,
  thresholds_put,
  alerts_check,  // keep last: route_id_count follows it
};

/// How many route ids there are (for tables indexed by route).
inline constexpr std::size_t route_id_count = static_cast<std::size_t>(route_id::alerts_check) + 1;

/// Who may call a route (API.md "who"); reader is admin or viewer (reports), not clerks.
enum class access : std::uint8_t { anyone, any_user, clerk, admin, reader };

/// Admission priority (ARCHITECTURE.md): P0 never shed, P1 writes shed last, P2 reads first.
enum class priority : std::uint8_t { p0, p1, p2 };

/// A matched route and its path parameters (at most one here: the entity id).
struct route_match {
  route_id id;
  access who;
  priority prio;
  std::string param;
};

/// Result of routing: a match, or the methods the path allows (405), or nothing (404).
struct routing_result {
  std::optional<route_match> match;
  std::vector<std::string> allowed;  // non-empty: the path exists with other methods
};

/// Matches method and path against the table.
routing_result route(std::string_view method, std::string_view path);

/// The `Allow` header value for a 405.
std::string allow_header(const std::vector<std::string>& methods);

/// A stable label of a route for logs and metrics, e.g. "GET /api/v1/bills/{id}".
std::string_view route_label(route_id id);

}  // namespace billd
