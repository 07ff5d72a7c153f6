#define CAF_SUITE signature
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/crypto.hpp"
#include "domain/signature.hpp"

using namespace billd;

namespace {

const std::vector<std::string> secrets{"current-secret", "previous-secret"};
constexpr std::int64_t now = 1'764'000'000;

signature_check check(const std::string& header, std::string_view body = R"({"a":1})") {
  return verify_signature(header, secrets, now, "POST", "/api/v1/gateway/payments", body);
}

}  // namespace

CAF_TEST(hmac_matches_rfc4231_test_case_2) {
  crypto_init();
  CAF_CHECK_EQUAL(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

CAF_TEST(a_signature_made_with_either_secret_verifies) {
  crypto_init();
  auto body = R"({"a":1})";
  CAF_CHECK(check(sign_request("current-secret", now, "POST", "/api/v1/gateway/payments", body)) ==
            signature_check::ok);
  CAF_CHECK(check(sign_request("previous-secret", now - 10, "POST", "/api/v1/gateway/payments",
                               body)) == signature_check::ok);
}

CAF_TEST(a_changed_body_path_method_or_secret_is_a_mismatch) {
  crypto_init();
  auto good = sign_request("current-secret", now, "POST", "/api/v1/gateway/payments", R"({"a":1})");
  CAF_CHECK(check(good, R"({"a":2})") == signature_check::mismatch);
  CAF_CHECK(verify_signature(good, secrets, now, "PUT", "/api/v1/gateway/payments", R"({"a":1})") ==
            signature_check::mismatch);
  CAF_CHECK(verify_signature(good, secrets, now, "POST", "/api/v1/gateway/other", R"({"a":1})") ==
            signature_check::mismatch);
  CAF_CHECK(check(sign_request("other", now, "POST", "/api/v1/gateway/payments", R"({"a":1})")) ==
            signature_check::mismatch);
}

CAF_TEST(timestamps_more_than_300_s_away_are_stale) {
  crypto_init();
  auto at = [](std::int64_t t) {
    return sign_request("current-secret", t, "POST", "/api/v1/gateway/payments", R"({"a":1})");
  };
  CAF_CHECK(check(at(now - 300)) == signature_check::ok);
  CAF_CHECK(check(at(now + 300)) == signature_check::ok);
  CAF_CHECK(check(at(now - 301)) == signature_check::stale);
  CAF_CHECK(check(at(now + 301)) == signature_check::stale);
}

CAF_TEST(missing_and_malformed_headers_are_told_apart) {
  crypto_init();
  CAF_CHECK(check("") == signature_check::missing);
  CAF_CHECK(check("v1=abc") == signature_check::malformed);
  CAF_CHECK(check("t=12x,v1=" + std::string(64, 'a')) == signature_check::malformed);
  CAF_CHECK(check("t=1764000000,v1=" + std::string(63, 'a')) == signature_check::malformed);
  CAF_CHECK(check("t=1764000000,v1=" + std::string(64, 'a')) == signature_check::mismatch);
}

CAF_TEST(empty_secrets_never_match) {
  crypto_init();
  auto sig = sign_request("", now, "POST", "/p", "");
  CAF_CHECK(verify_signature(sig, {"", ""}, now, "POST", "/p", "") == signature_check::mismatch);
}
