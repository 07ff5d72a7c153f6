#include "domain/crypto.hpp"

#include <sodium.h>

#include <stdexcept>

namespace billd {

void crypto_init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string hash_password(std::string_view password, std::uint32_t ops, std::uint32_t mem_kib) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops,
                            static_cast<std::size_t>(mem_kib) * 1024u,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_token() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string random_password() {
  static constexpr char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 24; ++i) out += alphabet[randombytes_uniform(sizeof alphabet - 1)];
  return out;
}

std::string random_secret_key() {
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  crypto_secretbox_keygen(reinterpret_cast<unsigned char*>(key.data()));
  return key;
}

std::string seal_secret(std::string_view key, std::string_view plaintext) {
  static_assert(secret_key_bytes == crypto_secretbox_KEYBYTES);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        out, reinterpret_cast<const unsigned char*>(key.data()));
  return box;
}

bool open_secret(std::string_view key, std::string_view box, std::string& plaintext) {
  if (key.size() != crypto_secretbox_KEYBYTES ||
      box.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return false;
  const auto* in = reinterpret_cast<const unsigned char*>(box.data());
  plaintext.assign(box.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  return crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                    in + crypto_secretbox_NONCEBYTES,
                                    box.size() - crypto_secretbox_NONCEBYTES, in,
                                    reinterpret_cast<const unsigned char*>(key.data())) == 0;
}

std::string to_hex(std::string_view bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  hex.pop_back();
  return hex;
}

bool from_hex(std::string_view hex, std::string& bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes.assign(hex.size() / 2, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  return sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(),
                        hex.size(), nullptr, &len, &end) == 0 &&
         len == bytes.size() && end == hex.data() + hex.size();
}

std::string sha256_hex(std::string_view data) {
  sha256_stream digest;
  digest.update(data);
  return digest.finish_hex();
}

struct sha256_stream::state {
  crypto_hash_sha256_state sha;
};

sha256_stream::sha256_stream() : state_(std::make_unique<state>()) {
  crypto_hash_sha256_init(&state_->sha);
}
sha256_stream::~sha256_stream() = default;
sha256_stream::sha256_stream(sha256_stream&&) noexcept = default;
sha256_stream& sha256_stream::operator=(sha256_stream&&) noexcept = default;

void sha256_stream::update(std::string_view data) {
  crypto_hash_sha256_update(&state_->sha, reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
}

std::string sha256_stream::finish_hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_->sha, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace billd
