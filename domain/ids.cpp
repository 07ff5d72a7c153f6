#include "domain/ids.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <mutex>

namespace billd {
namespace {

constexpr std::string_view crockford_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

constexpr std::uint64_t timestamp_ms_max = (std::uint64_t{1} << 48) - 1;

/// The 128 bits of one id: 48 bits of milliseconds, then 80 random bits split 16 + 64.
struct ulid_parts {
  std::uint64_t ms = 0;
  std::uint16_t random_hi = 0;
  std::uint64_t random_lo = 0;
};

void ensure_sodium_ready() {
  // sodium_init is thread-safe and idempotent; a static makes it run once per process. Without a
  // working random source ids would be guessable, so failing hard is the only safe answer.
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
}

ulid_parts fresh_random(std::uint64_t ms) {
  std::array<unsigned char, 10> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  ulid_parts p;
  p.ms = ms;
  p.random_hi = static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
  for (std::size_t i = 2; i < bytes.size(); ++i) p.random_lo = (p.random_lo << 8) | bytes[i];
  return p;
}

// Increments the 80-bit random part; on wrap-around borrows the next millisecond so the
// order stays strict even after 2^80 ids in one millisecond (never in practice).
void increment(ulid_parts& p) {
  if (++p.random_lo != 0) return;
  if (++p.random_hi != 0) return;
  p.ms = std::min(p.ms + 1, timestamp_ms_max);
}

std::uint64_t now_ms() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  return std::clamp<std::uint64_t>(ms < 0 ? 0 : static_cast<std::uint64_t>(ms), 0,
                                   timestamp_ms_max);
}

ulid_parts next_parts() {
  static std::mutex mutex;
  static ulid_parts last;
  static bool have_last = false;
  const auto ms = now_ms();
  std::lock_guard<std::mutex> lock(mutex);
  if (have_last && ms <= last.ms) {
    increment(last);
  } else {
    last = fresh_random(ms);
    have_last = true;
  }
  return last;
}

// Writes the 128 bits as 26 base32 digits, most significant first: the first digit carries the
// top 3 bits (2 + the padding), so lexicographic order equals numeric order.
std::array<char, id_body_length> encode(const ulid_parts& p) {
  // hi holds ms (48 bits) and random_hi (16 bits); lo holds random_lo.
  const std::uint64_t hi = (p.ms << 16) | p.random_hi;
  const std::uint64_t lo = p.random_lo;
  std::array<char, id_body_length> out{};
  for (std::size_t i = 0; i < id_body_length; ++i) {
    // Bit offset of this digit's least significant bit within the 130-bit padded value.
    const std::size_t shift = (id_body_length - 1 - i) * 5;
    std::uint64_t digit = 0;
    if (shift >= 64) {
      digit = hi >> (shift - 64);
    } else if (shift + 5 <= 64) {
      digit = lo >> shift;
    } else {
      digit = (lo >> shift) | (hi << (64 - shift));
    }
    out[i] = crockford_alphabet[digit & 31];
  }
  return out;
}

}  // namespace

std::string new_id(std::string_view prefix) {
  ensure_sodium_ready();
  const auto body = encode(next_parts());
  std::string id;
  id.reserve(prefix.size() + 1 + body.size());
  id.append(prefix);
  id.push_back('_');
  id.append(body.data(), body.size());
  return id;
}

bool is_valid_id(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 1 + id_body_length) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') return false;
  const auto body = id.substr(prefix.size() + 1);
  return std::all_of(body.begin(), body.end(),
                     [](char c) { return crockford_alphabet.find(c) != std::string_view::npos; });
}

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64-bit offset basis
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;  // FNV-1a 64-bit prime
  }
  return hash;
}

}  // namespace billd
