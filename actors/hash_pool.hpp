#pragma once
// A bounded pool of threads for password hashing, so argon2id never runs on a CAF worker
// and a burst of logins cannot queue without limit.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace billd {

/// Fixed threads, bounded queue; jobs report back by messaging their actor.
class hash_pool {
 public:
  hash_pool(std::uint32_t threads, std::uint32_t queue_max);
  ~hash_pool();
  hash_pool(const hash_pool&) = delete;
  hash_pool& operator=(const hash_pool&) = delete;
  /// Queues job; false (and nothing queued) when queue_max jobs already wait.
  bool try_submit(std::function<void()> job);
  /// Jobs waiting for a thread now.
  std::size_t queued();

 private:
  void run();
  std::uint32_t queue_max_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace billd
