#pragma once
// Line charts as SVG, written without any tool or network: billd-bench draws latency
// percentiles over time and latency against offered load with them.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "bench/load.hpp"

namespace billd::bench {

struct plot_series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

struct plot_chart {
  std::string title, x_label, y_label;
  std::vector<plot_series> series;
};

/// Writes the chart as a standalone SVG document (axes from 0 to the largest value).
void write_svg(std::ostream& out, const plot_chart& chart);

/// p50/p90/p99/p99.9 (ms) of every second of a run.
plot_chart latency_over_time(const std::string& title, const load_result& r);

/// One step of a rising open-loop run: the rate offered and what came of it.
struct load_step {
  double offered = 0;
  load_result result;
};

/// p99 (ms) of each priority class against the rate offered.
plot_chart latency_against_load(const std::string& title, const std::vector<load_step>& steps);

/// Goodput (2xx answers/s) and shed 503s/s against the rate offered.
plot_chart goodput_against_load(const std::string& title, const std::vector<load_step>& steps);

}  // namespace billd::bench
