#include "actors/token_cache.hpp"

namespace billd {

token_cache::token_cache(std::size_t max_entries, std::size_t max_sessions)
    : max_entries_(max_entries), max_sessions_(max_sessions) {}

std::optional<principal> token_cache::find(const std::string& token_hash, clock::time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = entries_.find(token_hash);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.fresh_until > now) return it->second.who;
  entries_.erase(it);
  return std::nullopt;
}

std::uint64_t token_cache::revocations() {
  std::lock_guard<std::mutex> guard{mutex_};
  return revocations_;
}

void token_cache::trust(const std::string& token_hash, principal who, clock::time_point fresh_until,
                        std::uint64_t revocations_before) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (revocations_ != revocations_before) return;
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[token_hash] = entry{std::move(who), fresh_until};
}

void token_cache::revoke(const std::string& token_hash, const std::string& user_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  ++revocations_;
  if (!token_hash.empty()) entries_.erase(token_hash);
  if (!user_id.empty())
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.who.user_id == user_id; });
}

void token_cache::note_session(const std::string& token_hash) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (sessions_.size() < max_sessions_) sessions_.insert(token_hash);
}

std::vector<std::string> token_cache::take_sessions() {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<std::string> out{sessions_.begin(), sessions_.end()};
  sessions_.clear();
  return out;
}

void revoke_everywhere(const token_caches& caches, const std::string& token_hash,
                       const std::string& user_id) {
  for (const auto& c : caches) c->revoke(token_hash, user_id);
}

}  // namespace billd
