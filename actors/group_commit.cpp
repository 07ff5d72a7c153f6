#include "actors/group_commit.hpp"

#include <chrono>
#include <string>

#include "storage/pg_connection.hpp"

namespace billd {
namespace {

/// Runs one member under the batch's savepoint. The savepoint of the member before is
/// released in the same round trip that takes this one.
db_outcome run_member(pg_connection& conn, db_task& task, bool first) {
  if (db_outcome late; past_deadline(task, late)) return late;
  conn.exec(first ? "SAVEPOINT group_member"
                  : "RELEASE SAVEPOINT group_member; SAVEPOINT group_member");
  auto out = run_task_body(task, conn);
  // A body may catch its own transaction's failure and answer anyway (run_idempotent does):
  // in_transaction marked the member, and its work is undone all the same.
  bool undo = conn.take_member_failed() || out.code != db_outcome_code::ok;
  if (out.code == db_outcome_code::failed && is_dependency_failure(out.error))
    throw db_error(out.error, "", out.message);  // the connection or server: no member stands
  if (undo) conn.exec("ROLLBACK TO SAVEPOINT group_member");
  return out;
}

}  // namespace

db_task_ptr make_group_task(std::vector<db_task_ptr> members, const member_outcomes& outcomes) {
  auto group = std::make_shared<db_task>();
  const auto& first = *members.front();
  group->name = first.name + "+" + std::to_string(members.size() - 1);
  group->write = true;
  group->request_id = first.request_id;
  group->deadline = first.deadline;
  for (const auto& m : members) group->deadline = std::max(group->deadline, m->deadline);
  outcomes->assign(members.size(), db_outcome{});
  group->body = [members = std::move(members), outcomes](pg_connection& conn) {
    conn.begin();
    try {
      group_scope scope{conn};
      for (std::size_t i = 0; i < members.size(); ++i)
        (*outcomes)[i] = run_member(conn, *members[i], i == 0);
    } catch (...) {
      conn.rollback_quietly();
      throw;
    }
    conn.commit();
  };
  return group;
}

bool lost_to_another_batch(const db_outcome& member) {
  return member.code == db_outcome_code::failed && member.error == db_errc::serialization_failure;
}

}  // namespace billd
