#include "domain/performance_level.hpp"

#include <algorithm>
#include <array>

namespace billd {
namespace {

struct band {
  double error_rate_pct;  // below this…
  double avg_ms;          // …and below this
  performance_level level;
};

constexpr std::array bands{
    band{0.1, 50, performance_level::excellent},
    band{1, 200, performance_level::good},
    band{5, 1'000, performance_level::fair},
    band{20, 5'000, performance_level::poor},
};

}  // namespace

performance_level performance_of(double error_rate_pct, double avg_ms) {
  for (const auto& b : bands)
    if (error_rate_pct < b.error_rate_pct && avg_ms < b.avg_ms) return b.level;
  return performance_level::critical;
}

std::string_view to_string(performance_level l) {
  switch (l) {
    case performance_level::excellent:
      return "excellent";
    case performance_level::good:
      return "good";
    case performance_level::fair:
      return "fair";
    case performance_level::poor:
      return "poor";
    case performance_level::critical:
      return "critical";
  }
  return "critical";
}

}  // namespace billd
