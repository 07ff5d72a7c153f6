#pragma once
// What billd-bench does before measuring, over one plain connection: log in and seed bills.

#include <chrono>
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

/// The cursor of page `pages` + 1 of GET /api/v1/bills?limit=20, following next_cursor from
/// the first page; throws when the list is shorter.
std::string walk_cursor(const target& t, const std::string& token, int pages);

/// The control numbers of `bill_ids`, asking again (GET …/control-number answers 202 while
/// the gateway works) until each is issued; throws after `limit` or on a refusal.
std::vector<std::string> await_control_numbers(const target& t, const std::string& token,
                                               const std::vector<std::string>& bill_ids,
                                               std::chrono::seconds limit);

}  // namespace billd::bench
