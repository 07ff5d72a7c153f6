#pragma once
// The service's performance level (API.md GET /api/v1/metrics), from the error rate and the
// average response time over the last five minutes. Bands (the worse of the two decides):
//
//   level       error rate   average response
//   excellent   < 0.1 %      < 50 ms
//   good        < 1 %        < 200 ms
//   fair        < 5 %        < 1 000 ms
//   poor        < 20 %       < 5 000 ms
//   critical    otherwise
//
// No requests in the window is "excellent": nothing is failing.

#include <string_view>

namespace billd {

enum class performance_level { excellent, good, fair, poor, critical };

performance_level performance_of(double error_rate_pct, double avg_ms);

std::string_view to_string(performance_level l);

}  // namespace billd
