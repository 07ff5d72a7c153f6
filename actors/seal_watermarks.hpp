#pragma once
// Which audit rows the sealer may seal. A row's `at` is its transaction's start, which says
// nothing about the order of ids: a transaction that starts earlier can insert later and get
// the larger id. Sealing by `at` (every row older than audit.seal_after_s) therefore sealed a
// row and left a smaller id of a younger transaction outside its checkpoint's count, and the
// chain failed verification under load. What bounds an uncommitted row is when its id was
// drawn: each round notes the highest audit id drawn so far, and once a note is older than
// any transaction can stay open, every id up to it belongs to a transaction that has ended
// (the seal checks that no transaction that began before the note is still open, too).

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "storage/audit_store.hpp"

namespace billd {

class seal_watermarks {
 public:
  using clock = std::chrono::steady_clock;

  /// `drawn` was read before `at`. A note lower than the one before (the database was restored
  /// or failed over to a standby that lagged) makes the earlier ones void.
  void note(clock::time_point at, audit_draw_mark drawn);

  /// The newest note at least `settle` old at `now`, or nullopt when no note is that old yet.
  /// Keeps at most that note and the ones younger than `settle`.
  std::optional<audit_draw_mark> sealable(clock::time_point now, clock::duration settle);

  std::size_t size() const { return notes_.size(); }

 private:
  struct mark {
    clock::time_point at;
    audit_draw_mark drawn;
  };
  std::deque<mark> notes_;  // oldest first
};

}  // namespace billd
