#include "domain/text_rules.hpp"

#include <algorithm>

namespace billd {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string length_message(std::size_t min, std::size_t max) {
  if (min == max) return "must be exactly " + std::to_string(min) + " characters";
  if (min == 0) return "must be at most " + std::to_string(max) + " characters";
  return "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters";
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::size_t code_points(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return !is_continuation_byte(c); }));
}

bool has_control_chars(std::string_view utf8, bool allow_newline_tab) {
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x20U) {
      if (allow_newline_tab && (b == '\n' || b == '\t')) continue;
      return true;
    }
    if (b == 0x7FU) return true;
    // C1 controls U+0080–U+009F are the two-byte sequences C2 80 … C2 9F.
    if (b == 0xC2U && i + 1 < utf8.size()) {
      const auto next = static_cast<unsigned char>(utf8[i + 1]);
      if (next >= 0x80U && next <= 0x9FU) return true;
    }
  }
  return false;
}

std::optional<std::string> check_text(std::string_view utf8, std::size_t min, std::size_t max,
                                      bool allow_newline_tab) {
  const auto length = code_points(utf8);
  if (length < min || length > max) return length_message(min, max);
  if (has_control_chars(utf8, allow_newline_tab)) return "must not contain control characters";
  return std::nullopt;
}

bool is_e164_phone(std::string_view s) {
  // '+', a non-zero first digit, then 7 to 14 more digits: 9 to 16 bytes in all.
  if (s.size() < 9 || s.size() > 16) return false;
  if (s[0] != '+' || s[1] < '1' || s[1] > '9') return false;
  return std::all_of(s.begin() + 2, s.end(), is_digit);
}

bool is_plausible_email(std::string_view s) {
  if (code_points(s) > email_length_max || has_control_chars(s, false)) return false;
  if (s.find(' ') != std::string_view::npos) return false;
  const auto at = s.find('@');
  if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) return false;
  const auto local = s.substr(0, at);
  const auto domain = s.substr(at + 1);
  if (local.empty() || domain.empty()) return false;
  if (domain.find('.') == std::string_view::npos) return false;
  if (domain.front() == '.' || domain.back() == '.') return false;
  // An empty label ("a@b..c") can never resolve; rejecting it costs nothing.
  return domain.find("..") == std::string_view::npos;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

}  // namespace billd
