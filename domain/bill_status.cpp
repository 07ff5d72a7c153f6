#include "domain/bill_status.hpp"

#include <array>

namespace billd {

std::string_view to_string(bill_status s) {
  switch (s) {
    case bill_status::pending:
      return "pending";
    case bill_status::issued:
      return "issued";
    case bill_status::partially_paid:
      return "partially_paid";
    case bill_status::paid:
      return "paid";
    case bill_status::cancelled:
      return "cancelled";
    case bill_status::expired:
      return "expired";
    case bill_status::failed:
      return "failed";
  }
  // Only reachable with a value cast from outside the enum's range.
  return "invalid";
}

std::optional<bill_status> parse_bill_status(std::string_view text) {
  constexpr std::array all{
      bill_status::pending,   bill_status::issued,  bill_status::partially_paid, bill_status::paid,
      bill_status::cancelled, bill_status::expired, bill_status::failed};
  for (const auto s : all) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

bool is_final(bill_status s) {
  switch (s) {
    case bill_status::pending:
    case bill_status::issued:
    case bill_status::partially_paid:
      return false;
    case bill_status::paid:
    case bill_status::cancelled:
    case bill_status::expired:
    case bill_status::failed:
      return true;
  }
  return true;
}

bool can_transition(bill_status from, bill_status to) {
  using enum bill_status;
  switch (from) {
    case pending:
      return to == issued || to == cancelled || to == expired || to == failed;
    // A control number is needed to pay, so payments start from issued, never from pending.
    case issued:
      return to == partially_paid || to == paid || to == cancelled || to == expired;
    // Money already received cannot be cancelled away; only more payments or expiry move it.
    case partially_paid:
      return to == partially_paid || to == paid || to == expired;
    case paid:
    case cancelled:
    case expired:
    case failed:
      return false;
  }
  return false;
}

cancel_decision decide_cancel(bill_status s) {
  switch (s) {
    case bill_status::pending:
    case bill_status::issued:
      return cancel_decision::cancel;
    case bill_status::cancelled:
      return cancel_decision::already_cancelled;
    case bill_status::partially_paid:
    case bill_status::paid:
    case bill_status::expired:
    case bill_status::failed:
      return cancel_decision::conflict;
  }
  return cancel_decision::conflict;
}

bill_status status_after_payment(std::int64_t amount, std::int64_t paid_after) {
  return paid_after >= amount ? bill_status::paid : bill_status::partially_paid;
}

}  // namespace billd
