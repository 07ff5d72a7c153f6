#pragma once
// The payment-gateway log: one row per request/response of either exchange.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace billd {

class pg_connection;
class pg_pipeline;

struct gateway_log_entry {
  std::optional<std::string> bill_id;
  std::string req_type;  // control_number | withdrawal | callback | payment
  std::string status;    // issued, accepted, refused, retryable, error, rejected, ...
  std::optional<int> http_status;
  std::int64_t latency_ms = 0;
  std::int32_t attempt = 1;
  std::string detail;
  std::string created_at;  // filled when read
};

/// Writes rows in one statement, in the order given.
void insert_gateway_logs(pg_connection& conn, const std::vector<gateway_log_entry>& entries);
/// Many rows in one statement, in the order given, added to `out` to run with others in one
/// round trip.
void insert_gateway_logs(pg_pipeline& out, const std::vector<gateway_log_entry>& entries);

/// The newest `limit` rows of a bill, newest first.
std::vector<gateway_log_entry> list_gateway_log(pg_connection& conn, const std::string& bill_id,
                                                int limit);

}  // namespace billd
