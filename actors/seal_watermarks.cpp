#include "actors/seal_watermarks.hpp"

namespace billd {

void seal_watermarks::note(clock::time_point at, audit_draw_mark drawn) {
  if (!notes_.empty() && drawn.id < notes_.back().drawn.id) notes_.clear();
  notes_.push_back({at, std::move(drawn)});
}

std::optional<audit_draw_mark> seal_watermarks::sealable(clock::time_point now,
                                                         clock::duration settle) {
  // A settled note says less than a newer settled one: only the newest is kept. It stays
  // after it is sealed up to, so a failed round costs nothing (sealing up to it again is a
  // no-op once it succeeded).
  while (notes_.size() > 1 && notes_[1].at + settle <= now) notes_.pop_front();
  if (notes_.empty() || notes_.front().at + settle > now) return std::nullopt;
  return notes_.front().drawn;
}

}  // namespace billd
