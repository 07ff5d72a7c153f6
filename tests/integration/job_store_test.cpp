// The job store against a real PostgreSQL: leasing one kind's jobs reads that kind's due jobs
// only, however long another kind's backlog is, with the plan the prepared statement settles on
// once the table's statistics know the backlog (and keeps, instead of planning each lease);
// counting jobs by status (every /metrics scrape and alert check) reads the open and dead jobs,
// not the finished ones.
#define CAF_SUITE job_store
#include <utility>

#include <algorithm>
#include <stdexcept>

#include "caf/test/unit_test.hpp"
#include "storage/job_store.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/migrated_database.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

constexpr int backlog = 20000;

struct fixture : migrated_database {
  fixture() {
    // A control-number backlog (no gateway configured, or the gateway down), known to the
    // planner as autovacuum's ANALYZE would make it known after a burst of creates.
    conn.exec(
        "INSERT INTO jobs (id, kind, run_after) SELECT 'job_' || n, 'control_number',"
        " now() - interval '1 minute' FROM generate_series(1, " +
        std::to_string(backlog) + ") n");
    conn.exec("ANALYZE jobs");
  }

  /// Leases `kinds` as billd does, after enough rounds (of a kind with no jobs) for PostgreSQL
  /// to settle on a plan for the prepared statement (from the sixth execution on, a generic one
  /// if it looks cheaper), and returns what it leased and how many rows of `jobs` it read.
  std::pair<std::vector<leased_job>, std::int64_t> settled_lease(std::vector<std::string> kinds) {
    for (int i = 0; i < 6; ++i) lease_jobs(conn, {"no_such_kind"}, 32, 30s);
    return in_transaction(conn, [&] {  // the counts are read in the lease's transaction
      auto leased = lease_jobs(conn, kinds, 32, 30s);
      return std::pair{std::move(leased), jobs_rows_read()};
    });
  }

  /// Rows of `jobs` this connection has read, by scan or through an index, and not yet
  /// reported to the statistics collector (which it does at most once a second): the lease
  /// and, unless a report came between, the settling rounds before it.
  std::int64_t jobs_rows_read() {
    return conn
        .exec(
            "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
            " WHERE relname = 'jobs'")
        .int64(0, 0);
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(job_store_tests, fixture)

CAF_TEST(leasing_a_kind_with_nothing_due_does_not_read_another_kinds_backlog) {
  auto [leased, read] = settled_lease({"import", "withdrawal"});
  CAF_CHECK(leased.empty());
  CAF_MESSAGE("rows of jobs read by the lease: " << read);
  CAF_CHECK_LESS(read, 100);
}

CAF_TEST(the_backlogs_own_kind_is_leased_from_the_oldest_reading_about_what_it_leases) {
  conn.exec("UPDATE jobs SET run_after = run_after - interval '1 hour' WHERE id = 'job_17'");
  auto [leased, read] = settled_lease({"import", "control_number"});
  CAF_REQUIRE_EQUAL(leased.size(), 32u);
  // RETURNING promises no order: the oldest job is among those leased, wherever it is.
  auto oldest = std::find_if(leased.begin(), leased.end(),
                             [](const leased_job& j) { return j.id == "job_17"; });
  CAF_REQUIRE(oldest != leased.end());
  CAF_CHECK_EQUAL(oldest->attempt, 1);
  CAF_MESSAGE("rows of jobs read by the lease: " << read);
  CAF_CHECK_LESS(read, 200);
}

CAF_TEST(a_lease_takes_a_power_of_two_and_settles_on_one_plan_instead_of_planning_each_time) {
  for (int i = 0; i < 10; ++i) {
    auto leased = lease_jobs(conn, {"import", "control_number", "withdrawal"}, 12, 30s);
    CAF_CHECK_EQUAL(leased.size(), 8u);  // 12 rounded down: the statement for 8
  }
  auto plans = conn.exec(
      "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'job_lease_8'");
  CAF_REQUIRE_EQUAL(plans.size(), 1);
  CAF_MESSAGE("generic plans used: " << plans.int64(0, 0)
                                     << ", custom plans made: " << plans.int64(0, 1));
  // PostgreSQL makes five custom plans, then keeps the generic one when it looks no dearer
  // (with LIMIT $n, or the kinds as an array, it never did: ten custom plans).
  CAF_CHECK_EQUAL(plans.int64(0, 0), 5);
  CAF_CHECK_EQUAL(plans.int64(0, 1), 5);
  CAF_CHECK(lease_jobs(conn, {"control_number"}, 0, 30s).empty());
  bool refused = false;
  try {
    lease_jobs(conn, {"a", "b", "c", "d", "e"}, 8, 30s);  // one more kind than there are slots
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  CAF_CHECK(refused);
}

CAF_TEST(counting_jobs_by_status_reads_the_open_and_dead_jobs_not_the_finished_ones) {
  // The backlog, finished but for ten, as a table looks until retention purges it.
  conn.exec(
      "UPDATE jobs SET status = CASE"
      " WHEN id IN ('job_1', 'job_2', 'job_3') THEN 'queued'"
      " WHEN id IN ('job_4', 'job_5') THEN 'running' WHEN id = 'job_6' THEN 'waiting'"
      " WHEN id IN ('job_7', 'job_8', 'job_9', 'job_10') THEN 'dead' ELSE 'done' END");
  conn.exec("VACUUM ANALYZE jobs");
  // The UPDATE's own reads may not be reported yet: only what the count adds is its own.
  auto [counts, read] = in_transaction(conn, [&] {
    auto before = jobs_rows_read();
    auto c = count_jobs(conn);
    return std::pair{c, jobs_rows_read() - before};
  });
  CAF_CHECK_EQUAL(counts.queued, 3);
  CAF_CHECK_EQUAL(counts.running, 2);
  CAF_CHECK_EQUAL(counts.waiting, 1);
  CAF_CHECK_EQUAL(counts.dead, 4);
  CAF_MESSAGE("rows of jobs read by the count: " << read);
  CAF_CHECK_LESS(read, 100);
}

CAF_TEST_FIXTURE_SCOPE_END()
