#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace billd {

/// Number of Crockford base32 characters after the prefix and '_' of every id (128 bits, ULID).
inline constexpr std::size_t id_body_length = 26;

/// Opaque, URL-safe ids sortable by creation time: prefix + "_" + 26 chars of Crockford base32
/// (0-9A-HJKMNP-TV-Z upper case) encoding 48 bits of unix milliseconds then 80 random bits (ULID
/// layout). Monotonic within the process: when the clock did not advance (or went back), the
/// previous random part is incremented, so ids generated in one process strictly increase.
/// Thread-safe. prefix is like "bil", "pay", "usr", "job", "evt", "whk".
std::string new_id(std::string_view prefix);

/// True when id is prefix + "_" + exactly 26 valid Crockford base32 characters (upper case only).
bool is_valid_id(std::string_view id, std::string_view prefix);

/// Stable 64-bit FNV-1a hash of the text (shard choice); same on every node and every run.
std::uint64_t stable_hash(std::string_view text);

}  // namespace billd
