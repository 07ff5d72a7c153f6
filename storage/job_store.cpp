#include "storage/job_store.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <string>

#include "domain/ids.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

const pg_statement finish_stmt{
    "job_finish",
    "UPDATE jobs SET status = $3, locked_until = NULL, updated_at = now()"
    " WHERE id = $1 AND fence = $2 AND status IN ('running', 'waiting')"};

/// Lease limits with a statement of their own: 2^0 to 2^13 (jobs.batch is at most 10 000).
constexpr int lease_sizes = 14;

/// The lease statement of each limit 2^i. A generic plan must look no dearer than a custom one
/// for PostgreSQL to keep it, and two parameters made it look dearer, so every lease was
/// planned anew (518 plans in 514 leases, half of PostgreSQL's planning in the gateway flow):
/// LIMIT $n (a generic plan assumes 10 % of the rows) and an array of kinds (it assumes 100
/// elements where a custom plan sees the real count). So the limit is part of the text, and
/// the kinds fill fixed slots (NULL: unused, matches nothing).
const pg_statement& lease_statement(int size_log2) {
  static_assert(lease_kinds_max == 4, "the statement below has one VALUES slot per kind");
  struct all_sizes {
    std::array<std::string, lease_sizes> names, sqls;
    std::array<pg_statement, lease_sizes> statements;
    all_sizes() {
      for (int i = 0; i < lease_sizes; ++i) {
        auto limit = std::to_string(1u << i);
        auto at = static_cast<std::size_t>(i);
        names[at] = "job_lease_" + limit;
        // SKIP LOCKED lets several nodes lease side by side; the fence makes a late finisher
        // whose lease expired unable to overwrite the new holder's outcome. Each kind's oldest
        // due jobs from jobs_kind_due, then the oldest of those: the cost follows the limit,
        // not the backlog of kinds this runner does not lease.
        sqls[at] =
            "UPDATE jobs j SET status = 'running', attempt = j.attempt + 1, fence = j.fence + 1,"
            " locked_until = now() + ($5::bigint * interval '1 millisecond'), updated_at = now()"
            " FROM (SELECT d.id FROM (VALUES ($1::text), ($2::text), ($3::text), ($4::text))"
            "   AS k(kind)"
            "       CROSS JOIN LATERAL (SELECT id, run_after FROM jobs"
            "         WHERE kind = k.kind AND status IN ('queued', 'waiting', 'running')"
            "           AND run_after <= now() AND (locked_until IS NULL OR locked_until < now())"
            "         ORDER BY run_after LIMIT " +
            limit + " FOR UPDATE SKIP LOCKED) d ORDER BY d.run_after LIMIT " + limit +
            ") due"
            " WHERE j.id = due.id"
            " RETURNING j.id, j.kind, coalesce(j.bill_id, ''), j.payload::text, j.attempt,"
            " j.fence, extract(epoch FROM now() - j.created_at)::bigint";
        statements[at] = {names[at].c_str(), sqls[at].c_str()};
      }
    }
  };
  static const all_sizes sizes;  // built once, on first use, before any thread reads it
  return sizes.statements[static_cast<std::size_t>(size_log2)];
}

}  // namespace

std::vector<leased_job> lease_jobs(pg_connection& conn, const std::vector<std::string>& kinds,
                                   std::uint32_t limit, std::chrono::milliseconds lease) {
  if (limit == 0 || kinds.empty()) return {};
  auto size_log2 = std::min(static_cast<int>(std::bit_width(limit)) - 1, lease_sizes - 1);
  if (kinds.size() > lease_kinds_max)
    throw std::invalid_argument("a lease asks for at most " + std::to_string(lease_kinds_max) +
                                " kinds");
  pg_params params{kinds.begin(), kinds.end()};
  params.resize(lease_kinds_max);  // unused slots: NULL
  params.emplace_back(std::to_string(lease.count()));
  auto rows = conn.run(lease_statement(size_log2), params);
  std::vector<leased_job> out;
  for (int i = 0; i < rows.size(); ++i)
    out.push_back({rows.str(i, 0), rows.str(i, 1), rows.str(i, 2), rows.str(i, 3),
                   static_cast<std::int32_t>(rows.int64(i, 4)), rows.int64(i, 5),
                   rows.int64(i, 6)});
  return out;
}

void enqueue_job(pg_pipeline& out, const std::string& kind, const std::string& bill_id,
                 const std::string& payload_json) {
  static const pg_statement stmt{
      "job_enqueue",
      "INSERT INTO jobs (id, kind, bill_id, payload) VALUES ($1, $2, $3, $4::jsonb)"};
  out.add(stmt,
          {new_id("job"), kind, bill_id.empty() ? std::nullopt : pg_param{bill_id}, payload_json});
}

void enqueue_job(pg_connection& conn, const std::string& kind, const std::string& bill_id,
                 const std::string& payload_json) {
  pg_pipeline one;
  enqueue_job(one, kind, bill_id, payload_json);
  conn.run(one);
}

bool finish_job(pg_connection& conn, const std::string& id, std::int64_t fence,
                const std::string& status) {
  return conn.run(finish_stmt, {id, std::to_string(fence), status}).affected() == 1;
}

bool reschedule_job(pg_connection& conn, const std::string& id, std::int64_t fence,
                    std::chrono::milliseconds delay, const std::string& last_error,
                    const std::string& status) {
  static const pg_statement stmt{
      "job_reschedule",
      "UPDATE jobs SET status = $5, locked_until = NULL, last_error = $4, updated_at = now(),"
      " run_after = now() + ($3::bigint * interval '1 millisecond')"
      " WHERE id = $1 AND fence = $2 AND status = 'running'"};
  return conn.run(stmt,
                  {id, std::to_string(fence), std::to_string(delay.count()), last_error, status})
             .affected() == 1;
}

void finish_jobs(pg_pipeline& out, const std::vector<job_lease_ref>& jobs) {
  // One statement per job (pipelined, so still one round trip): each waits for a concurrent
  // writer of its row and then checks the fence on the row's latest version. A set-based
  // UPDATE joined to the ids would have to lock the rows first to do the same.
  for (const auto& j : jobs) out.add(finish_stmt, {j.id, std::to_string(j.fence), "done"});
}

void finish_control_number_job(pg_pipeline& out, const std::string& bill_id) {
  static const pg_statement stmt{
      "job_finish_control_number",
      "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = now()"
      " WHERE bill_id = $1 AND kind = 'control_number'"
      " AND status IN ('queued', 'running', 'waiting')"};
  out.add(stmt, {bill_id});
}

job_counts count_jobs(pg_connection& conn) {
  // Two reads, each matching a partial index's predicate word for word (jobs_kind_due, and
  // jobs_dead from migration 0014), so the cost follows the open and dead jobs, not the
  // finished ones that make up most of the table until retention purges them.
  static const pg_statement stmt{
      "job_counts",
      "SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status ="
      " 'running'), count(*) FILTER (WHERE status = 'waiting'),"
      " (SELECT count(*) FROM jobs WHERE status = 'dead')"
      " FROM jobs WHERE status IN ('queued', 'running', 'waiting')"};
  auto rows = conn.run(stmt, {});
  return {rows.int64(0, 0), rows.int64(0, 1), rows.int64(0, 2), rows.int64(0, 3)};
}

}  // namespace billd
