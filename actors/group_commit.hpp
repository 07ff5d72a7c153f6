#pragma once
// Group commit: several queued writes in one transaction, so one WAL flush commits them all.
// Each member runs under its own savepoint: a member that fails is rolled back alone and
// answered with its own outcome; the others commit. Nobody is answered before the COMMIT.

#include <memory>
#include <vector>

#include "actors/db_task.hpp"
#include "actors/messages.hpp"

namespace billd {

/// Member outcomes, filled while the group task runs; they stand only if it committed.
using member_outcomes = std::shared_ptr<std::vector<db_outcome>>;

/// One task that runs `members` (already in lock order) in one transaction and writes member
/// i's outcome to (*outcomes)[i]. It fails as a whole, with nothing committed, when the
/// connection or the server fails or the COMMIT does.
db_task_ptr make_group_task(std::vector<db_task_ptr> members, const member_outcomes& outcomes);

/// True for a member outcome that lost a lock race with another batch (deadlock or
/// serialization failure): nothing of it committed, and it is worth running again alone.
bool lost_to_another_batch(const db_outcome& member);

}  // namespace billd
