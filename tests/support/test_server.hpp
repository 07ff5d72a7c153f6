#pragma once
// An in-process billd on a fresh database of the test cluster, listening on 127.0.0.1:0.

#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "app/server.hpp"
#include "config/settings.hpp"
#include "tests/support/http_client.hpp"

namespace billd::test {

/// The admin password every test server starts with.
inline constexpr const char* admin_password = "admin-password-for-tests";

/// Settings for tests: fast password hashing, a fresh database, port 0, a temp data dir.
settings test_settings();

/// A running server and helpers to call it.
class test_server {
 public:
  explicit test_server(const std::function<void(settings&)>& tweak = {});
  ~test_server();
  const std::string& address() const { return address_; }
  billd::server& srv() { return *server_; }
  const settings& cfg() const { return cfg_; }
  /// Sends a call and returns the reply.
  http_reply call(http_call c) const { return send(address_, c); }
  /// Logs in and returns the token (throws when login fails).
  std::string login(const std::string& username, const std::string& password) const;
  /// The admin's token (logged in once).
  std::string admin_token();
  /// Creates a user with role and returns its token.
  std::string user_token(const std::string& role);

 private:
  settings cfg_;
  std::unique_ptr<billd::server> server_;
  std::string address_;
  std::string admin_token_;
  int users_ = 0;
};

/// Holds bill `id`'s row lock for `hold` on a connection of its own, in the returned thread
/// (join it): a write of that bill waits meanwhile. Returns once the lock is held (connecting
/// may take a while on a loaded machine).
std::thread hold_bill_lock(const test_server& server, const std::string& id,
                           std::chrono::milliseconds hold);

/// Returns once a backend of the server's database waits for a lock in a statement whose text
/// contains `statement_part` (pg_stat_activity); throws when none does within ~5 s.
void wait_for_lock_wait(const test_server& server, const std::string& statement_part);

/// The value of one series of the server's /metrics now, e.g.
/// `billd_billing_batches_total{write="payment"}`; 0 when the scrape does not show it.
double scraped(const test_server& server, const std::string& series);

/// A call carrying a bearer token.
inline http_call authed(std::string token, std::string method, std::string path,
                        std::string body = {}) {
  http_call c{std::move(method), std::move(path), std::move(body)};
  c.token = std::move(token);
  return c;
}

/// Parses a reply body as JSON (an empty document on parse failure).
rapidjson::Document json_of(const http_reply& r);

/// A string member of a JSON object, or "" when absent/not a string.
std::string str_of(const rapidjson::Value& v, const char* name);

/// The problem slug of a problem+json reply ("validation-failed"), or "".
std::string problem_slug(const http_reply& r);

/// Calls `c` until it is answered `status` (e.g. while a killed actor is being restarted), at
/// most 200 times 50 ms apart; returns the last reply.
http_reply call_until(const test_server& server, const http_call& c, int status);

/// A valid bill create body (due date well in the future); `amount` and `reference` vary it.
std::string bill_body(const std::string& amount = "15000.00", const std::string& reference = "");

}  // namespace billd::test
