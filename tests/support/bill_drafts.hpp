#pragma once
// A bill draft that passes every rule, for tests that write bills below the HTTP layer.

#include <cstdint>
#include <string>

#include "domain/bill_draft.hpp"

namespace billd::test {

/// A valid draft in TZS; a test sets the fields it is about.
inline bill_draft valid_draft(std::string description, std::int64_t amount_minor = 1000,
                              civil_date due = {2999, 1, 1}) {
  bill_draft d;
  d.payer_name = "Payer";
  d.payer_phone = "+255712345678";
  d.amount_minor = amount_minor;
  d.currency = "TZS";
  d.currency_exponent = 2;
  d.description = std::move(description);
  d.due_date = due;
  return d;
}

}  // namespace billd::test
