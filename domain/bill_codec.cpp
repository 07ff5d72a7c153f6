#include "domain/bill_codec.hpp"

#include <charconv>

namespace billd {
namespace {

// "b1|" then fields in struct order, each "LEN:BYTES" or "-" when an optional is absent.
constexpr std::string_view magic = "b1|";

void put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

void put_optional(std::string& out, const std::optional<std::string>& field) {
  if (field) {
    put(out, *field);
  } else {
    out += '-';
  }
}

void put_number(std::string& out, std::int64_t n) { put(out, std::to_string(n)); }

class reader {
 public:
  explicit reader(std::string_view text) : rest_(text) {}

  bool done() const { return ok_ && rest_.empty(); }

  std::optional<std::string_view> field() {
    std::size_t len = 0;
    auto [end, ec] = std::from_chars(rest_.data(), rest_.data() + rest_.size(), len);
    auto digits = static_cast<std::size_t>(end - rest_.data());
    if (ec != std::errc{} || digits >= rest_.size() || *end != ':' ||
        len > rest_.size() - digits - 1) {
      ok_ = false;
      return std::nullopt;
    }
    auto value = rest_.substr(digits + 1, len);
    rest_.remove_prefix(digits + 1 + len);
    return value;
  }

  void text(std::string& out) {
    if (auto f = field()) out = std::string{*f};
  }

  void optional_text(std::optional<std::string>& out) {
    if (!rest_.empty() && rest_.front() == '-') {
      rest_.remove_prefix(1);
      out.reset();
      return;
    }
    if (auto f = field()) out = std::string{*f};
  }

  template <class Int>
  void number(Int& out) {
    auto f = field();
    if (!f) return;
    auto [end, ec] = std::from_chars(f->data(), f->data() + f->size(), out);
    if (ec != std::errc{} || end != f->data() + f->size()) ok_ = false;
  }

  void status(bill_status& out) {
    auto f = field();
    if (!f) return;
    if (auto s = parse_bill_status(*f)) {
      out = *s;
    } else {
      ok_ = false;
    }
  }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace

std::string encode_bill(const bill& b) {
  std::string out{magic};
  out.reserve(256);
  put(out, b.id);
  put(out, to_string(b.status));
  put_number(out, b.amount);
  put_number(out, b.paid_amount);
  put(out, b.currency);
  put_number(out, std::int64_t{b.currency_exponent});
  put(out, b.description);
  put(out, b.due_date);
  put(out, b.expires_at);
  put_optional(out, b.reference);
  put(out, b.payer_name);
  put(out, b.payer_phone);
  put_optional(out, b.payer_email);
  put_optional(out, b.control_number);
  put_optional(out, b.failure_reason);
  put(out, b.created_by);
  put(out, b.created_at);
  put(out, b.updated_at);
  put_number(out, b.version);
  return out;
}

std::optional<bill> decode_bill(std::string_view text) {
  if (!text.starts_with(magic)) return std::nullopt;
  reader r{text.substr(magic.size())};
  bill b;
  r.text(b.id);
  r.status(b.status);
  r.number(b.amount);
  r.number(b.paid_amount);
  r.text(b.currency);
  r.number(b.currency_exponent);
  r.text(b.description);
  r.text(b.due_date);
  r.text(b.expires_at);
  r.optional_text(b.reference);
  r.text(b.payer_name);
  r.text(b.payer_phone);
  r.optional_text(b.payer_email);
  r.optional_text(b.control_number);
  r.optional_text(b.failure_reason);
  r.text(b.created_by);
  r.text(b.created_at);
  r.text(b.updated_at);
  r.number(b.version);
  if (!r.done()) return std::nullopt;
  return b;
}

}  // namespace billd
