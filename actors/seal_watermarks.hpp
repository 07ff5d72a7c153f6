#pragma once
// Which audit rows the sealer may seal. A row's `at` is its transaction's start, which says
// nothing about the order of ids: a transaction that starts earlier can insert later and get
// the larger id. Sealing by `at` (every row older than audit.seal_after_s) therefore sealed a
// row and left a smaller id of a younger transaction outside its checkpoint's count, and the
// chain failed verification under load. What bounds an uncommitted row is when its id was
// drawn: each round notes the highest audit id drawn so far, and once a note is older than
// any transaction can stay open, every id up to it belongs to a transaction that has ended.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace billd {

class seal_watermarks {
 public:
  using clock = std::chrono::steady_clock;

  /// `id` was the highest audit id drawn at `at` (read before `at`).
  void note(clock::time_point at, std::int64_t id);

  /// The highest noted id whose note is at least `settle` old at `now`, or nullopt when no
  /// note is that old yet. Keeps at most that note and the ones younger than `settle`.
  std::optional<std::int64_t> sealable(clock::time_point now, clock::duration settle);

  std::size_t size() const { return notes_.size(); }

 private:
  struct mark {
    clock::time_point at;
    std::int64_t id;
  };
  std::deque<mark> notes_;  // oldest first
};

}  // namespace billd
