#pragma once
// Bills in PostgreSQL. Every function runs on a connection the caller owns; the ones that
// change a bill expect to run inside the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "domain/bill.hpp"
#include "domain/bill_draft.hpp"
#include "storage/audit_store.hpp"

namespace billd {

class pg_connection;
class pg_pipeline;
class pg_rows;

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

/// Reads the bills of `ids` in one statement; nullopt for one that does not exist.
std::vector<std::optional<bill>> find_bills(pg_connection& conn,
                                            const std::vector<std::string>& ids);

/// Reads one bill and locks its row until the transaction ends.
std::optional<bill> lock_bill(pg_connection& conn, const std::string& id);

/// Bills matching filter with id < before_id (when given), newest first, at most limit.
bill_page list_bills(pg_connection& conn, const bill_filter& filter,
                     const std::optional<std::string>& before_id, int limit);

/// A bill to create: its new id, what was asked for and by whom.
struct new_bill {
  std::string id;
  bill_draft draft;
  std::string created_by;
};

/// Inserts new pending bills, each with its control-number job and first audit row, in one
/// statement; the result is aligned with `bills`: nullopt for one due in the past in
/// `timezone` (not written). Throws db_error when any row breaks a constraint (then none is
/// written).
std::vector<std::optional<bill>> insert_bills(pg_connection& conn,
                                              const std::vector<new_bill>& bills,
                                              const std::string& timezone);

/// Inserts a new pending bill with its control-number job; nullopt when due_date is already
/// in the past in `timezone`.
std::optional<bill> insert_bill(pg_connection& conn, const std::string& id, const bill_draft& d,
                                const std::string& created_by, const std::string& timezone);

/// Moves a bill to `to` when its version is still `expected_version`; nullopt when another
/// writer got there first.
std::optional<bill> set_bill_status(pg_connection& conn, const std::string& id,
                                    std::int64_t expected_version, bill_status to);

/// The "data" of a bill event: {"bill":{…}}.
std::string bill_event_data(const bill& b);

/// The bills of `ids` that exist, each locked until the transaction ends, in id order (two
/// writers locking in id order cannot deadlock on each other; one locking in another order,
/// like lock_bills_by_control_numbers, can, and PostgreSQL then fails one of them); one round
/// trip.
std::vector<bill> lock_bills(pg_connection& conn, std::vector<std::string> ids);

/// What the gateway's answer changes on a bill still at `expected_version`: its control number
/// and status, or its status and failure reason.
struct bill_gateway_update {
  std::string id;
  std::int64_t expected_version = 0;
  std::optional<std::string> control_number;  // set when given
  bill_status status = bill_status::pending;
  std::optional<std::string> failure_reason;  // set when given
};

/// Applies the updates in one statement (ids distinct, bills locked by the caller); the bill
/// after each, in their order (nullopt where the version no longer matched).
std::vector<std::optional<bill>> set_bills_from_gateway(
    pg_connection& conn, const std::vector<bill_gateway_update>& updates);

/// Marks up to `limit` unpaid bills (pending, issued, partially_paid) whose due date has ended
/// as expired, each audited, withdrawing issued control numbers; the number expired.
std::vector<std::string> expire_due_bills(pg_connection& conn, std::uint32_t limit);

/// Adds to `out` the locking of the bills that carry these control numbers, each until the
/// transaction ends, in control-number order; locked_bills reads what it returns (unknown
/// numbers are left out). In a pipeline, so it shares the round trip of what goes with it.
void lock_bills_by_control_numbers(pg_pipeline& out, std::vector<std::string> control_numbers);

/// The bills a locking statement returned.
std::vector<bill> locked_bills(const pg_rows& rows);

/// A bill's new paid amount and status, if it is still at `expected_version`.
struct bill_paid_update {
  std::string id;
  std::int64_t expected_version = 0;
  std::int64_t paid_amount = 0;
  bill_status status = bill_status::pending;
};

/// Applies the updates in one statement (ids distinct, bills locked by the caller); the bill
/// after each, in their order (nullopt where the version no longer matched).
std::vector<std::optional<bill>> set_bills_paid(pg_connection& conn,
                                                const std::vector<bill_paid_update>& updates);

}  // namespace billd
