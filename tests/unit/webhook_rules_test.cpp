#define CAF_SUITE webhook_rules
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/crypto.hpp"
#include "domain/webhook_rules.hpp"

using namespace billd;

CAF_TEST(http_is_only_for_loopback_and_private_literals_need_permission) {
  CAF_CHECK(!check_webhook_url("http://127.0.0.1:9000/hooks", false));
  CAF_CHECK(!check_webhook_url("http://localhost/h", false));
  CAF_CHECK(!check_webhook_url("http://[::1]:80/h", false));
  CAF_CHECK(check_webhook_url("http://example.com/h", false));
  CAF_CHECK(check_webhook_url("ftp://example.com/h", false));
  CAF_CHECK(check_webhook_url("http://", false));
  for (auto url : {"https://10.1.2.3/h", "https://172.20.0.1/h", "https://192.168.1.1/h",
                   "https://169.254.169.254/latest", "https://[fd00::1]/h", "https://0.0.0.0/"})
    CAF_CHECK(check_webhook_url(url, false)->find("private") != std::string::npos);
  CAF_CHECK(!check_webhook_url("https://172.32.0.1/h", false));
  CAF_CHECK(!check_webhook_url("https://10.1.2.3/h", true));
  CAF_CHECK(!check_webhook_url("https://hooks.example.com/billd", false));
  CAF_CHECK(check_webhook_url(std::string(2049, 'a'), false));
  CAF_CHECK(check_webhook_url("http://127.0.0.1/a b", false));
}

CAF_TEST(events_must_be_known_and_distinct) {
  CAF_CHECK(!check_webhook_events({"bill.paid", "payment.unapplied"}));
  CAF_CHECK(check_webhook_events({}));
  CAF_CHECK(check_webhook_events({"bill.paid", "bill.paid"}));
  CAF_CHECK(check_webhook_events({"bill.created"}));
}

CAF_TEST(secrets_are_32_to_256_bytes_and_sealed_boxes_open_only_with_their_key) {
  CAF_CHECK(check_webhook_secret(std::string(31, 'x')));
  CAF_CHECK(!check_webhook_secret(std::string(32, 'x')));
  CAF_CHECK(check_webhook_secret(std::string(257, 'x')));
  crypto_init();
  auto key = random_secret_key();
  auto box = seal_secret(key, "a-very-secret-value-of-32-bytes!");
  std::string out;
  CAF_CHECK(open_secret(key, box, out));
  CAF_CHECK_EQUAL(out, "a-very-secret-value-of-32-bytes!");
  CAF_CHECK(!open_secret(random_secret_key(), box, out));
  box[box.size() - 1] ^= 1;
  CAF_CHECK(!open_secret(key, box, out));
  std::string bytes;
  CAF_CHECK(from_hex(to_hex(key), bytes) && bytes == key);
  CAF_CHECK(!from_hex("abc", bytes));
}
