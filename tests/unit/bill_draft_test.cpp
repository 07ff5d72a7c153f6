#define CAF_SUITE bill_draft
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/bill_draft.hpp"

#include <string>

using namespace billd;

namespace {

currency_set default_currencies() {
  std::string error;
  return *currency_set::parse("TZS:2,KES:2,UGX:0,USD:2,EUR:2", error);
}

bill_draft_input valid_input() {
  bill_draft_input in;
  in.payer_present = true;
  in.payer.name = "Asha Mwinyi";
  in.payer.phone = "+255712345678";
  in.payer.email = "asha@example.co.tz";
  in.amount = "15000.00";
  in.currency = "TZS";
  in.description = "Water bill\nNovember";
  in.due_date = "2026-11-30";
  in.reference = "INV-2026-0042";
  return in;
}

// The fields named in errors, joined by spaces, so a test can compare the whole list at once.
std::string fields_of(const field_errors& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : " ") + e.field;
  return out;
}

std::string message_for(const field_errors& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) return e.message;
  }
  return "<none>";
}

}  // namespace

CAF_TEST(a_complete_valid_request_becomes_a_draft) {
  field_errors errors;
  const auto draft = validate_bill_draft(valid_input(), default_currencies(), errors);
  CAF_REQUIRE(draft.has_value());
  CAF_CHECK(errors.empty());
  CAF_CHECK_EQUAL(draft->payer_name, "Asha Mwinyi");
  CAF_CHECK_EQUAL(draft->payer_phone, "+255712345678");
  CAF_CHECK_EQUAL(draft->payer_email.value_or(""), "asha@example.co.tz");
  CAF_CHECK_EQUAL(draft->amount_minor, 1500000);
  CAF_CHECK_EQUAL(draft->currency, "TZS");
  CAF_CHECK_EQUAL(draft->currency_exponent, 2);
  CAF_CHECK_EQUAL(draft->description, "Water bill\nNovember");
  CAF_CHECK(draft->due_date == (civil_date{2026, 11, 30}));
  CAF_CHECK_EQUAL(draft->reference.value_or(""), "INV-2026-0042");
}

CAF_TEST(optional_fields_may_be_absent) {
  auto in = valid_input();
  in.payer.email.reset();
  in.reference.reset();
  field_errors errors;
  const auto draft = validate_bill_draft(in, default_currencies(), errors);
  CAF_REQUIRE(draft.has_value());
  CAF_CHECK(!draft->payer_email.has_value());
  CAF_CHECK(!draft->reference.has_value());
}

CAF_TEST(the_amount_follows_the_currency_exponent) {
  auto in = valid_input();
  in.currency = "UGX";
  in.amount = "1500";
  field_errors errors;
  const auto draft = validate_bill_draft(in, default_currencies(), errors);
  CAF_REQUIRE(draft.has_value());
  CAF_CHECK_EQUAL(draft->amount_minor, 1500);
  CAF_CHECK_EQUAL(draft->currency_exponent, 0);

  in.amount = "1500.00";
  errors.clear();
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "amount");
}

CAF_TEST(an_empty_request_reports_every_required_field) {
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(bill_draft_input{}, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "payer currency amount description due_date");
  CAF_CHECK_EQUAL(message_for(errors, "payer"), "is required");
  CAF_CHECK_EQUAL(message_for(errors, "amount"), "is required");
}

CAF_TEST(a_payer_without_name_and_phone_reports_both) {
  auto in = valid_input();
  in.payer = payer_input{};
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "payer.name payer.phone");
  CAF_CHECK_EQUAL(message_for(errors, "payer.name"), "is required");
}

CAF_TEST(every_invalid_field_is_reported_once) {
  auto in = valid_input();
  in.payer.name = "";
  in.payer.phone = "0712345678";
  in.payer.email = "not-an-email";
  in.amount = "15000";
  in.description = std::string(501, 'd');
  in.due_date = "2026-02-30";
  in.reference = std::string(65, 'r');
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors),
                  "payer.name payer.phone payer.email amount description due_date reference");
  CAF_CHECK_EQUAL(message_for(errors, "payer.name"), "must be 1 to 200 characters");
  CAF_CHECK_EQUAL(message_for(errors, "amount"),
                  "must be a decimal string with exactly 2 fraction digits");
  CAF_CHECK_EQUAL(message_for(errors, "description"), "must be 1 to 500 characters");
  CAF_CHECK_EQUAL(message_for(errors, "reference"), "must be at most 64 characters");
}

CAF_TEST(an_unknown_currency_is_reported_without_judging_the_amount) {
  auto in = valid_input();
  in.currency = "JPY";
  in.amount = "not money";
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "currency");
  CAF_CHECK_EQUAL(message_for(errors, "currency"), "must be one of TZS, KES, UGX, USD, EUR");
}

CAF_TEST(lower_case_currency_codes_are_not_accepted) {
  auto in = valid_input();
  in.currency = "tzs";
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "currency");
}

CAF_TEST(control_characters_are_allowed_only_in_the_description) {
  auto in = valid_input();
  in.description = "line one\n\tline two";
  in.payer.name = "Asha\nMwinyi";
  in.reference = "INV\t1";
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "payer.name reference");
  CAF_CHECK_EQUAL(message_for(errors, "payer.name"), "must not contain control characters");
}

CAF_TEST(lengths_count_code_points) {
  auto in = valid_input();
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\xc3\xa9";  // 200 characters, 400 bytes
  in.payer.name = name;
  in.reference = std::string(64, 'r');
  field_errors errors;
  CAF_CHECK(validate_bill_draft(in, default_currencies(), errors).has_value());
  in.reference = std::string(65, 'r');
  errors.clear();
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "reference");
}

CAF_TEST(fields_the_codec_already_rejected_are_not_reported_twice) {
  auto in = valid_input();
  in.amount.reset();       // the codec saw a number instead of a string
  in.payer.phone.reset();  // and an array instead of a string
  field_errors errors{{"amount", "must be a string"}, {"payer.phone", "must be a string"}};
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "amount payer.phone");
  CAF_CHECK_EQUAL(message_for(errors, "amount"), "must be a string");
}

CAF_TEST(a_payer_of_the_wrong_type_is_reported_only_once) {
  auto in = valid_input();
  in.payer_present = false;
  in.payer = payer_input{};
  field_errors errors{{"payer", "must be an object"}};
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(fields_of(errors), "payer");
}

CAF_TEST(an_earlier_codec_error_alone_still_rejects_the_draft) {
  field_errors errors{{"extra", "is not a known field"}};
  CAF_CHECK(!validate_bill_draft(valid_input(), default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(errors.size(), 1u);
}

CAF_TEST(a_past_due_date_is_left_to_the_database) {
  auto in = valid_input();
  in.due_date = "1999-01-01";
  field_errors errors;
  CAF_CHECK(validate_bill_draft(in, default_currencies(), errors).has_value());
}

CAF_TEST(zero_and_oversized_amounts_are_rejected) {
  auto in = valid_input();
  in.amount = "0.00";
  field_errors errors;
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(message_for(errors, "amount"), "must be greater than zero");
  in.amount = "100000000000.00";
  errors.clear();
  CAF_CHECK(!validate_bill_draft(in, default_currencies(), errors).has_value());
  CAF_CHECK_EQUAL(message_for(errors, "amount"), "is too large");
}
