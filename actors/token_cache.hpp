#pragma once
// The token verifications one front trusts, and the sessions it saw since its last report.
// Shared by the front, the Asio thread that answers cached reads for the front's connections
// (net/fast_reads.hpp) and auth, which revokes here itself, before it answers a logout or a
// user change: once a revocation is answered, no thread honours the token.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/messages.hpp"

namespace billd {

class token_cache {
 public:
  using clock = std::chrono::steady_clock;

  /// `max_entries`: auth.token_cache_max; `max_sessions`: metrics.sessions_max.
  token_cache(std::size_t max_entries, std::size_t max_sessions);

  /// The principal of a verified token while its verification is fresh (a stale one is
  /// dropped).
  std::optional<principal> find(const std::string& token_hash, clock::time_point now);
  /// Revocations so far: read before asking auth to verify a token, and handed to trust().
  std::uint64_t revocations();
  /// Trusts `who` for token_hash until `fresh_until`, unless a revocation came after
  /// `revocations_before` (what revocations() said before the verification was asked for):
  /// that verification may predate it, and trusting it would undo it. At the bound, the
  /// cache starts over.
  void trust(const std::string& token_hash, principal who, clock::time_point fresh_until,
             std::uint64_t revocations_before);
  /// Forgets token_hash (when not empty) and every token of user_id (when not empty).
  void revoke(const std::string& token_hash, const std::string& user_id);

  /// Notes that token_hash was used (kept up to the sessions bound).
  void note_session(const std::string& token_hash);
  /// The sessions noted since the last call.
  std::vector<std::string> take_sessions();

 private:
  struct entry {
    principal who;
    clock::time_point fresh_until;
  };
  std::size_t max_entries_, max_sessions_;
  std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::unordered_set<std::string> sessions_;
  std::uint64_t revocations_ = 0;
};

/// One per front, by front index.
using token_caches = std::vector<std::shared_ptr<token_cache>>;

/// Revokes in every front's cache.
void revoke_everywhere(const token_caches& caches, const std::string& token_hash,
                       const std::string& user_id);

}  // namespace billd
