#pragma once
// GET /metrics: a monitor snapshot as Prometheus text exposition format 0.0.4. Every family
// has # HELP and # TYPE (the table in prometheus.cpp, the one list of billd's metric names),
// units are in the names, and histograms use fixed `le` bounds in seconds.

#include <string>
#include <string_view>

#include "actors/monitor.hpp"

namespace billd {

inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const metrics_snapshot& s);

/// Appends a sample value as the text format writes it: NaN, +Inf and -Inf by name, other
/// values in the shortest form that reads back exactly, as a plain decimal from 1e-6 to 1e16
/// (so 300000, not 3e+05) and with an exponent beyond.
void append_prometheus_number(std::string& out, double v);

/// Whether billd exports a family of this name (with HELP and TYPE).
bool prometheus_family_known(std::string_view family);

}  // namespace billd
