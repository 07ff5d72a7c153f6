#pragma once
// The bills a write changed, for the cache. The write notes them on its db thread inside its
// transaction, before COMMIT, so a commit whose answer is lost still clears the cache; the shard
// drops them from the cache when the write is answered, before the answer goes out. The two
// threads meet here under a mutex.

#include <mutex>
#include <string>
#include <vector>

#include "actors/bill_cache.hpp"

namespace billd {

class changed_bills {
 public:
  explicit changed_bills(cache_slots caches, std::vector<std::string> known = {});

  /// Db thread: the transaction (re)starts; what an earlier attempt noted did not commit.
  void restart();
  /// Db thread: the write changed this bill. Once the shard has given up waiting (a
  /// db_timeout answered the caller), the bill leaves the cache here and now: the write may
  /// still commit. A read between this and that COMMIT may cache the old bill again, for at
  /// most the cache's TTL.
  void note(const std::string& bill_id);
  /// Shard, when the write is answered (whatever its outcome): drops every noted bill.
  void invalidate();

 private:
  std::mutex mutex_;
  cache_slots caches_;
  std::vector<std::string> known_;  // named up front by the command; never forgotten
  std::vector<std::string> noted_;
  bool answered_ = false;
};

using changed_bills_ptr = std::shared_ptr<changed_bills>;

}  // namespace billd
