#pragma once
// What billd-bench does before measuring, over one plain connection: log in and seed bills.

#include <cstdint>
#include <string>
#include <vector>

namespace billd::bench {

struct target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
};

/// POST /api/v1/auth/login; the bearer token, or throws with billd's answer.
std::string login(const target& t, const std::string& user, const std::string& password);

/// Creates n bills (POST /api/v1/bills) and returns their ids; throws on a refusal.
std::vector<std::string> seed_bills(const target& t, const std::string& token, std::size_t n);

}  // namespace billd::bench
