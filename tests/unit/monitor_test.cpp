// The monitor on CAF's deterministic coordinator, against a db-pool that holds each task until
// the test fails it: scrapes that come while a job count is in flight share it (one count, not
// one per scrape), a failed count is reported missing to every one of them and not kept, and
// an alert check's snapshot runs no count.
#define CAF_SUITE monitor
#include <utility>

#include "actors/monitor.hpp"
#include "caf/test/dsl.hpp"
#include "tests/unit/ask_once.hpp"
#include "tests/unit/holding_pool.hpp"

#include <algorithm>

using namespace billd;

namespace {

constexpr auto count_task = "job_counts";

struct fixture : test_coordinator_fixture<> {
  test::held_pool db{sys};
  monitor_actor monitor;
  std::shared_ptr<std::vector<metrics_snapshot_ptr>> scrapes =
      std::make_shared<std::vector<metrics_snapshot_ptr>>();  // as their askers got them

  fixture() {
    monitor_config monitor_cfg;
    monitor_cfg.metrics.job_counts_max_age = std::chrono::minutes{10};  // only a success is kept
    monitor_cfg.sources.pool = db.slot;
    monitor = spawn_monitor(sys, monitor_cfg);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
    db.stop();
    sched.run();
  }

  /// Asks the monitor for a snapshot as /metrics does; the answer lands in `scrapes`.
  void scrape() {
    auto out = scrapes;
    test::ask_once(
        *this, monitor, [out](const metrics_snapshot_ptr& snap) { out->push_back(snap); },
        metrics_atom::value);
  }

  /// Asks the monitor for a snapshot as an alert check does.
  void alert_check() {
    auto out = scrapes;
    test::ask_once(
        *this, monitor, [out](const metrics_snapshot_ptr& snap) { out->push_back(snap); },
        metrics_atom::value, alerts_atom::value);
  }

  /// Fails every task the pool holds.
  void fail_held() {
    db.answer_all();
    sched.run();
  }

  std::size_t counts_asked() const { return db.asked(count_task); }
};

bool misses_jobs_table(const metrics_snapshot_ptr& snap) {
  return std::count(snap->missing.begin(), snap->missing.end(), "jobs-table") == 1;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(monitor_tests, fixture)

CAF_TEST(scrapes_during_a_job_count_wait_for_it_instead_of_counting_again) {
  scrape();
  scrape();
  scrape();
  CAF_CHECK_EQUAL(counts_asked(), 1u);
  CAF_CHECK_EQUAL(scrapes->size(), 0u);  // all three wait for the one count
  fail_held();
  CAF_REQUIRE_EQUAL(scrapes->size(), 3u);
  for (const auto& snap : *scrapes) CAF_CHECK(misses_jobs_table(snap));
}

CAF_TEST(a_failed_count_is_not_reused_by_the_next_scrape) {
  scrape();
  fail_held();
  CAF_REQUIRE_EQUAL(scrapes->size(), 1u);
  scrape();
  CAF_CHECK_EQUAL(counts_asked(), 2u);
  fail_held();
  CAF_REQUIRE_EQUAL(scrapes->size(), 2u);
  CAF_CHECK(misses_jobs_table(scrapes->back()));
}

CAF_TEST(an_alert_check_is_answered_without_a_job_count) {
  alert_check();
  CAF_CHECK_EQUAL(counts_asked(), 0u);
  CAF_REQUIRE_EQUAL(scrapes->size(), 1u);
  CAF_CHECK(!misses_jobs_table(scrapes->back()));
  scrape();  // a scrape still counts
  CAF_CHECK_EQUAL(counts_asked(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
