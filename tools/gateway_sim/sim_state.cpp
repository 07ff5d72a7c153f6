#include "tools/gateway_sim/sim_state.hpp"

#include <charconv>
#include <cstdio>

namespace billd::sim {

bool parse_latency(const std::string& text, knobs& k) {
  auto parse = [](std::string_view s, std::uint32_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
  };
  auto dash = text.find('-');
  std::string_view v{text};
  if (dash == std::string::npos) {
    if (!parse(v, k.latency_min_ms)) return false;
    k.latency_max_ms = k.latency_min_ms;
    return true;
  }
  return parse(v.substr(0, dash), k.latency_min_ms) &&
         parse(v.substr(dash + 1), k.latency_max_ms) && k.latency_min_ms <= k.latency_max_ms;
}

bool parse_error_kind(const std::string& text, error_kind& out) {
  if (text == "5xx") out = error_kind::server_error;
  else if (text == "429") out = error_kind::too_many;
  else if (text == "reset") out = error_kind::reset;
  else if (text == "hang") out = error_kind::hang;
  else return false;
  return true;
}

knobs sim_state::current() const {
  std::lock_guard lock{mu_};
  return knobs_;
}

void sim_state::set(const knobs& k) {
  std::lock_guard lock{mu_};
  knobs_ = k;
}

std::string sim_state::control_number_for(const std::string& bill_id) {
  std::lock_guard lock{mu_};
  auto it = by_bill_.find(bill_id);
  if (it != by_bill_.end()) return it->second;
  char buf[16];
  std::snprintf(buf, sizeof buf, "99%010llu", static_cast<unsigned long long>(next_++));
  by_bill_.emplace(bill_id, buf);
  withdrawn_.emplace(buf, false);
  ++counters_["issued"];
  return buf;
}

bool sim_state::withdraw(const std::string& cn) {
  std::lock_guard lock{mu_};
  auto it = withdrawn_.find(cn);
  if (it == withdrawn_.end()) return false;
  it->second = true;
  return true;
}

bool sim_state::draw_error() {
  std::lock_guard lock{mu_};
  if (knobs_.error_rate <= 0) return false;
  return std::uniform_real_distribution<double>{0, 1}(rng_) < knobs_.error_rate;
}

std::uint32_t sim_state::draw_latency_ms() {
  std::lock_guard lock{mu_};
  return std::uniform_int_distribution<std::uint32_t>{knobs_.latency_min_ms,
                                                      knobs_.latency_max_ms}(rng_);
}

void sim_state::count(const std::string& what) {
  std::lock_guard lock{mu_};
  ++counters_[what];
}

std::string sim_state::stats_json() const {
  std::lock_guard lock{mu_};
  std::string out = "{";
  for (const auto& [k, v] : counters_) {
    if (out.size() > 1) out += ',';
    out += "\"" + k + "\":" + std::to_string(v);
  }
  std::size_t withdrawn = 0;
  for (const auto& [cn, w] : withdrawn_) withdrawn += w ? 1 : 0;
  if (out.size() > 1) out += ',';
  out += "\"bills\":" + std::to_string(by_bill_.size()) +
         ",\"withdrawn\":" + std::to_string(withdrawn) + "}";
  return out;
}

}  // namespace billd::sim
