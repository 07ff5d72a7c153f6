#include "domain/thresholds.hpp"

#include "domain/json_text.hpp"

namespace billd {

std::string thresholds_json(const alert_thresholds& t) {
  json_object o;
  o.real("error_rate_pct", t.error_rate_pct)
      .num("avg_response_ms", t.avg_response_ms)
      .num("slow_requests", t.slow_requests)
      .num("active_sessions", t.active_sessions)
      .num("cooldown_s", t.cooldown_s);
  return o.finish();
}

}  // namespace billd
