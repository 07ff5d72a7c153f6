#pragma once
// gateway-sim's HTTP side: the gateway routes of API.md, one thread per connection (a
// simulator for tests and benches, not a production server), plus /sim/control and /sim/stats.

#include <string>
#include <vector>

#include "tools/gateway_sim/sim_state.hpp"

namespace billd::sim {

struct server_options {
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> secrets_in;  // what billd signs with (current, previous)
  std::string secret_out;               // what the sim signs callbacks with
  std::string billd_url;                // where callbacks go when a request names none
  std::string tls_cert, tls_key;        // PEM files: serve https instead of http
};

/// Serves until the process is killed; prints "gateway-sim listening on http://H:P" first.
int serve(const server_options& opts, sim_state& state);

}  // namespace billd::sim
