#pragma once
// The current handle of a supervised actor. A restart replaces the actor, so peers hold the
// slot, not the handle, and read it on each use.

#include <memory>
#include <mutex>

namespace billd {

/// Thread-safe holder of one actor handle, written by its supervisor.
template <class Handle>
class actor_slot {
 public:
  Handle get() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return handle_;
  }
  void set(Handle h) {
    std::lock_guard<std::mutex> guard{mutex_};
    handle_ = std::move(h);
  }

 private:
  mutable std::mutex mutex_;
  Handle handle_;
};

template <class Handle>
using slot_ptr = std::shared_ptr<actor_slot<Handle>>;

template <class Handle>
slot_ptr<Handle> make_slot() {
  return std::make_shared<actor_slot<Handle>>();
}

}  // namespace billd
