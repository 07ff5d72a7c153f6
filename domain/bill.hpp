#pragma once
// A bill as stored and as clients see it.

#include <cstdint>
#include <optional>
#include <string>

#include "domain/bill_status.hpp"

namespace billd {

/// One bill. Times are RFC 3339 UTC text produced by the database clock.
struct bill {
  std::string id;
  bill_status status = bill_status::pending;
  std::int64_t amount = 0;
  std::int64_t paid_amount = 0;
  std::string currency;
  int currency_exponent = 0;
  std::string description;
  std::string due_date;
  std::string expires_at;
  std::optional<std::string> reference;
  std::string payer_name;
  std::string payer_phone;
  std::optional<std::string> payer_email;
  std::optional<std::string> control_number;
  std::optional<std::string> failure_reason;
  std::string created_by;
  std::string created_at;
  std::string updated_at;
  std::int64_t version = 0;
};

/// The bill JSON of API.md.
std::string bill_json(const bill& b);

/// The compact list form: id, status, amount, paid_amount, currency, control_number,
/// reference, created_at.
std::string bill_summary_json(const bill& b);

}  // namespace billd
