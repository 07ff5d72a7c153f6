#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/civil_time.hpp"
#include "domain/field_error.hpp"
#include "domain/money.hpp"

namespace billd {

/// The payer object of a bill create request as decoded from JSON; a field is nullopt when absent
/// (or when the JSON codec already reported a type error for it).
struct payer_input {
  /// payer.name, payer.phone, payer.email exactly as received (not trimmed).
  std::optional<std::string> name, phone, email;
};

/// A bill create request as decoded from JSON: a field is nullopt when absent (or when the JSON
/// codec already reported a type error for it in the errors list).
struct bill_draft_input {
  /// The payer's fields; meaningful only when payer_present.
  payer_input payer;
  /// True when the request carried a "payer" JSON object.
  bool payer_present = false;
  /// The remaining top-level fields, as received.
  std::optional<std::string> amount, currency, description, due_date, reference;
};

/// A validated bill draft.
struct bill_draft {
  /// 1–200 code points, no control characters.
  std::string payer_name;
  /// E.164, e.g. "+255712345678".
  std::string payer_phone;
  /// A plausible email address when given.
  std::optional<std::string> payer_email;
  /// In (0, amount_minor_limit) minor units of currency.
  std::int64_t amount_minor = 0;
  /// An accepted currency code.
  std::string currency;
  /// ISO 4217 exponent of currency, kept so the amount can be formatted without the set.
  int currency_exponent = 0;
  /// 1–500 code points; \n and \t allowed.
  std::string description;
  /// A real calendar day; whether it lies in the past is decided by the database.
  civil_date due_date{};
  /// 1–64 code points when given.
  std::optional<std::string> reference;
};

/// Length bounds of bill text fields in code points (API.md "strings").
inline constexpr std::size_t payer_name_length_max = 200;
/// See payer_name_length_max.
inline constexpr std::size_t description_length_max = 500;
/// See payer_name_length_max.
inline constexpr std::size_t reference_length_max = 64;

/// Validates every field per API.md "strings"/"money"/"currency" rules; appends one field_error per
/// invalid field to errors (field names: "payer", "payer.name", "payer.phone", "payer.email",
/// "amount", "currency", "description", "due_date", "reference"), skipping fields that already have
/// an error in `errors` (type errors found by the codec). Required: payer (object), payer.name,
/// payer.phone, amount, currency, description, due_date; optional: payer.email, reference (an empty
/// reference is invalid: "must be 1 to 64 characters"). When the currency is missing or not
/// accepted only currency is reported, not the amount's format (it depends on the exponent); a
/// missing amount is still reported. Whether due_date lies in the past is NOT checked here (the
/// database checks it in the billing time zone); only its format. Returns the draft when errors
/// (after the call) is empty, else nullopt.
std::optional<bill_draft> validate_bill_draft(const bill_draft_input& in,
                                              const currency_set& currencies, field_errors& errors);

}  // namespace billd
