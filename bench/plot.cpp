#include "bench/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace billd::bench {
namespace {

constexpr double width = 720, height = 420, left = 70, right = 160, top = 40, bottom = 50;
const char* const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

/// A round axis top at or above v (1, 2 or 5 times a power of ten).
double nice_top(double v) {
  if (v <= 0) return 1;
  double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

/// Axis ticks and percentile names: whole numbers as such, others with the digits they have
/// ("%.2g" wrote p99.9 as "p1e+02" and a 12.5 ms tick as "12").
std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 || v == std::floor(v) ? "%.0f" : "%g", v);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

}  // namespace

void write_svg(std::ostream& out, const plot_chart& chart) {
  double max_x = 0, max_y = 0;
  for (const auto& s : chart.series)
    for (auto [x, y] : s.points) {
      max_x = std::max(max_x, x);
      max_y = std::max(max_y, y);
    }
  max_x = nice_top(max_x);
  max_y = nice_top(max_y);
  double plot_w = width - left - right, plot_h = height - top - bottom;
  auto px = [&](double x) { return left + x / max_x * plot_w; };
  auto py = [&](double y) { return top + plot_h - y / max_y * plot_h; };
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">"
      << escape(chart.title) << "</text>\n";
  for (int i = 0; i <= 5; ++i) {  // grid and tick labels
    double fx = max_x * i / 5, fy = max_y * i / 5;
    out << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << py(fy)
        << "\" y2=\"" << py(fy) << "\" stroke=\"#ddd\"/>\n"
        << "<text x=\"" << left - 6 << "\" y=\"" << py(fy) + 4 << "\" text-anchor=\"end\">"
        << fmt(fy) << "</text>\n"
        << "<text x=\"" << px(fx) << "\" y=\"" << top + plot_h + 16 << "\" text-anchor=\"middle\">"
        << fmt(fx) << "</text>\n";
  }
  out << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\""
      << plot_h << "\" fill=\"none\" stroke=\"black\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 10
      << "\" text-anchor=\"middle\">" << escape(chart.x_label) << "</text>\n"
      << "<text transform=\"translate(16," << top + plot_h / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << escape(chart.y_label) << "</text>\n";
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const auto& s = chart.series[i];
    const char* color = colors[i % std::size(colors)];
    out << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"";
    for (auto [x, y] : s.points) out << px(x) << "," << py(y) << " ";
    out << "\"/>\n";
    for (auto [x, y] : s.points)
      out << "<circle cx=\"" << px(x) << "\" cy=\"" << py(y) << "\" r=\"2.5\" fill=\"" << color
          << "\"/>\n";
    double ly = top + 14 + 18 * static_cast<double>(i);
    out << "<line x1=\"" << width - right + 12 << "\" x2=\"" << width - right + 34 << "\" y1=\""
        << ly - 4 << "\" y2=\"" << ly - 4 << "\" stroke=\"" << color
        << "\" stroke-width=\"2\"/>\n<text x=\"" << width - right + 40 << "\" y=\"" << ly << "\">"
        << escape(s.name) << "</text>\n";
  }
  out << "</svg>\n";
}

plot_chart latency_over_time(const std::string& title, const load_result& r) {
  plot_chart chart{title, "second of the measuring window", "latency (ms)", {}};
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    plot_series s{std::string{"p"}.append(fmt(p)), {}};
    for (std::size_t i = 0; i < r.per_second.size(); ++i)
      if (r.per_second[i].count() > 0)
        s.points.emplace_back(static_cast<double>(i) + 1, to_ms(r.per_second[i].percentile(p)));
    chart.series.push_back(std::move(s));
  }
  return chart;
}

plot_chart latency_against_load(const std::string& title, const std::vector<load_step>& steps) {
  plot_chart chart{title, "offered load (requests/s)", "p99 latency (ms)", {}};
  for (int c = 0; c < priority_count; ++c) {
    plot_series s{std::string{to_string(static_cast<priority>(c))} + " p99", {}};
    for (const auto& step : steps) {
      const auto& h = step.result.classes[static_cast<std::size_t>(c)].latency;
      if (h.count() > 0) s.points.emplace_back(step.offered, to_ms(h.percentile(99)));
    }
    if (!s.points.empty()) chart.series.push_back(std::move(s));
  }
  return chart;
}

plot_chart goodput_against_load(const std::string& title, const std::vector<load_step>& steps) {
  plot_chart chart{title, "offered load (requests/s)", "answers/s", {}};
  plot_series good{"2xx/s", {}}, shed{"503/s", {}}, offered{"offered", {}};
  for (const auto& step : steps) {
    auto secs = step.result.seconds > 0 ? step.result.seconds : 1;
    good.points.emplace_back(step.offered,
                             static_cast<double>(step.result.with_status(200, 299)) / secs);
    shed.points.emplace_back(step.offered,
                             static_cast<double>(step.result.with_status(503, 503)) / secs);
    offered.points.emplace_back(step.offered, step.offered);
  }
  chart.series = {std::move(offered), std::move(good), std::move(shed)};
  return chart;
}

}  // namespace billd::bench
