#pragma once
// Password hashing (argon2id), tokens and digests, all from libsodium.

#include <cstdint>
#include <string>
#include <string_view>

namespace billd {

/// Initialises libsodium; safe to call more than once. Throws when it cannot.
void crypto_init();

/// argon2id hash string (with its parameters and salt) of password.
std::string hash_password(std::string_view password, std::uint32_t ops, std::uint32_t mem_kib);

/// Constant-time check of password against a hash string; false for malformed hashes.
bool verify_password(const std::string& hash, std::string_view password);

/// A random 256-bit session token, base64url without padding (43 characters).
std::string random_token();

/// A random password of 24 characters from an unambiguous alphabet.
std::string random_password();

/// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace billd
