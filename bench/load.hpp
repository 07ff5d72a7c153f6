#pragma once
// The load of billd-bench: N keep-alive connections spread over T threads (one io_context
// each). Closed loop: every connection sends its next request as soon as the answer to the
// last one arrived. Open loop (rate > 0): requests are due at a fixed total rate and latency
// counts from when each was due (bench/schedule.hpp); a scenario's lanes (scenario.hpp) then
// get their own connections and rates unless shared_connections. Only requests due or sent
// inside the measuring window (after the warm-up) count.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/scenario.hpp"
#include "bench/stall_probe.hpp"
#include "domain/latency_histogram.hpp"

namespace billd::bench {

struct load_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  // Split open loop: the connections of the P0 lane go here when set (billd's
  // http.ops_listen), as a health checker pointed at the ops listener would.
  std::string p0_host;
  std::uint16_t p0_port = 0;
  int connections = 64;
  int threads = 2;
  std::chrono::milliseconds warmup{2'000};
  std::chrono::milliseconds duration{10'000};
  std::chrono::milliseconds timeout{10'000};  // per request; a timeout is an error
  std::string token;                          // bearer token ("" : none)
  double rate = 0;                            // requests/s in all; 0: closed loop
  bool shared_connections = false;            // open loop: lanes share every connection
  std::uint64_t seed = 1;
};

/// Histograms hold microseconds; reports show milliseconds.
inline double to_ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

struct class_result {
  latency_histogram latency;              // every answered request of the class
  latency_histogram shed_latency;         // the 503 answers only
  latency_histogram shed_round_trip;      // the 503 answers, from when each was written:
                                          // billd's part, without a late lane's backlog
  std::map<int, std::uint64_t> statuses;  // status → count
};

struct load_result {
  std::array<class_result, priority_count> classes;
  std::map<std::string, std::uint64_t> errors;  // kind (connect, read, timeout…) → count
  double seconds = 0;                           // measuring window
  double client_cpu_seconds = 0;                // user + system of billd-bench in that window
  std::vector<latency_histogram> per_second;    // answers by the second they arrived in
  std::vector<double> lane_shares;         // a mixed scenario's lanes: their shares of the load
  std::vector<int> lane_connections;       // each class's own connections in a split open loop
  std::optional<gap_tally> machine_probe;  // open loop: the stall probe's tally

  std::uint64_t answered() const;
  std::uint64_t with_status(int lo, int hi) const;  // answers with lo ≤ status ≤ hi
  latency_histogram all_latency() const;
};

load_result run_load(const load_options& opt, scenario& sc);

}  // namespace billd::bench
