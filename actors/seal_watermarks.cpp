#include "actors/seal_watermarks.hpp"

namespace billd {

void seal_watermarks::note(clock::time_point at, std::int64_t id) { notes_.push_back({at, id}); }

std::optional<std::int64_t> seal_watermarks::sealable(clock::time_point now,
                                                      clock::duration settle) {
  // A settled note says less than a newer settled one: only the newest is kept. It stays
  // after it is sealed up to, so a failed round costs nothing (sealing up to it again is a
  // no-op once it succeeded).
  while (notes_.size() > 1 && notes_[1].at + settle <= now) notes_.pop_front();
  if (notes_.empty() || notes_.front().at + settle > now) return std::nullopt;
  return notes_.front().id;
}

}  // namespace billd
