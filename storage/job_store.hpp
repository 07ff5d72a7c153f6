#pragma once
// Durable jobs (ARCHITECTURE.md "Durability"): enqueued in the transaction of the change that
// needs them, leased with a fencing token, finished or rescheduled only by the lease holder.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace billd {

class pg_connection;
class pg_pipeline;

/// Job kinds that talk to the payment gateway.
inline constexpr const char* job_control_number = "control_number";
inline constexpr const char* job_withdrawal = "withdrawal";

/// A job this node holds the lease of.
struct leased_job {
  std::string id;
  std::string kind;
  std::string bill_id;
  std::string payload;  // JSON object text
  std::int32_t attempt = 0;
  std::int64_t fence = 0;
  std::int64_t age_s = 0;  // since it was created
};

/// How many kinds one lease may ask for: every kind there is (import, alert_notify,
/// control_number, withdrawal).
inline constexpr std::size_t lease_kinds_max = 4;

/// Leases due jobs of `kinds` (queued, waiting past its time, or running with an expired
/// lease), bumping attempt and fence; skips rows another node is leasing right now. At most
/// the largest power of two not above `limit` (and not above 8 192): one prepared statement
/// per size, each with its limit in the text so PostgreSQL keeps one plan for it. Throws
/// std::invalid_argument for more than lease_kinds_max kinds.
std::vector<leased_job> lease_jobs(pg_connection& conn, const std::vector<std::string>& kinds,
                                   std::uint32_t limit, std::chrono::milliseconds lease);

/// Inserts a job due now (bill_id empty: a job of no bill).
void enqueue_job(pg_connection& conn, const std::string& kind, const std::string& bill_id,
                 const std::string& payload_json);
/// enqueue_job, added to `out` to run with others in one round trip.
void enqueue_job(pg_pipeline& out, const std::string& kind, const std::string& bill_id,
                 const std::string& payload_json);

/// Ends a leased job; false when the lease was lost (another holder has a newer fence).
bool finish_job(pg_connection& conn, const std::string& id, std::int64_t fence,
                const std::string& status = "done");

/// Puts a leased job back: runs again after `delay` (status queued, or waiting for a callback).
bool reschedule_job(pg_connection& conn, const std::string& id, std::int64_t fence,
                    std::chrono::milliseconds delay, const std::string& last_error,
                    const std::string& status = "queued");

/// A leased job and its lease's fence.
struct job_lease_ref {
  std::string id;
  std::int64_t fence = 0;
};

/// finish_job (status done) for many jobs, added to `out` (one round trip); a job whose lease
/// was lost is left alone.
void finish_jobs(pg_pipeline& out, const std::vector<job_lease_ref>& jobs);

/// Finishes the control-number job of a bill whatever its lease (an async callback arrived),
/// added to `out`.
void finish_control_number_job(pg_pipeline& out, const std::string& bill_id);

/// Counts of jobs per status (for health and metrics).
struct job_counts {
  std::int64_t queued = 0, running = 0, waiting = 0, dead = 0;
};
job_counts count_jobs(pg_connection& conn);

}  // namespace billd
