#pragma once
// A rising open-loop run: the same scenario at several rates, multiples of a peak (measured
// first with a closed loop unless given), to see goodput, shedding and each priority class's
// latency as the offered load passes saturation. The peak's closed loop runs on fewer
// connections than the steps: a closed loop on more connections than billd admits is itself
// an overload, and its 2xx count is goodput while shedding, not the peak.

#include <ostream>
#include <string>
#include <vector>

#include "bench/load.hpp"
#include "bench/plot.hpp"

namespace billd::bench {

/// Parses "0.5,1,2,4" (positive multiples); throws std::invalid_argument.
std::vector<double> parse_multiples(const std::string& text);

/// The rate the steps are multiples of, and how it was found.
struct ramp_peak {
  double rate = 0;             // 2xx answers/s
  int connections = 0;         // of the closed loop that measured it; 0: given (--peak)
  double shed_per_second = 0;  // 503s of that closed loop: above 0, it was no peak
};

/// Runs one open-loop step per multiple of `peak` (each with opt's warm-up and duration).
std::vector<load_step> run_ramp(load_options opt, scenario& sc, double peak,
                                const std::vector<double>& multiples);

/// One line per step: offered, answered, goodput, shed and p99 by class.
void print_ramp(std::ostream& out, const ramp_peak& peak, const std::vector<load_step>& steps);

/// {"peak":…,"peak_connections":…,"peak_shed_per_s":…,"p0_on_ops_listener":…,
///  "steps":[{"offered":…,"run":<write_json of the step>},…]}
void write_ramp_json(std::ostream& out, const std::string& label, const std::string& scenario,
                     const load_options& opt, const ramp_peak& peak,
                     const std::vector<load_step>& steps);

}  // namespace billd::bench
