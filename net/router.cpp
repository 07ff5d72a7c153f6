#include "net/router.hpp"

#include <array>

namespace billd {
namespace {

struct route_def {
  route_id id;
  const char* method;
  const char* pattern;  // segments; "{}" matches one non-empty segment
  access who;
  priority prio;
  const char* label;
};

constexpr std::array routes{
    route_def{route_id::health, "GET", "/health", access::anyone, priority::p0, "GET /health"},
    route_def{route_id::health_live, "GET", "/health/live", access::anyone, priority::p0,
              "GET /health/live"},
    route_def{route_id::health_ready, "GET", "/health/ready", access::anyone, priority::p0,
              "GET /health/ready"},
    route_def{route_id::auth_login, "POST", "/api/v1/auth/login", access::anyone, priority::p1,
              "POST /api/v1/auth/login"},
    route_def{route_id::auth_logout, "POST", "/api/v1/auth/logout", access::any_user, priority::p1,
              "POST /api/v1/auth/logout"},
    route_def{route_id::auth_me, "GET", "/api/v1/auth/me", access::any_user, priority::p2,
              "GET /api/v1/auth/me"},
    route_def{route_id::users_create, "POST", "/api/v1/users", access::admin, priority::p1,
              "POST /api/v1/users"},
    route_def{route_id::users_list, "GET", "/api/v1/users", access::admin, priority::p2,
              "GET /api/v1/users"},
    route_def{route_id::users_get, "GET", "/api/v1/users/{}", access::admin, priority::p2,
              "GET /api/v1/users/{id}"},
    route_def{route_id::users_update, "PATCH", "/api/v1/users/{}", access::admin, priority::p1,
              "PATCH /api/v1/users/{id}"},
    route_def{route_id::bills_create, "POST", "/api/v1/bills", access::clerk, priority::p1,
              "POST /api/v1/bills"},
    route_def{route_id::bills_import, "POST", "/api/v1/bills/import", access::clerk, priority::p1,
              "POST /api/v1/bills/import"},
    route_def{route_id::jobs_get, "GET", "/api/v1/jobs/{}", access::any_user, priority::p2,
              "GET /api/v1/jobs/{id}"},
    route_def{route_id::bills_list, "GET", "/api/v1/bills", access::any_user, priority::p2,
              "GET /api/v1/bills"},
    route_def{route_id::bills_get, "GET", "/api/v1/bills/{}", access::any_user, priority::p2,
              "GET /api/v1/bills/{id}"},
    route_def{route_id::bills_cancel, "POST", "/api/v1/bills/{}/cancel", access::clerk,
              priority::p1, "POST /api/v1/bills/{id}/cancel"},
    route_def{route_id::bills_control_number, "GET", "/api/v1/bills/{}/control-number",
              access::any_user, priority::p2, "GET /api/v1/bills/{id}/control-number"},
    route_def{route_id::bills_payments, "GET", "/api/v1/bills/{}/payments", access::any_user,
              priority::p2, "GET /api/v1/bills/{id}/payments"},
    route_def{route_id::bills_gateway_log, "GET", "/api/v1/bills/{}/gateway-log", access::admin,
              priority::p2, "GET /api/v1/bills/{id}/gateway-log"},
    // Gateway routes carry a signature instead of a token (checked by their handlers).
    route_def{route_id::gateway_control_number, "POST", "/api/v1/gateway/control-numbers",
              access::anyone, priority::p1, "POST /api/v1/gateway/control-numbers"},
    route_def{route_id::gateway_payment, "POST", "/api/v1/gateway/payments", access::anyone,
              priority::p1, "POST /api/v1/gateway/payments"},
    route_def{route_id::payments_list, "GET", "/api/v1/payments", access::admin, priority::p2,
              "GET /api/v1/payments"},
    route_def{route_id::payments_get, "GET", "/api/v1/payments/{}", access::admin, priority::p2,
              "GET /api/v1/payments/{id}"},
    route_def{route_id::audit_list, "GET", "/api/v1/audit", access::admin, priority::p2,
              "GET /api/v1/audit"},
    route_def{route_id::reports_summary, "GET", "/api/v1/reports/summary", access::reader,
              priority::p2, "GET /api/v1/reports/summary"},
    route_def{route_id::webhooks_create, "POST", "/api/v1/webhooks", access::admin, priority::p1,
              "POST /api/v1/webhooks"},
    route_def{route_id::webhooks_list, "GET", "/api/v1/webhooks", access::admin, priority::p2,
              "GET /api/v1/webhooks"},
    route_def{route_id::webhooks_delete, "DELETE", "/api/v1/webhooks/{}", access::admin,
              priority::p1, "DELETE /api/v1/webhooks/{id}"},
    route_def{route_id::webhooks_deliveries, "GET", "/api/v1/webhooks/{}/deliveries", access::admin,
              priority::p2, "GET /api/v1/webhooks/{id}/deliveries"},
    route_def{route_id::alerts_list, "GET", "/api/v1/alerts", access::admin, priority::p2,
              "GET /api/v1/alerts"},
    // Loopback or metrics.token, checked by the handler.
    route_def{route_id::metrics_prometheus, "GET", "/metrics", access::anyone, priority::p0,
              "GET /metrics"},
    route_def{route_id::metrics, "GET", "/api/v1/metrics", access::admin, priority::p2,
              "GET /api/v1/metrics"},
    route_def{route_id::metrics_database, "GET", "/api/v1/metrics/database", access::admin,
              priority::p2, "GET /api/v1/metrics/database"},
    route_def{route_id::metrics_cache, "GET", "/api/v1/metrics/cache", access::admin, priority::p2,
              "GET /api/v1/metrics/cache"},
    route_def{route_id::thresholds_get, "GET", "/api/v1/metrics/thresholds", access::admin,
              priority::p2, "GET /api/v1/metrics/thresholds"},
    route_def{route_id::thresholds_put, "PUT", "/api/v1/metrics/thresholds", access::admin,
              priority::p1, "PUT /api/v1/metrics/thresholds"},
    route_def{route_id::alerts_check, "POST", "/api/v1/alerts/check", access::admin, priority::p1,
              "POST /api/v1/alerts/check"},
};

/// Matches path against pattern; on success stores the "{}" segment in param.
bool match_pattern(std::string_view pattern, std::string_view path, std::string& param) {
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    auto pe = pattern.find('/');
    auto se = path.find('/');
    auto pseg = pattern.substr(0, pe);
    auto sseg = path.substr(0, se);
    if (pseg == "{}") {
      if (sseg.empty()) return false;
      param = std::string{sseg};
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view{} : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view{} : path.substr(se);
  }
  return true;
}

}  // namespace

routing_result route(std::string_view method, std::string_view path) {
  routing_result result;
  for (const auto& r : routes) {
    std::string param;
    if (!match_pattern(r.pattern, path, param)) continue;
    if (method == r.method) {
      result.match = route_match{r.id, r.who, r.prio, std::move(param)};
      return result;
    }
    result.allowed.emplace_back(r.method);
  }
  return result;
}

std::string allow_header(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

std::string_view route_label(route_id id) {
  for (const auto& r : routes)
    if (r.id == id) return r.label;
  return "unknown";
}

}  // namespace billd
