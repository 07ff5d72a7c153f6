#include "bench/ramp.hpp"

#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "bench/report.hpp"

namespace billd::bench {

std::vector<double> parse_multiples(const std::string& text) {
  std::vector<double> out;
  std::istringstream in{text};
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || !(v > 0) || v > 100)
      throw std::invalid_argument("--ramp takes multiples of the peak in (0, 100], like 0.5,1,2,4");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument("--ramp needs at least one multiple");
  return out;
}

std::vector<load_step> run_ramp(load_options opt, scenario& sc, double peak,
                                const std::vector<double>& multiples) {
  std::vector<load_step> steps;
  for (double m : multiples) {
    opt.rate = peak * m;
    steps.push_back(load_step{opt.rate, run_load(opt, sc)});
  }
  return steps;
}

void print_ramp(std::ostream& out, const ramp_peak& peak, const std::vector<load_step>& steps) {
  out << std::fixed << std::setprecision(0) << "rising open loop, peak " << peak.rate << " req/s";
  if (peak.connections > 0)
    out << " (closed loop at " << peak.connections << " connections, " << peak.shed_per_second
        << " 503/s)";
  out << "\n"
      << "  offered  answered/s  2xx/s  503/s   P0 p99 ms  P1 p99 ms  P2 p99 ms  503 p50 ms"
         "  from write\n";
  for (const auto& s : steps) {
    const auto& r = s.result;
    latency_histogram shed, shed_trip;
    for (const auto& c : r.classes) {
      shed.merge(c.shed_latency);
      shed_trip.merge(c.shed_round_trip);
    }
    out << std::setprecision(0) << std::setw(9) << s.offered << std::setw(12)
        << static_cast<double>(r.answered()) / r.seconds << std::setw(7)
        << static_cast<double>(r.with_status(200, 299)) / r.seconds << std::setw(7)
        << static_cast<double>(r.with_status(503, 503)) / r.seconds << std::setprecision(2);
    for (const auto& c : r.classes)
      out << std::setw(11) << (c.latency.count() ? to_ms(c.latency.percentile(99)) : 0.0);
    out << std::setw(12) << (shed.count() ? to_ms(shed.percentile(50)) : 0.0) << std::setw(12)
        << (shed_trip.count() ? to_ms(shed_trip.percentile(50)) : 0.0) << "\n";
  }
}

void write_ramp_json(std::ostream& out, const std::string& label, const std::string& scenario,
                     const load_options& opt, const ramp_peak& peak,
                     const std::vector<load_step>& steps) {
  out << "{\"label\":\"" << label << "\",\"scenario\":\"" << scenario << "\",\"peak\":" << peak.rate
      << ",\"peak_connections\":" << peak.connections
      << ",\"peak_shed_per_s\":" << peak.shed_per_second
      << ",\"p0_on_ops_listener\":" << (opt.p0_host.empty() ? "false" : "true") << ",\"steps\":[";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out << (i ? "," : "") << "{\"offered\":" << steps[i].offered << ",\"run\":";
    write_json(out,
               run_description{label, scenario, opt.connections, opt.threads, steps[i].offered},
               steps[i].result);
    out << "}";
  }
  out << "]}\n";
}

}  // namespace billd::bench
