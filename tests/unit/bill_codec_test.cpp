#define CAF_SUITE bill_codec
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/bill_codec.hpp"

using namespace billd;

namespace {

bill sample() {
  bill b;
  b.id = "bil_01JD0000000000000000000000";
  b.status = bill_status::partially_paid;
  b.amount = 1'500'000;
  b.paid_amount = 250'000;
  b.currency = "TZS";
  b.currency_exponent = 2;
  b.description = "Water: 12:3 units | \"quoted\" \n and a newline";
  b.due_date = "2026-12-01";
  b.expires_at = "2027-01-01T00:00:00Z";
  b.reference = "INV-1";
  b.payer_name = "Asha Juma";
  b.payer_phone = "+255700000001";
  b.control_number = "991234567890";
  b.created_by = "usr_1";
  b.created_at = "2026-11-23T10:00:00.123Z";
  b.updated_at = "2026-11-23T10:05:00.456Z";
  b.version = 7;
  return b;
}

bool same(const bill& a, const bill& b) {
  return bill_json(a) == bill_json(b) && a.version == b.version;
}

}  // namespace

CAF_TEST(a_bill_survives_the_round_trip_with_and_without_its_optional_fields) {
  auto b = sample();
  auto back = decode_bill(encode_bill(b));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(same(*back, b));
  CAF_CHECK_EQUAL(back->description, b.description);
  CAF_CHECK(!back->payer_email.has_value());
  b.reference.reset();
  b.control_number.reset();
  b.payer_email = "";  // present but empty differs from absent
  back = decode_bill(encode_bill(b));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(!back->reference.has_value());
  CAF_CHECK(back->payer_email.has_value());
  CAF_CHECK(same(*back, b));
}

CAF_TEST(truncated_padded_or_foreign_values_are_refused) {
  auto text = encode_bill(sample());
  for (std::size_t cut = 0; cut < text.size(); ++cut)
    CAF_CHECK(!decode_bill(std::string_view{text}.substr(0, cut)).has_value());
  CAF_CHECK(!decode_bill(text + "x").has_value());
  CAF_CHECK(!decode_bill("{\"id\":\"bil_1\"}").has_value());
  auto bad_status = text;
  bad_status.replace(bad_status.find("partially_paid"), 14, "partially_pain");
  CAF_CHECK(!decode_bill(bad_status).has_value());
  auto huge_length = std::string{"b1|99999999999999999999:x"};
  CAF_CHECK(!decode_bill(huge_length).has_value());
}
