#pragma once
// The JSON bodies of GET /api/v1/metrics, /api/v1/metrics/database and /api/v1/metrics/cache
// (API.md "Operations"), rendered from a monitor snapshot.

#include <string>
#include <vector>

#include "actors/monitor.hpp"
#include "storage/db_stats_store.hpp"

namespace billd {

std::string service_metrics_json(const metrics_snapshot& s);

/// `tables` is empty when PostgreSQL could not be asked (then "tables" is null).
std::string database_metrics_json(const metrics_snapshot& s, double slow_query_ms,
                                  const std::optional<std::vector<table_size>>& tables);

std::string cache_metrics_json(const metrics_snapshot& s);

/// A dependency's breaker from its billd_breaker_state series: closed, half_open, open, or
/// unknown when the figures do not have it.
std::string breaker_state_of(const figure_set& f, std::string_view dependency);

/// The value of one owned series (0 when absent).
double owned_value(const figure_set& f, std::string_view family, std::string_view labels = "");

}  // namespace billd
