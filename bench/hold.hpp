#pragma once
// Idle keep-alive connections for memory figures: each connection sends one request, reads
// the answer and then stays open and silent. Connections are spread over loopback source
// addresses (127.0.0.2 and up), `per_address` each, since billd bounds connections per IP.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace billd::bench {

struct hold_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int connections = 10'000;
  int per_address = 200;
  std::chrono::seconds hold{10};
};

/// Opens the connections, calls `holding(open)` once they are all answered (or failed), keeps
/// them for `hold`, then closes them; returns how many were open and answered.
int hold_idle_connections(const hold_options& opt, const std::function<void(int)>& holding);

}  // namespace billd::bench
