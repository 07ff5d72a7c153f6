#include "bench/scenario.hpp"

#include <array>
#include <chrono>

#include "domain/signature.hpp"

namespace billd::bench {
namespace {

/// Differs per billd-bench process, so Idempotency-Keys of two runs never meet.
const std::string& run_nonce() {
  static const std::string nonce = std::to_string(std::random_device{}());
  return nonce;
}

request_spec health() { return {"GET", "/health/live", {}, {}, priority::p0, {}}; }

request_spec get_bill(const scenario_inputs& in, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, in.bill_ids.size() - 1);
  return {"GET", "/api/v1/bills/" + in.bill_ids[pick(rng)], {}, {}, priority::p2, {}};
}

request_spec post_bill(const scenario_inputs& in, std::uint64_t seq) {
  request_spec r{"POST", "/api/v1/bills", bill_body(seq), {}, priority::p1, {}};
  if (in.idempotency) r.idempotency_key = "bench-" + run_nonce() + "-" + std::to_string(seq);
  return r;
}

/// A signed notification of a small payment to one of the issued control numbers, with a
/// transaction ref never used before: each is recorded and applied (the bill stays payable).
request_spec payment(const scenario_inputs& in, std::mt19937_64& rng, std::uint64_t seq) {
  std::uniform_int_distribution<std::size_t> pick(0, in.control_numbers.size() - 1);
  auto body = payment_body(in.control_numbers[pick(rng)],
                           "bench-" + run_nonce() + "-" + std::to_string(seq));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto signature = sign_request(in.gateway_secret, now, "POST", payment_path, body);
  return {"POST", payment_path, std::move(body), {}, priority::p1, std::move(signature)};
}

/// Calls `make` for each request: one function object per scenario kind.
template <class Make>
class simple_scenario final : public scenario {
 public:
  simple_scenario(Make make, bool bills, bool token, bool numbers)
      : make_(make), bills_(bills), token_(token), numbers_(numbers) {}
  request_spec next(std::mt19937_64& rng, std::uint64_t seq) override { return make_(rng, seq); }
  bool needs_bills() const override { return bills_; }
  bool needs_token() const override { return token_; }
  bool needs_control_numbers() const override { return numbers_; }

 private:
  Make make_;
  bool bills_, token_, numbers_;
};

template <class Make>
std::unique_ptr<scenario> simple(Make make, bool bills, bool token = true, bool numbers = false) {
  return std::make_unique<simple_scenario<Make>>(make, bills, token, numbers);
}

/// The overload scenario's lanes (health, creates, reads) in percent of its requests: next()
/// rolls by them, lane_shares() reports them.
constexpr std::array<std::uint64_t, 3> overload_percent{10, 30, 60};

}  // namespace

const char* to_string(priority p) {
  switch (p) {
    case priority::p0:
      return "P0";
    case priority::p1:
      return "P1";
    case priority::p2:
      return "P2";
  }
  return "P2";
}

std::string bill_body(std::uint64_t seq) {
  return R"({"payer":{"name":"Bench Payer","phone":"+255712345678"},"amount":")" +
         std::to_string(1000 + seq % 900'000) +
         R"(.00","currency":"TZS","description":"Bench bill","due_date":"2099-12-31",)"
         R"("reference":"bench-)" +
         std::to_string(seq) + "\"}";
}

std::string payment_body(const std::string& cn, const std::string& ref) {
  return R"({"control_number":")" + cn + R"(","transaction_ref":")" + ref +
         R"(","amount":"1.00","currency":"TZS","paid_at":"2026-11-20T10:00:00Z",)"
         R"("channel":"mobile"})";
}

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names{"health",  "get_bill", "post_bill",
                                              "payment", "list",     "list_deep",
                                              "metrics", "mixed",    "overload"};
  return names;
}

std::unique_ptr<scenario> make_scenario(const std::string& name, const scenario_inputs& in) {
  if (name == "health")
    return simple([](std::mt19937_64&, std::uint64_t) { return health(); }, false, false);
  if (name == "get_bill")
    return simple([&in](std::mt19937_64& rng, std::uint64_t) { return get_bill(in, rng); }, true);
  if (name == "post_bill")
    return simple([&in](std::mt19937_64&, std::uint64_t seq) { return post_bill(in, seq); }, false);
  if (name == "payment")  // the gateway's signed notifications need no bearer token
    return simple([&in](std::mt19937_64& rng, std::uint64_t seq) { return payment(in, rng, seq); },
                  true, true, true);
  if (name == "list")  // the newest page of bills
    return simple(
        [](std::mt19937_64&, std::uint64_t) {
          return request_spec{"GET", "/api/v1/bills?limit=20", {}, {}, priority::p2, {}};
        },
        false);
  if (name == "list_deep") {  // a page far down the list (--list-depth pages)
    struct deep final : scenario {
      explicit deep(const scenario_inputs& in) : in_(in) {}
      request_spec next(std::mt19937_64&, std::uint64_t) override {
        return {"GET", "/api/v1/bills?limit=20&cursor=" + in_.deep_cursor, {}, {}, priority::p2,
                {}};
      }
      bool needs_deep_cursor() const override { return true; }
      const scenario_inputs& in_;
    };
    return std::make_unique<deep>(in);
  }
  if (name == "metrics")  // a Prometheus scrape: figures gathered from every owner (P0)
    return simple(
        [](std::mt19937_64&, std::uint64_t) {
          return request_spec{"GET", "/metrics", {}, {}, priority::p0, {}};
        },
        false, false);
  if (name == "mixed")
    return simple(
        [&in](std::mt19937_64& rng, std::uint64_t seq) {
          return static_cast<int>(rng() % 100) < in.read_pct ? get_bill(in, rng)
                                                             : post_bill(in, seq);
        },
        true);
  if (name == "overload") {  // every class at once: 10 % health, 30 % writes, 60 % reads
    struct overload final : scenario {
      explicit overload(const scenario_inputs& in) : in_(in) {}
      request_spec next(std::mt19937_64& rng, std::uint64_t seq) override {
        auto roll = rng() % 100;
        auto lane = roll < overload_percent[0]                         ? 0
                    : roll < overload_percent[0] + overload_percent[1] ? 1
                                                                       : 2;
        return next_in_lane(lane, rng, seq);
      }
      std::vector<double> lane_shares() const override {
        std::vector<double> shares;
        for (auto p : overload_percent) shares.push_back(static_cast<double>(p) / 100);
        return shares;
      }
      request_spec next_in_lane(std::size_t lane, std::mt19937_64& rng,
                                std::uint64_t seq) override {
        if (lane == 0) return health();
        return lane == 1 ? post_bill(in_, seq) : get_bill(in_, rng);
      }
      bool needs_bills() const override { return true; }
      const scenario_inputs& in_;
    };
    return std::make_unique<overload>(in);
  }
  return nullptr;
}

}  // namespace billd::bench
