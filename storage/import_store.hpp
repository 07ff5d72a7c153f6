#pragma once
// CSV imports as durable jobs: the upload stores its rows in chunks under a staged job that
// becomes queued once the whole file is stored; each batch creates its bills, records per-row errors and advances the progress in one
// transaction, so a crash resumes exactly after the last committed batch.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/money.hpp"

namespace billd {

class pg_connection;

inline constexpr const char* job_import = "import";
/// Row errors kept per import (API.md); more are counted and flagged as truncated.
inline constexpr int import_errors_kept = 1000;

/// Creates the job of an upload that is still arriving, owned by owner_id, in state
/// 'uploading' (never leased).
void stage_import(pg_connection& conn, const std::string& job_id, const std::string& owner_id);

/// Stores rows (each the 8 import columns in import_columns order, or a row of another width
/// for the job to report) as rows stored+1.. of a staged import; one statement.
void append_import_rows(pg_connection& conn, const std::string& job_id, std::int64_t stored,
                        const std::vector<std::vector<std::string>>& rows);

/// Turns a staged import of `total` rows into a queued job; false when it is no longer staged.
bool activate_import(pg_connection& conn, const std::string& job_id, std::int64_t total);

/// Deletes a staged import and its rows (an upload that failed or was a replay).
void discard_import(pg_connection& conn, const std::string& job_id);

/// Deletes staged imports created more than `age` ago: uploads a crash or a lost client left
/// behind. Returns how many.
std::int64_t discard_stale_uploads(pg_connection& conn, std::chrono::milliseconds age);

/// What one batch did.
struct import_batch {
  bool lease_lost = false;
  bool finished = false;
  std::int64_t processed = 0;
};

/// Turns the next `batch` rows of a leased import into bills (created by the job's owner).
import_batch run_import_batch(pg_connection& conn, const std::string& job_id, std::int64_t fence,
                              std::uint32_t batch, std::chrono::milliseconds lease,
                              const currency_set& currencies, const std::string& timezone);

/// GET /api/v1/jobs/{id} for `user_id` (admins see every job); nullopt when unknown or not
/// theirs.
std::optional<std::string> job_status_json(pg_connection& conn, const std::string& job_id,
                                           const std::string& user_id, bool admin);

}  // namespace billd
