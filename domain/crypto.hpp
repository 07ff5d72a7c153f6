#pragma once
// Password hashing (argon2id), tokens and digests, all from libsodium.

#include <cstddef>
#include <cstdint>
#include <memory>
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

/// Size of a secret-box key (XSalsa20-Poly1305).
inline constexpr std::size_t secret_key_bytes = 32;

/// A fresh random secret-box key.
std::string random_secret_key();

/// Encrypts plaintext under key (secret_key_bytes long): a random nonce followed by the
/// authenticated ciphertext.
std::string seal_secret(std::string_view key, std::string_view plaintext);

/// Decrypts what seal_secret made; false when the key is wrong or the box was altered.
bool open_secret(std::string_view key, std::string_view box, std::string& plaintext);

/// Lower-case hex of bytes, and back (false for anything but an even count of hex digits).
std::string to_hex(std::string_view bytes);
bool from_hex(std::string_view hex, std::string& bytes);

/// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

/// SHA-256 of data that arrives in pieces (a streamed request body).
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(sha256_stream&&) noexcept;
  sha256_stream& operator=(sha256_stream&&) noexcept;
  void update(std::string_view data);
  /// Lower-case hex of the digest; the stream is finished afterwards.
  std::string finish_hex();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace billd
