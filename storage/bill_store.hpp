#pragma once
// Bills in PostgreSQL. Every function runs on a connection the caller owns; the ones that
// change a bill expect to run inside the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "domain/bill.hpp"
#include "domain/bill_draft.hpp"

namespace billd {

class pg_connection;

/// Filters of GET /api/v1/bills; each one matches exactly.
struct bill_filter {
  std::optional<bill_status> status;
  std::optional<std::string> payer_phone;
  std::optional<std::string> reference;
  std::optional<std::string> created_from;  // RFC 3339, inclusive
  std::optional<std::string> created_to;    // RFC 3339, exclusive
};

/// One page of a keyset walk (newest first).
struct bill_page {
  std::vector<bill> items;
  bool more = false;
};

/// Reads one bill; nullopt when it does not exist.
std::optional<bill> find_bill(pg_connection& conn, const std::string& id);

/// Reads one bill and locks its row until the transaction ends.
std::optional<bill> lock_bill(pg_connection& conn, const std::string& id);

/// Bills matching filter with id < before_id (when given), newest first, at most limit.
bill_page list_bills(pg_connection& conn, const bill_filter& filter,
                     const std::optional<std::string>& before_id, int limit);

/// Inserts a new pending bill with its control-number job; nullopt when due_date is already
/// in the past in `timezone`.
std::optional<bill> insert_bill(pg_connection& conn, const std::string& id, const bill_draft& d,
                                const std::string& created_by, const std::string& timezone);

/// Moves a bill to `to` when its version is still `expected_version`; nullopt when another
/// writer got there first.
std::optional<bill> set_bill_status(pg_connection& conn, const std::string& id,
                                    std::int64_t expected_version, bill_status to);

/// Appends an audit row (changes is a JSON object of {field:{before,after}}).
void record_audit(pg_connection& conn, const std::string& entity_type, const std::string& entity_id,
                  const std::string& action, const std::string& actor,
                  const std::string& changes_json);

}  // namespace billd
