#define CAF_SUITE text_rules
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/text_rules.hpp"

#include <string>

using namespace billd;

CAF_TEST(code_points_count_characters_not_bytes) {
  CAF_CHECK_EQUAL(code_points(""), 0u);
  CAF_CHECK_EQUAL(code_points("abc"), 3u);
  CAF_CHECK_EQUAL(code_points("Zoë"), 3u);                // ë is 2 bytes
  CAF_CHECK_EQUAL(code_points("\xe2\x82\xac"), 1u);       // € is 3 bytes
  CAF_CHECK_EQUAL(code_points("\xf0\x9f\x98\x80!"), 2u);  // 😀 is 4 bytes
  CAF_CHECK_EQUAL(code_points("Nyerere \xd0\x96"), 9u);
}

CAF_TEST(c0_controls_and_delete_are_control_characters) {
  CAF_CHECK(has_control_chars(std::string("a\0b", 3), false));
  CAF_CHECK(has_control_chars("a\x01", false));
  CAF_CHECK(has_control_chars("a\x1f", false));
  CAF_CHECK(has_control_chars("a\r", true));
  CAF_CHECK(has_control_chars("a\x7f", true));
  CAF_CHECK(!has_control_chars("plain text ~", false));
}

CAF_TEST(c1_controls_are_control_characters) {
  CAF_CHECK(has_control_chars("a\xc2\x80", false));   // U+0080
  CAF_CHECK(has_control_chars("a\xc2\x9f", false));   // U+009F
  CAF_CHECK(!has_control_chars("a\xc2\xa0", false));  // U+00A0 no-break space is not a control
  CAF_CHECK(!has_control_chars("\xc3\xa9", false));   // é
}

CAF_TEST(newline_and_tab_are_allowed_only_when_asked) {
  CAF_CHECK(has_control_chars("line\nline", false));
  CAF_CHECK(has_control_chars("a\tb", false));
  CAF_CHECK(!has_control_chars("line\nline", true));
  CAF_CHECK(!has_control_chars("a\tb", true));
}

CAF_TEST(check_text_enforces_length_in_code_points) {
  CAF_CHECK(!check_text("a", 1, 200, false).has_value());
  CAF_CHECK(!check_text(std::string(200, 'a'), 1, 200, false).has_value());
  CAF_CHECK_EQUAL(check_text("", 1, 200, false).value_or(""), "must be 1 to 200 characters");
  CAF_CHECK_EQUAL(check_text(std::string(201, 'a'), 1, 200, false).value_or(""),
                  "must be 1 to 200 characters");
  // 200 two-byte characters are 400 bytes but still 200 characters.
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "\xc3\xa9";
  CAF_CHECK(!check_text(accented, 1, 200, false).has_value());
  CAF_CHECK(check_text(accented + "\xc3\xa9", 1, 200, false).has_value());
}

CAF_TEST(check_text_reports_control_characters) {
  CAF_CHECK_EQUAL(check_text("a\x01", 1, 10, false).value_or(""),
                  "must not contain control characters");
  CAF_CHECK(!check_text("a\nb", 1, 10, true).has_value());
  CAF_CHECK_EQUAL(check_text("a\nb", 1, 10, false).value_or(""),
                  "must not contain control characters");
}

CAF_TEST(check_text_does_not_trim_spaces) {
  CAF_CHECK(!check_text(" ", 1, 10, false).has_value());
  CAF_CHECK(check_text("  abc  ", 1, 5, false).has_value());
}

CAF_TEST(e164_phones_are_a_plus_and_8_to_15_digits) {
  CAF_CHECK(is_e164_phone("+255712345678"));
  CAF_CHECK(is_e164_phone("+12345678"));           // 8 digits
  CAF_CHECK(is_e164_phone("+123456789012345"));    // 15 digits
  CAF_CHECK(!is_e164_phone("+1234567"));           // 7 digits
  CAF_CHECK(!is_e164_phone("+1234567890123456"));  // 16 digits
  CAF_CHECK(!is_e164_phone("255712345678"));
  CAF_CHECK(!is_e164_phone("+0255712345"));
  CAF_CHECK(!is_e164_phone("+255 712345678"));
  CAF_CHECK(!is_e164_phone("+255-712345678"));
  CAF_CHECK(!is_e164_phone("++255712345678"));
  CAF_CHECK(!is_e164_phone(""));
  CAF_CHECK(!is_e164_phone("+"));
}

CAF_TEST(plausible_emails_are_accepted) {
  CAF_CHECK(is_plausible_email("a@b.co"));
  CAF_CHECK(is_plausible_email("first.last+tag@example.co.tz"));
  CAF_CHECK(is_plausible_email("j\xc3\xb6rg@example.com"));
}

CAF_TEST(implausible_emails_are_rejected) {
  for (const char* email :
       {"", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com", "a@.example.com",
        "a@example.com.", "a@example..com", "a b@c.com", "a@c.com ", "a\t@c.com", "a@c\x7f.com"}) {
    CAF_CHECK(!is_plausible_email(email));
  }
}

CAF_TEST(emails_longer_than_254_characters_are_rejected) {
  const std::string domain = "@example.com";  // 12 characters
  CAF_CHECK(is_plausible_email(std::string(242, 'a') + domain));
  CAF_CHECK(!is_plausible_email(std::string(243, 'a') + domain));
}
