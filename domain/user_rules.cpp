#include "domain/user_rules.hpp"

#include <algorithm>
#include <array>

#include "domain/text_rules.hpp"

namespace billd {
namespace {

bool is_username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::string_view to_string(user_role r) {
  switch (r) {
    case user_role::admin:
      return "admin";
    case user_role::clerk:
      return "clerk";
    case user_role::viewer:
      return "viewer";
  }
  // Only reachable with a value cast from outside the enum's range.
  return "invalid";
}

std::optional<user_role> parse_user_role(std::string_view text) {
  constexpr std::array all{user_role::admin, user_role::clerk, user_role::viewer};
  for (const auto r : all) {
    if (to_string(r) == text) return r;
  }
  return std::nullopt;
}

std::optional<std::string> check_username(std::string_view s) {
  if (s.size() < username_length_min || s.size() > username_length_max ||
      !std::all_of(s.begin(), s.end(), is_username_char)) {
    return "must be " + std::to_string(username_length_min) + " to " +
           std::to_string(username_length_max) +
           " characters of lower-case letters, digits, '_', '.' and '-'";
  }
  return std::nullopt;
}

std::optional<std::string> check_password(std::string_view s) {
  return check_text(s, password_length_min, password_length_max, false);
}

}  // namespace billd
