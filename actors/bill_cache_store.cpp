#include "actors/bill_cache_store.hpp"

namespace billd {

bill_cache_store::bill_cache_store(std::size_t max_entries, std::size_t max_bytes,
                                   std::chrono::milliseconds ttl)
    : lru_(max_entries, max_bytes, ttl) {}

std::optional<bill_cache_store::entry> bill_cache_store::get(const std::string& id,
                                                             clock::time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  return lru_.get(id, now);
}

std::optional<bill_cache_store::entry> bill_cache_store::peek(const std::string& id,
                                                              clock::time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  return lru_.get(id, now, false);
}

std::uint64_t bill_cache_store::begin_load(const std::string& id) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto ticket = ++next_ticket_;
  loads_[id] = ticket;
  return ticket;
}

bool bill_cache_store::current(const std::string& id, std::uint64_t ticket) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = loads_.find(id);
  return it != loads_.end() && it->second == ticket;
}

void bill_cache_store::finish_load(const std::string& id, std::uint64_t ticket,
                                   std::optional<entry> loaded, std::size_t bytes,
                                   clock::time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = loads_.find(id);
  if (it == loads_.end() || it->second != ticket) return;
  loads_.erase(it);
  if (loaded) lru_.put(id, std::move(*loaded), bytes, now);
}

void bill_cache_store::invalidate(const std::string& id) {
  std::lock_guard<std::mutex> guard{mutex_};
  lru_.erase(id);
  loads_.erase(id);
}

void bill_cache_store::clear() {
  std::lock_guard<std::mutex> guard{mutex_};
  lru_.clear();
  loads_.clear();
}

cache_counters bill_cache_store::counters() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return lru_.counters();
}

std::size_t bill_cache_store::entries() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return lru_.entries();
}

std::size_t bill_cache_store::bytes() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return lru_.bytes();
}

std::size_t bill_cache_store::loads() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return loads_.size();
}

}  // namespace billd
