#pragma once
// A real gateway-sim process for integration tests: started on 127.0.0.1:0, steered through
// its /sim/control route, killed when the test ends.

#include <string>

#include "config/settings.hpp"

namespace billd::test {

/// The secrets tests use: billd signs with `out` (the sim checks it), the sim with `in`.
inline constexpr const char* gateway_secret_out = "billd-to-gateway-secret-for-tests";
inline constexpr const char* gateway_secret_in = "gateway-to-billd-secret-for-tests";

class gateway_sim_process {
 public:
  /// Starts `binary serve` with extra flags (e.g. "--mode async").
  explicit gateway_sim_process(const std::string& extra_flags = "");
  ~gateway_sim_process();
  gateway_sim_process(const gateway_sim_process&) = delete;
  gateway_sim_process& operator=(const gateway_sim_process&) = delete;

  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT
  /// POST /sim/control with a JSON object of knobs; throws when refused.
  void control(const std::string& knobs_json) const;
  /// GET /sim/stats: one counter, 0 when absent.
  long stat(const std::string& name) const;
  /// Points s at this gateway with the test secrets and fast job schedules.
  void configure(settings& s) const;

 private:
  int pid_ = -1;
  std::string url_;
};

}  // namespace billd::test
