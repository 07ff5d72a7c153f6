#pragma once
// How billd-bench shows a run: a text table for people, a JSON object for scripts.

#include <ostream>
#include <string>

#include "bench/load.hpp"

namespace billd::bench {

struct run_description {
  std::string label;
  std::string scenario;
  int connections = 0;
  int threads = 0;
  double rate = 0;  // open loop: the target rate; 0: closed loop
};

void print_report(std::ostream& out, const run_description& what, const load_result& r);
void write_json(std::ostream& out, const run_description& what, const load_result& r);

}  // namespace billd::bench
