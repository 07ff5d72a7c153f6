#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// Input strings are already valid UTF-8 (the JSON parser guarantees it), so these functions do
// not re-validate the encoding.

namespace billd {

/// s with ASCII letters lower-cased (header names, media types, schemes, host names).
std::string ascii_lower(std::string_view s);

/// True when s is well-formed UTF-8 (lead and continuation bytes; overlongs not rejected).
bool is_valid_utf8(std::string_view s);

/// Number of Unicode code points in valid UTF-8 text.
std::size_t code_points(std::string_view utf8);

/// True when text contains a control character (C0 U+0000–U+001F, U+007F, C1 U+0080–U+009F);
/// allow_newline_tab permits \n and \t.
bool has_control_chars(std::string_view utf8, bool allow_newline_tab);

/// Checks length in code points [min,max] and control characters; returns nullopt when fine, else
/// the message ("must be 1 to 200 characters", "must not contain control characters").
std::optional<std::string> check_text(std::string_view utf8, std::size_t min, std::size_t max,
                                      bool allow_newline_tab);

/// True for an E.164 phone number: ^\+[1-9][0-9]{7,14}$.
bool is_e164_phone(std::string_view s);

/// Maximum length of an email address in code points (RFC 5321 path limit).
inline constexpr std::size_t email_length_max = 254;

/// A deliberately loose email check: ≤ 254 code points, exactly one '@', non-empty local and
/// domain parts, the domain contains a '.' and neither starts nor ends with one, no empty domain
/// labels, no spaces or control characters. Deliverability is the payer's business.
bool is_plausible_email(std::string_view s);

}  // namespace billd
