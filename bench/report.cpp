#include "bench/report.hpp"

#include <iomanip>

namespace billd::bench {
namespace {

struct percentile_label {
  double p;
  const char* name;
};
constexpr percentile_label percentiles[] = {{50, "p50"}, {90, "p90"}, {99, "p99"}, {99.9, "p99.9"}};

std::uint64_t probe_worst_micros(const load_result& r) {
  return static_cast<std::uint64_t>(r.machine_probe ? r.machine_probe->worst.count() : 0);
}

void json_latency(std::ostream& out, const latency_histogram& h) {
  out << "{\"count\":" << h.count() << ",\"mean_ms\":" << h.mean() / 1000.0;
  for (auto [p, name] : percentiles) out << ",\"" << name << "_ms\":" << to_ms(h.percentile(p));
  out << ",\"max_ms\":" << to_ms(h.max()) << "}";
}

void text_latency(std::ostream& out, const latency_histogram& h) {
  for (auto [p, name] : percentiles) out << "  " << name << " " << to_ms(h.percentile(p)) << " ms";
  out << "  max " << to_ms(h.max()) << " ms";
}

}  // namespace

void print_report(std::ostream& out, const run_description& what, const load_result& r) {
  auto rate = static_cast<double>(r.answered()) / r.seconds;
  out << std::fixed << std::setprecision(2);
  out << what.label << ": scenario " << what.scenario << ", " << what.connections
      << " connections, " << what.threads << " threads, " << r.seconds << " s, "
      << (what.rate > 0 ? "open loop at " + std::to_string(static_cast<long>(what.rate)) + "/s"
                        : std::string{"closed loop"})
      << "\n";
  out << "  throughput " << std::setprecision(0) << rate << " req/s (2xx "
      << static_cast<double>(r.with_status(200, 299)) / r.seconds << "/s)" << std::setprecision(2)
      << ", client CPU " << r.client_cpu_seconds << " s\n";
  out << "  latency";
  text_latency(out, r.all_latency());
  out << "\n";
  for (std::size_t i = 0; i < r.classes.size(); ++i) {
    const auto& c = r.classes[i];
    if (c.latency.count() == 0) continue;
    out << "  " << to_string(static_cast<priority>(i)) << ":";
    for (auto [status, count] : c.statuses) out << " " << status << "×" << count;
    out << "\n     ";
    text_latency(out, c.latency);
    if (c.shed_latency.count() > 0) {
      out << "\n     503:";
      text_latency(out, c.shed_latency);
      out << "\n     503 from its write:";
      text_latency(out, c.shed_round_trip);
    }
    out << "\n";
  }
  for (auto& [kind, count] : r.errors) out << "  errors " << kind << ": " << count << "\n";
  if (r.machine_probe)
    out << "  machine stall probe: worst wake-up " << to_ms(probe_worst_micros(r)) << " ms late, "
        << r.machine_probe->stalls << " over "
        << std::chrono::milliseconds{gap_tally::stall}.count() << " ms\n";
}

void write_json(std::ostream& out, const run_description& what, const load_result& r) {
  out << std::setprecision(6);
  out << "{\"label\":\"" << what.label << "\",\"scenario\":\"" << what.scenario
      << "\",\"connections\":" << what.connections << ",\"threads\":" << what.threads
      << ",\"rate\":" << what.rate << ",\"seconds\":" << r.seconds
      << ",\"requests\":" << r.answered()
      << ",\"throughput\":" << static_cast<double>(r.answered()) / r.seconds
      << ",\"ok_throughput\":" << static_cast<double>(r.with_status(200, 299)) / r.seconds
      << ",\"client_cpu_seconds\":" << r.client_cpu_seconds;
  if (r.machine_probe)
    out << ",\"machine_probe\":{\"worst_ms\":" << to_ms(probe_worst_micros(r))
        << ",\"stalls\":" << r.machine_probe->stalls << "}";
  out << ",\"lane_shares\":[";
  for (std::size_t i = 0; i < r.lane_shares.size(); ++i) out << (i ? "," : "") << r.lane_shares[i];
  out << "],\"lane_connections\":[";
  for (std::size_t i = 0; i < r.lane_connections.size(); ++i)
    out << (i ? "," : "") << r.lane_connections[i];
  out << "],\"latency\":";
  json_latency(out, r.all_latency());
  out << ",\"classes\":{";
  bool first = true;
  for (std::size_t i = 0; i < r.classes.size(); ++i) {
    const auto& c = r.classes[i];
    if (c.latency.count() == 0) continue;
    out << (first ? "" : ",") << "\"" << to_string(static_cast<priority>(i))
        << "\":{\"statuses\":{";
    first = false;
    bool first_status = true;
    for (auto [status, count] : c.statuses) {
      out << (first_status ? "" : ",") << "\"" << status << "\":" << count;
      first_status = false;
    }
    out << "},\"latency\":";
    json_latency(out, c.latency);
    out << ",\"shed_latency\":";
    json_latency(out, c.shed_latency);
    out << ",\"shed_round_trip\":";
    json_latency(out, c.shed_round_trip);
    out << "}";
  }
  out << "},\"errors\":{";
  first = true;
  for (auto& [kind, count] : r.errors) {
    out << (first ? "" : ",") << "\"" << kind << "\":" << count;
    first = false;
  }
  out << "}}\n";
}

}  // namespace billd::bench
