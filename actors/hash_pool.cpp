#include "actors/hash_pool.hpp"

namespace billd {

hash_pool::hash_pool(std::uint32_t threads, std::uint32_t queue_max) : queue_max_(queue_max) {
  for (std::uint32_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

hash_pool::~hash_pool() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool hash_pool::try_submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (jobs_.size() >= queue_max_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void hash_pool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock{mutex_};
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

std::size_t hash_pool::queued() {
  std::lock_guard lock{mutex_};
  return jobs_.size();
}

}  // namespace billd
