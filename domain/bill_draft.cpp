#include "domain/bill_draft.hpp"

#include <string_view>
#include <utility>

#include "domain/text_rules.hpp"

namespace billd {
namespace {

constexpr std::string_view required_message = "is required";

// Tells whether a field's value should be checked: false when the codec already reported the
// field (one error per field is enough) or when it is absent, reported here if required.
bool present_or_report(const std::optional<std::string>& value, bool required,
                       std::string_view field, field_errors& errors) {
  if (has_error_for(errors, field)) return false;
  if (value) return true;
  if (required) errors.push_back({std::string(field), std::string(required_message)});
  return false;
}

void add_error(field_errors& errors, std::string_view field, std::string message) {
  errors.push_back({std::string(field), std::move(message)});
}

void check_text_field(const std::optional<std::string>& value, bool required,
                      std::string_view field, std::size_t min, std::size_t max,
                      bool allow_newline_tab, field_errors& errors) {
  if (!present_or_report(value, required, field, errors)) return;
  if (auto message = check_text(*value, min, max, allow_newline_tab)) {
    add_error(errors, field, std::move(*message));
  }
}

std::string accepted_currencies_message(const currency_set& currencies) {
  std::string message = "must be one of";
  const char* separator = " ";
  for (const auto& c : currencies.all()) {
    message += separator;
    message += c.code;
    separator = ", ";
  }
  return message;
}

void check_payer(const bill_draft_input& in, field_errors& errors) {
  if (has_error_for(errors, "payer")) return;
  if (!in.payer_present) {
    add_error(errors, "payer", std::string(required_message));
    return;
  }
  check_text_field(in.payer.name, true, "payer.name", 1, payer_name_length_max, false, errors);
  if (present_or_report(in.payer.phone, true, "payer.phone", errors) &&
      !is_e164_phone(*in.payer.phone)) {
    add_error(errors, "payer.phone", "must be an E.164 phone number such as +255712345678");
  }
  if (present_or_report(in.payer.email, false, "payer.email", errors) &&
      !is_plausible_email(*in.payer.email)) {
    add_error(errors, "payer.email", "must be an email address");
  }
}

// Checks currency then amount; returns the accepted currency (nullptr when it is not).
const currency* check_money(const bill_draft_input& in, const currency_set& currencies,
                            field_errors& errors, std::int64_t& amount_minor) {
  const currency* found = nullptr;
  if (present_or_report(in.currency, true, "currency", errors)) {
    found = currencies.find(*in.currency);
    if (found == nullptr) add_error(errors, "currency", accepted_currencies_message(currencies));
  }
  if (!present_or_report(in.amount, true, "amount", errors) || found == nullptr) return found;
  std::string message;
  if (auto minor = parse_amount(*in.amount, found->exponent, message)) {
    amount_minor = *minor;
  } else {
    add_error(errors, "amount", std::move(message));
  }
  return found;
}

}  // namespace

std::optional<bill_draft> validate_bill_draft(const bill_draft_input& in,
                                              const currency_set& currencies,
                                              field_errors& errors) {
  bill_draft draft;
  check_payer(in, errors);
  const currency* cur = check_money(in, currencies, errors, draft.amount_minor);
  check_text_field(in.description, true, "description", 1, description_length_max, true, errors);
  std::optional<civil_date> due;
  if (present_or_report(in.due_date, true, "due_date", errors)) {
    due = parse_civil_date(*in.due_date);
    if (!due) add_error(errors, "due_date", "must be a calendar date in the form YYYY-MM-DD");
  }
  check_text_field(in.reference, false, "reference", 0, reference_length_max, false, errors);
  // Pre-existing codec errors also make the request invalid, hence the check of the whole list.
  if (!errors.empty()) return std::nullopt;
  draft.payer_name = *in.payer.name;
  draft.payer_phone = *in.payer.phone;
  draft.payer_email = in.payer.email;
  draft.currency = cur->code;
  draft.currency_exponent = cur->exponent;
  draft.description = *in.description;
  draft.due_date = *due;
  draft.reference = in.reference;
  return draft;
}

}  // namespace billd
