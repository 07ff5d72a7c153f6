#pragma once
// Deadlines of an actor's requests to other actors, kept by the actor instead of by CAF's
// request timeouts. A CAF request timeout is a timer of its own that fires, and wakes a worker,
// even when its answer came long before: with one per job or delivery, a busy node wakes
// thousands of times a second for nothing, for as long as the budget after a burst. Here an
// answer closes its call, and one wake-up at the soonest deadline (expire_atom, self-sent)
// expires whatever is still open then.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>

namespace billd {

class call_deadlines {
 public:
  using clock = std::chrono::steady_clock;

  /// Opens a call that must be answered by `due`; `on_expiry` runs from expire() if it is still
  /// open then. Returns its id, for close().
  std::uint64_t open(clock::time_point due, std::function<void()> on_expiry);

  /// Closes call `id` when its answer (or error) arrives: true when it was open, so the answer
  /// counts; false when it has expired already (its on_expiry ran), so the answer is dropped.
  bool close(std::uint64_t id);

  /// Runs on_expiry of every open call due at or before `now`, in the order they fell due (then
  /// opened), and closes them. Returns the soonest deadline still open (nullopt: none), the
  /// moment the next wake-up is needed.
  std::optional<clock::time_point> expire(clock::time_point now);

  /// Whether a wake-up at `due` must be set: none is set for it or earlier. The actor then
  /// self-sends expire_atom for `due` (a delayed_send cannot be taken back: one that finds
  /// nothing due is harmless).
  bool needs_wakeup(clock::time_point due);

  std::size_t open_calls() const { return open_.size(); }

 private:
  struct call {
    clock::time_point due;
    std::function<void()> on_expiry;
  };
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, call> open_;
  clock::time_point wakeup_ = clock::time_point::max();  // the soonest wake-up already set
};

}  // namespace billd
