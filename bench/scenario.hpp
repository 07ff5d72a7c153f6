#pragma once
// What billd-bench sends: each scenario makes the next request of a connection. Requests carry
// a priority class (API.md: P0 health, P1 writes, P2 reads) so results are reported per class.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace billd::bench {

enum class priority : std::uint8_t { p0, p1, p2 };
inline constexpr int priority_count = 3;
const char* to_string(priority p);

struct request_spec {
  const char* method = "GET";
  std::string target;
  std::string body;             // JSON when not empty
  std::string idempotency_key;  // sent when not empty
  priority cls = priority::p2;
  std::string signature;  // X-Signature, sent when not empty (gateway notifications)
};

/// What the scenarios share: the bills seeded before measuring and the knobs.
struct scenario_inputs {
  std::vector<std::string> bill_ids;
  std::vector<std::string> control_numbers;  // payment: of the seeded bills, once issued
  std::string gateway_secret;                // payment: signs notifications as the gateway does
  std::string deep_cursor;                   // list_deep: the cursor of a page far down
  bool idempotency = false;                  // post_bill: send an Idempotency-Key
  int read_pct = 90;                         // mixed: share of reads
};

class scenario {
 public:
  virtual ~scenario() = default;
  /// The next request; `seq` is unique across all connections of the run.
  virtual request_spec next(std::mt19937_64& rng, std::uint64_t seq) = 0;
  /// Whether the run must seed bills first.
  virtual bool needs_bills() const { return false; }
  /// Whether the seeded bills must have their control numbers first.
  virtual bool needs_control_numbers() const { return false; }
  /// Whether the run must walk the bill list first for a deep page's cursor.
  virtual bool needs_deep_cursor() const { return false; }
  /// Whether requests need a bearer token.
  virtual bool needs_token() const { return true; }
  /// A scenario that mixes classes has a lane per class, each with its share of the load. In
  /// the open loop each lane gets connections of its own, as separate clients would have: a
  /// health probe does not wait behind a create on one HTTP/1.1 connection. One lane (the
  /// default): every connection sends what next() makes.
  virtual std::vector<double> lane_shares() const { return {1.0}; }
  /// The next request of lane `lane` (next() picks lanes by their shares).
  virtual request_spec next_in_lane(std::size_t /*lane*/, std::mt19937_64& rng, std::uint64_t seq) {
    return next(rng, seq);
  }
};

/// health, get_bill, post_bill, payment, list, list_deep, metrics, mixed, overload; nullptr for an
/// unknown name.
std::unique_ptr<scenario> make_scenario(const std::string& name, const scenario_inputs& in);

/// The names make_scenario knows.
const std::vector<std::string>& scenario_names();

/// A valid bill create body, made unique by `seq`.
std::string bill_body(std::uint64_t seq);

/// The path gateway payment notifications are sent to.
inline constexpr const char* payment_path = "/api/v1/gateway/payments";

/// A payment notification of 1.00 TZS for control number `cn` with transaction ref `ref`.
std::string payment_body(const std::string& cn, const std::string& ref);

}  // namespace billd::bench
