#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace billd {

/// What a user may do: admin everything, clerk create and cancel bills, viewer read only.
enum class user_role { admin, clerk, viewer };

/// The wire and database name: "admin", "clerk", "viewer".
std::string_view to_string(user_role r);

/// The role named by text (exact, lower case), or nullopt for any other text.
std::optional<user_role> parse_user_role(std::string_view text);

/// Username length bounds (ASCII only, so bytes equal code points).
inline constexpr std::size_t username_length_min = 3;
/// See username_length_min.
inline constexpr std::size_t username_length_max = 64;
/// Password length bounds in code points.
inline constexpr std::size_t password_length_min = 12;
/// See password_length_min.
inline constexpr std::size_t password_length_max = 256;

/// username: 3–64 chars of [a-z0-9_.-]; nullopt when fine, else the message.
std::optional<std::string> check_username(std::string_view s);

/// password: 12–256 code points, no control characters; nullopt when fine, else the message.
std::optional<std::string> check_password(std::string_view s);

}  // namespace billd
