#include "domain/bill.hpp"

#include "domain/json_text.hpp"
#include "domain/money.hpp"

namespace billd {

std::string bill_json(const bill& b) {
  auto payer = json_object{}
                   .str("name", b.payer_name)
                   .str("phone", b.payer_phone)
                   .opt("email", b.payer_email);
  return json_object{}
      .str("id", b.id)
      .str("status", to_string(b.status))
      .str("amount", format_amount(b.amount, b.currency_exponent))
      .str("paid_amount", format_amount(b.paid_amount, b.currency_exponent))
      .str("currency", b.currency)
      .str("description", b.description)
      .str("due_date", b.due_date)
      .str("expires_at", b.expires_at)
      .opt("reference", b.reference)
      .raw("payer", std::move(payer).finish())
      .opt("control_number", b.control_number)
      .str("created_at", b.created_at)
      .str("updated_at", b.updated_at)
      .num("version", b.version)
      .finish();
}

std::string bill_summary_json(const bill& b) {
  return json_object{}
      .str("id", b.id)
      .str("status", to_string(b.status))
      .str("amount", format_amount(b.amount, b.currency_exponent))
      .str("paid_amount", format_amount(b.paid_amount, b.currency_exponent))
      .str("currency", b.currency)
      .opt("control_number", b.control_number)
      .opt("reference", b.reference)
      .str("created_at", b.created_at)
      .finish();
}

}  // namespace billd
