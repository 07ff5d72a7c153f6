#pragma once
// A bounded LRU map with a time to live: the state of one cache actor. Bounded by entries and
// by bytes (the caller says what a value weighs); a plain class with an injected clock, so it is
// unit-tested without actors or sleeping.

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace billd {

/// What a cache did since it started (for /metrics and tests).
struct cache_counters {
  std::uint64_t hits = 0, misses = 0, evictions = 0, expirations = 0;
};

template <class Value>
class lru_cache {
 public:
  using clock = std::chrono::steady_clock;

  lru_cache(std::size_t max_entries, std::size_t max_bytes, std::chrono::milliseconds ttl)
      : max_entries_(max_entries), max_bytes_(max_bytes), ttl_(ttl) {}

  /// The value of key if present and fresh (counts a hit, and a miss unless `count_miss` is
  /// false; an expired one is dropped).
  std::optional<Value> get(const std::string& key, clock::time_point now, bool count_miss = true) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      if (count_miss) ++counters_.misses;
      return std::nullopt;
    }
    if (it->second->expires <= now) {
      ++counters_.expirations;
      if (count_miss) ++counters_.misses;
      drop(it);
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second);  // most recently used first
    ++counters_.hits;
    return it->second->value;
  }

  /// Stores key → value weighing `bytes`; evicts the least recently used entries to fit.
  /// A value heavier than the whole budget is not stored.
  void put(const std::string& key, Value value, std::size_t bytes, clock::time_point now) {
    erase(key);
    if (bytes > max_bytes_ || max_entries_ == 0) return;
    while (!order_.empty() && (index_.size() >= max_entries_ || bytes_ + bytes > max_bytes_)) {
      ++counters_.evictions;
      drop(index_.find(order_.back().key));
    }
    order_.push_front(entry{key, std::move(value), bytes, now + ttl_});
    index_[key] = order_.begin();
    bytes_ += bytes;
  }

  /// Drops every entry and starts the counters again (bounds stay).
  void clear() { *this = lru_cache{max_entries_, max_bytes_, ttl_}; }

  void erase(const std::string& key) {
    if (auto it = index_.find(key); it != index_.end()) drop(it);
  }

  std::size_t entries() const { return index_.size(); }
  std::size_t bytes() const { return bytes_; }
  const cache_counters& counters() const { return counters_; }

 private:
  struct entry {
    std::string key;
    Value value;
    std::size_t bytes;
    clock::time_point expires;
  };
  using index_type = std::unordered_map<std::string, typename std::list<entry>::iterator>;

  void drop(typename index_type::iterator it) {
    bytes_ -= it->second->bytes;
    order_.erase(it->second);
    index_.erase(it);
  }

  std::size_t max_entries_, max_bytes_;
  std::chrono::milliseconds ttl_;
  std::list<entry> order_;
  index_type index_;
  std::size_t bytes_ = 0;
  cache_counters counters_;
};

}  // namespace billd
