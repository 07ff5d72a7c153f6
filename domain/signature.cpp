#include "domain/signature.hpp"

#include <sodium.h>

#include <charconv>

namespace billd {
namespace {

std::string signed_text(std::int64_t t, std::string_view method, std::string_view path,
                        std::string_view body) {
  std::string text = std::to_string(t);
  text.reserve(text.size() + method.size() + path.size() + body.size() + 3);
  text += '.';
  text += method;
  text += '.';
  text += path;
  text += '.';
  text += body;
  return text;
}

struct parsed_signature {
  std::int64_t t = 0;
  std::string_view v1;
};

bool parse_header(std::string_view header, parsed_signature& out) {
  bool have_t = false;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with("t=")) {
      auto digits = part.substr(2);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.t);
      if (ec != std::errc{} || end != digits.data() + digits.size()) return false;
      have_t = true;
    } else if (part.starts_with("v1=")) {
      out.v1 = part.substr(3);
    }
  }
  return have_t && out.v1.size() == 2 * crypto_auth_hmacsha256_BYTES;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string sign_request(std::string_view secret, std::int64_t t, std::string_view method,
                         std::string_view path, std::string_view body) {
  return "t=" + std::to_string(t) +
         ",v1=" + hmac_sha256_hex(secret, signed_text(t, method, path, body));
}

signature_check verify_signature(std::string_view header, const std::vector<std::string>& secrets,
                                 std::int64_t now, std::string_view method, std::string_view path,
                                 std::string_view body) {
  if (header.empty()) return signature_check::missing;
  parsed_signature sig;
  if (!parse_header(header, sig)) return signature_check::malformed;
  if (sig.t < now - signature_tolerance_s || sig.t > now + signature_tolerance_s)
    return signature_check::stale;
  auto text = signed_text(sig.t, method, path, body);
  bool matched = false;
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    auto expected = hmac_sha256_hex(secret, text);
    // Every secret is compared in full, so timing does not tell which one (or none) matched.
    if (sodium_memcmp(expected.data(), sig.v1.data(), expected.size()) == 0) matched = true;
  }
  return matched ? signature_check::ok : signature_check::mismatch;
}

std::string_view to_string(signature_check c) {
  switch (c) {
    case signature_check::ok:
      return "valid";
    case signature_check::missing:
      return "X-Signature is missing";
    case signature_check::malformed:
      return "X-Signature is not t=<unix seconds>,v1=<64 hex digits>";
    case signature_check::stale:
      return "X-Signature's timestamp is more than 300 s away from now";
    case signature_check::mismatch:
      return "X-Signature does not match the body";
  }
  return "invalid";
}

}  // namespace billd
