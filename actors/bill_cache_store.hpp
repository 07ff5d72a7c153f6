#pragma once
// The memory level of one cache shard, shared by the shard's actor and the Asio threads. The
// actor loads bills (single flight, Redis, PostgreSQL) and stores them here; an Asio thread
// answers a hit from here without an actor hop (net/fast_reads.hpp). So that such a reader
// never sees a bill older than a write that was already answered, an invalidation takes effect
// here at once, on the writer's thread (invalidate_bill), and a load that it overtook stores
// nothing: each load holds a ticket, and an invalidation voids the ticket of its bill.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "actors/lru_cache.hpp"
#include "domain/bill.hpp"

namespace billd {

using bill_ptr = std::shared_ptr<const bill>;

class bill_cache_store {
 public:
  using clock = std::chrono::steady_clock;

  /// A stored bill and its JSON, rendered once when it was stored.
  struct entry {
    bill_ptr value;
    std::shared_ptr<const std::string> json;
  };

  bill_cache_store(std::size_t max_entries, std::size_t max_bytes, std::chrono::milliseconds ttl);

  /// The stored bill of id, counted as a hit or a miss.
  std::optional<entry> get(const std::string& id, clock::time_point now);
  /// The stored bill of id; a miss is not counted, since the reader then asks the actor.
  std::optional<entry> peek(const std::string& id, clock::time_point now);

  /// A load of id starts: its ticket (a later load of id voids the earlier one's).
  std::uint64_t begin_load(const std::string& id);
  /// Whether no invalidation of id came since `ticket` was given.
  bool current(const std::string& id, std::uint64_t ticket) const;
  /// Ends the load: stores `loaded` (weighing `bytes`) when its ticket is still current.
  void finish_load(const std::string& id, std::uint64_t ticket, std::optional<entry> loaded,
                   std::size_t bytes, clock::time_point now);

  /// Drops id and voids its load's ticket.
  void invalidate(const std::string& id);
  /// Drops everything (the actor restarted: it starts empty).
  void clear();

  cache_counters counters() const;
  std::size_t entries() const;
  std::size_t bytes() const;
  /// Loads under way (tickets not yet ended).
  std::size_t loads() const;

 private:
  mutable std::mutex mutex_;
  lru_cache<entry> lru_;
  std::unordered_map<std::string, std::uint64_t> loads_;  // bill id → its current ticket
  std::uint64_t next_ticket_ = 0;
};

}  // namespace billd
