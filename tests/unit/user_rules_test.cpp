#define CAF_SUITE user_rules
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/user_rules.hpp"

#include <string>

using namespace billd;

CAF_TEST(every_role_round_trips_through_its_name) {
  for (const auto role : {user_role::admin, user_role::clerk, user_role::viewer}) {
    const auto parsed = parse_user_role(to_string(role));
    CAF_REQUIRE(parsed.has_value());
    CAF_CHECK(*parsed == role);
  }
  CAF_CHECK_EQUAL(to_string(user_role::clerk), "clerk");
  CAF_CHECK(!parse_user_role("Admin").has_value());
  CAF_CHECK(!parse_user_role("root").has_value());
  CAF_CHECK(!parse_user_role("").has_value());
}

CAF_TEST(usernames_are_3_to_64_lower_case_letters_digits_and_marks) {
  CAF_CHECK(!check_username("abc").has_value());
  CAF_CHECK(!check_username("jane.doe-2_x").has_value());
  CAF_CHECK(!check_username(std::string(64, 'a')).has_value());
  CAF_CHECK(check_username("ab").has_value());
  CAF_CHECK(check_username(std::string(65, 'a')).has_value());
  CAF_CHECK(check_username("Jane").has_value());
  CAF_CHECK(check_username("jane doe").has_value());
  CAF_CHECK(check_username("jane@x").has_value());
  CAF_CHECK(check_username("j\xc3\xa9r\xc3\xb4me").has_value());
}

CAF_TEST(passwords_are_12_to_256_characters_without_controls) {
  CAF_CHECK(!check_password("correct horse").has_value());
  CAF_CHECK(!check_password(std::string(256, 'x')).has_value());
  CAF_CHECK_EQUAL(check_password("short").value_or(""), "must be 12 to 256 characters");
  CAF_CHECK(check_password(std::string(257, 'x')).has_value());
  CAF_CHECK_EQUAL(check_password("twelve chars\n!").value_or(""),
                  "must not contain control characters");
}
