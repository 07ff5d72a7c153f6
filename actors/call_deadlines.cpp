#include "actors/call_deadlines.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace billd {

std::uint64_t call_deadlines::open(clock::time_point due, std::function<void()> on_expiry) {
  auto id = next_id_++;
  open_.emplace(id, call{due, std::move(on_expiry)});
  return id;
}

bool call_deadlines::close(std::uint64_t id) { return open_.erase(id) == 1; }

std::optional<call_deadlines::clock::time_point> call_deadlines::expire(clock::time_point now) {
  // The wake-up that brought us here is spent; the caller sets the next from what we return.
  wakeup_ = clock::time_point::max();
  struct overdue_call {
    clock::time_point due;
    std::uint64_t id;
    std::function<void()> on_expiry;
  };
  std::vector<overdue_call> overdue;
  std::optional<clock::time_point> soonest;
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.due <= now) {
      overdue.push_back({it->second.due, it->first, std::move(it->second.on_expiry)});
      it = open_.erase(it);
      continue;
    }
    if (!soonest || it->second.due < *soonest) soonest = it->second.due;
    ++it;
  }
  // In the order they fell due, then opened. After the sweep: an expiry may open new calls (a
  // retry), which must not be swept now.
  std::sort(overdue.begin(), overdue.end(), [](const overdue_call& a, const overdue_call& b) {
    return a.due != b.due ? a.due < b.due : a.id < b.id;
  });
  for (auto& c : overdue) c.on_expiry();
  return soonest;
}

bool call_deadlines::needs_wakeup(clock::time_point due) {
  if (due >= wakeup_) return false;
  wakeup_ = due;
  return true;
}

}  // namespace billd
