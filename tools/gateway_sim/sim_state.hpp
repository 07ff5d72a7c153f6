#pragma once
// What gateway-sim remembers and how it misbehaves: control numbers per bill (its idempotency),
// withdrawals, counters, and the knobs set by flags or by POST /sim/control at run time.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace billd::sim {

enum class answer_mode { sync, async };
enum class error_kind { server_error, too_many, reset, hang };

/// The behaviour knobs (API.md's gateway-sim flags).
struct knobs {
  answer_mode mode = answer_mode::sync;
  std::uint32_t latency_min_ms = 0;
  std::uint32_t latency_max_ms = 0;
  double error_rate = 0.0;
  error_kind errors = error_kind::server_error;
  bool duplicate_callbacks = false;
  bool refuse = false;  // answer new control-number requests with a final 422
};

/// Parses "N" or "A-B" into a latency range; false when malformed.
bool parse_latency(const std::string& text, knobs& k);
/// Parses "5xx|429|reset|hang"; false otherwise.
bool parse_error_kind(const std::string& text, error_kind& out);

/// Shared by every connection thread.
class sim_state {
 public:
  explicit sim_state(knobs k) : knobs_(k) {}

  knobs current() const;
  void set(const knobs& k);

  /// The control number of bill_id, created on first request (idempotency on bill_id).
  std::string control_number_for(const std::string& bill_id);
  /// Marks cn withdrawn; false when no such control number was issued.
  bool withdraw(const std::string& cn);

  /// Draws whether this request fails, and the latency to apply.
  bool draw_error();
  std::uint32_t draw_latency_ms();

  void count(const std::string& what);
  std::string stats_json() const;

 private:
  mutable std::mutex mu_;
  knobs knobs_;
  std::map<std::string, std::string> by_bill_;
  std::map<std::string, bool> withdrawn_;  // cn → withdrawn
  std::map<std::string, std::uint64_t> counters_;
  std::uint64_t next_ = 1;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace billd::sim
