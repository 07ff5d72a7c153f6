#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace billd {

/// Where a bill is in its lifecycle (API.md "Bills"). Stored and sent as to_string's text.
enum class bill_status { pending, issued, partially_paid, paid, cancelled, expired, failed };

/// The wire and database name: "pending", "issued", "partially_paid", "paid", "cancelled",
/// "expired", "failed".
std::string_view to_string(bill_status s);

/// The status named by text (exact, lower case), or nullopt for any other text.
std::optional<bill_status> parse_bill_status(std::string_view text);

/// True for paid, cancelled, expired and failed: states nothing leaves.
bool is_final(bill_status s);

/// The lifecycle of API.md: pending→issued→partially_paid→paid; pending|issued→cancelled;
/// pending|issued|partially_paid→expired; pending→failed; issued→paid and
/// partially_paid→partially_paid/paid (payments). Nothing leaves paid, cancelled, expired or
/// failed.
bool can_transition(bill_status from, bill_status to);

/// What a cancel request does to a bill in a given status.
enum class cancel_decision {
  cancel,             ///< move the bill to cancelled
  already_cancelled,  ///< nothing to do; answer 200 with the bill (idempotent)
  conflict            ///< the state forbids it; answer 409
};

/// pending|issued → cancel; cancelled → already_cancelled (idempotent 200); others → conflict
/// (409).
cancel_decision decide_cancel(bill_status s);

/// Status after a payment of `paid_after` total minor units on a bill of `amount`: paid once the
/// total covers the amount (overpayment included), else partially_paid.
bill_status status_after_payment(std::int64_t amount, std::int64_t paid_after);

}  // namespace billd
