// billd-bench's rising-run arguments and its SVG charts.
#define CAF_SUITE bench_plot
#include <utility>

#include "caf/test/unit_test.hpp"

#include "bench/plot.hpp"
#include "bench/ramp.hpp"

#include <sstream>
#include <stdexcept>

using namespace billd::bench;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

CAF_TEST(ramp_multiples_parse_and_refuse_nonsense) {
  auto m = parse_multiples("0.5,1,2,4");
  CAF_REQUIRE_EQUAL(m.size(), 4u);
  CAF_CHECK_EQUAL(m[0], 0.5);
  CAF_CHECK_EQUAL(m[3], 4.0);
  for (const char* bad : {"", "0", "-1", "1,,2", "2x", "1,abc", "1000"}) {
    bool refused = false;
    try {
      parse_multiples(bad);
    } catch (const std::invalid_argument&) {
      refused = true;
    }
    CAF_CHECK(refused);
  }
}

CAF_TEST(a_chart_has_one_line_per_series_with_a_point_per_value_and_escaped_text) {
  plot_chart chart{"p99 <by> class & more",
                   "x",
                   "y",
                   {{"a", {{1, 2}, {2, 4}, {3, 8}}}, {"b", {{1, 1}, {3, 3}}}}};
  std::ostringstream out;
  write_svg(out, chart);
  auto svg = out.str();
  CAF_CHECK(svg.starts_with("<svg "));
  CAF_CHECK(svg.ends_with("</svg>\n"));
  CAF_CHECK_EQUAL(count_of(svg, "<polyline"), 2u);
  CAF_CHECK_EQUAL(count_of(svg, "<circle"), 5u);
  CAF_CHECK(svg.find("p99 &lt;by> class &amp; more") != std::string::npos);
}

CAF_TEST(latency_over_time_plots_four_percentiles_of_each_second_with_answers) {
  load_result r;
  r.per_second.resize(3);
  r.per_second[0].record(1'000);
  r.per_second[2].record(3'000);  // second 2 had no answers
  auto chart = latency_over_time("t", r);
  CAF_REQUIRE_EQUAL(chart.series.size(), 4u);
  CAF_CHECK_EQUAL(chart.series[0].name, "p50");
  CAF_CHECK_EQUAL(chart.series[3].name, "p99.9");
  CAF_CHECK_EQUAL(chart.series[0].points.size(), 2u);
  CAF_CHECK_EQUAL(chart.series[0].points[1].first, 3.0);
}
