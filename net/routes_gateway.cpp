// The payment gateway's routes (API.md "The payment gateway side"): signed callbacks with
// control numbers, and payment notifications recorded exactly once.

#include <ctime>

#include "domain/civil_time.hpp"
#include "domain/ids.hpp"
#include "domain/money.hpp"
#include "domain/signature.hpp"
#include "log/module_log.hpp"
#include "net/front_state.hpp"
#include "net/json_input.hpp"

namespace billd {
namespace {

/// Checks X-Signature against gateway.secret_in and its previous value; answers 401 itself.
bool signed_by_gateway(front_self self, const request_ctx& ctx) {
  const auto& g = self->state.deps->cfg.gateway;
  const auto& req = ctx.req();
  auto check = verify_signature(
      req.header("x-signature").value_or(""), {g.secret_in, g.secret_in_previous},
      static_cast<std::int64_t>(std::time(nullptr)), req.method, req.path, req.body);
  if (check == signature_check::ok) return true;
  logger_of(log_module::http)
      .warn("[{}] {} refused: {}", req.request_id, req.path, to_string(check));
  respond_problem(self, ctx, problem::unauthenticated, to_string(check));
  return false;
}

/// A required string of 1..max characters without control characters or spaces.
std::optional<std::string> token_field(object_reader& r, std::string_view name, std::size_t max,
                                       field_errors& errors) {
  auto v = r.string(name);
  if (!v) {
    if (errors.empty() || errors.back().field != r.path(name))
      errors.push_back({r.path(name), "is required"});
    return std::nullopt;
  }
  bool clean = !v->empty() && v->size() <= max;
  for (unsigned char c : *v) clean = clean && c > 0x20 && c < 0x7f;
  if (!clean) {
    errors.push_back(
        {r.path(name), "must be 1-" + std::to_string(max) + " visible ASCII characters"});
    return std::nullopt;
  }
  return v;
}

/// Amount in minor units: with the currency's exponent when billd knows the currency, else
/// with the exponent the text shows (the notification is still recorded, as unapplied).
std::optional<std::pair<std::int64_t, int>> read_amount(const std::string& text,
                                                        const std::string& currency,
                                                        const currency_set& known,
                                                        field_errors& errors) {
  int exponent = 0;
  if (const auto* c = known.find(currency)) {
    exponent = c->exponent;
  } else {
    auto dot = text.find('.');
    exponent = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
    if (exponent > 4) {
      errors.push_back({"amount", "has more than 4 decimals"});
      return std::nullopt;
    }
  }
  std::string why;
  auto minor = parse_amount(text, exponent, why);
  if (!minor) {
    errors.push_back({"amount", why});
    return std::nullopt;
  }
  return std::pair{*minor, exponent};
}

}  // namespace

void handle_gateway_control_number(front_self self, request_ctx ctx) {
  if (!signed_by_gateway(self, ctx)) return;
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  object_reader root{*doc, "", errors};  // unknown fields are ignored: the signature covers them
  control_number_cmd cmd;
  cmd.request_id = ctx.req().request_id;
  if (auto id = token_field(root, "bill_id", 64, errors)) cmd.bill_id = *id;
  if (const auto* err = root.object("error")) {
    object_reader e{*err, "error", errors};
    auto code = e.string("code").value_or("refused");
    auto message = e.string("message").value_or("");
    cmd.failure = code + (message.empty() ? "" : ": " + message);
    if (cmd.failure.size() > 500) cmd.failure.resize(500);
  } else if (auto cn = token_field(root, "control_number", 64, errors)) {
    cmd.control_number = *cn;
  }
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  if (!is_valid_id(cmd.bill_id, "bil"))
    return respond_problem(self, ctx, problem::not_found, "no such bill");
  auto id = cmd.bill_id;
  send_to_shard(self, std::move(ctx), id, issue_atom::value, std::move(cmd));
}

void handle_gateway_payment(front_self self, request_ctx ctx) {
  if (!signed_by_gateway(self, ctx)) return;
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  object_reader root{*doc, "", errors};
  payment_cmd cmd;
  auto& n = cmd.notice;
  auto cn = token_field(root, "control_number", 64, errors);
  auto ref = token_field(root, "transaction_ref", 128, errors);
  auto amount = root.string("amount");
  if (!amount && (errors.empty() || errors.back().field != "amount"))
    errors.push_back({"amount", "is required"});
  auto currency = root.string("currency");
  if (!currency || currency->size() != 3 ||
      !std::all_of(currency->begin(), currency->end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    errors.push_back({"currency", "must be an ISO 4217 code (3 upper-case letters)"});
  auto paid_at = root.string("paid_at");
  auto paid_ms = paid_at ? parse_rfc3339_ms(*paid_at) : std::nullopt;
  if (!paid_ms) errors.push_back({"paid_at", "must be an RFC 3339 timestamp"});
  auto channel = token_field(root, "channel", 64, errors);
  auto phone = root.string("payer_phone");
  if (phone && phone->size() > 32)
    errors.push_back({"payer_phone", "must be at most 32 characters"});
  std::optional<std::pair<std::int64_t, int>> minor;
  if (amount && currency && errors.empty())
    minor = read_amount(*amount, *currency, self->state.deps->currencies, errors);
  if (!errors.empty() || !minor)
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  n.control_number = *cn;
  n.transaction_ref = *ref;
  n.amount = minor->first;
  n.currency_exponent = minor->second;
  n.currency = *currency;
  n.paid_at = format_rfc3339_ms(*paid_ms);
  n.channel = *channel;
  n.payer_phone = phone;
  cmd.payment_id = new_id("pay");
  cmd.request_id = ctx.req().request_id;
  // Every notification of one control number meets in one shard, so duplicates and the
  // payments of one bill queue there instead of racing in PostgreSQL.
  auto key = n.control_number;
  send_to_shard(self, std::move(ctx), key, pay_atom::value, std::move(cmd));
}

}  // namespace billd
