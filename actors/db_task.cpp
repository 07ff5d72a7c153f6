#include "actors/db_task.hpp"

#include "actors/messages.hpp"
#include "storage/pg_connection.hpp"

namespace billd {

db_outcome run_task_body(db_task& task, pg_connection& conn) {
  db_outcome out;
  try {
    task.body(conn);
  } catch (const db_error& e) {
    out.code = db_outcome_code::failed;
    out.error = e.code();
    out.message = e.what();
  } catch (const std::exception& e) {
    out.code = db_outcome_code::failed;
    out.error = db_errc::other;
    out.message = e.what();
  }
  return out;
}

bool past_deadline(const db_task& task, db_outcome& out) {
  if (std::chrono::steady_clock::now() < task.deadline) return false;
  out.code = db_outcome_code::deadline_passed;
  return true;
}

}  // namespace billd
