// The alert rules on their own, and the alert actor on CAF's deterministic coordinator: the
// periodic check runs on its interval (advance_time, no sleeping), an alert kind fires at most
// once per cooldown, and a raise the store refused is tried again at the next check.
#define CAF_SUITE alert
#include <utility>

#include "actors/alert.hpp"
#include "caf/test/dsl.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

window_figures window_of(std::uint64_t requests, std::uint64_t errors, double avg_ms,
                         std::uint64_t slow) {
  window_figures w;
  w.requests = requests;
  w.server_errors = errors;
  w.latency_sum_ms = avg_ms * static_cast<double>(requests);
  w.slow = slow;
  return w;
}

std::vector<std::string> kinds(const std::vector<alert_event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

}  // namespace

CAF_TEST(thresholds_and_actor_limits_decide_which_kinds_are_due) {
  alert_thresholds t;  // 10 %, 2000 ms, 50 slow, 1000 sessions
  actor_alert_limits limits;
  alert_inputs quiet{window_of(1'000, 5, 20, 0), 3, {{"cache", 5}}, {{"x", 59s}}};
  CAF_CHECK(evaluate_alerts(quiet, t, limits).empty());
  alert_inputs loud{window_of(1'000, 100, 2'000, 50),
                    1'000,
                    {{"cache", 6}},
                    {{"dependency=\"postgresql\"", 60s}}};
  CAF_CHECK_EQUAL(kinds(evaluate_alerts(loud, t, limits)),
                  (std::vector<std::string>{"error_rate", "response_time", "slow_requests",
                                            "active_sessions", "actor_restarts", "breaker_open"}));
  // Too few requests for an error rate to mean anything.
  alert_inputs few{window_of(19, 19, 1, 0), 0, {}, {}};
  CAF_CHECK(evaluate_alerts(few, t, limits).empty());
  auto events = evaluate_alerts(loud, t, limits);
  CAF_CHECK_EQUAL(events[0].severity, "critical");
  CAF_CHECK(events[0].details_json.find("\"error_rate_pct\":10") != std::string::npos);
}

namespace {

/// What the fake monitor and store saw and say.
struct world {
  metrics_snapshot snapshot;
  alert_thresholds thresholds;
  std::vector<alert_event> raised;
  bool refuse_raises = false;
  int snapshots_taken = 0;
};

monitor_actor::behavior_type fake_monitor(monitor_actor::pointer, std::shared_ptr<world> w) {
  return {
      [](report_atom, const front_report_ptr&) {},
      [](restart_atom, const std::string&) {},
      [](metrics_atom) -> metrics_snapshot_ptr {
        CAF_FAIL("an alert check asked for the scrape's snapshot (with the job count)");
        return nullptr;
      },
      [w](metrics_atom, alerts_atom) {
        ++w->snapshots_taken;
        return metrics_snapshot_ptr{std::make_shared<metrics_snapshot>(w->snapshot)};
      },
      [](stats_atom) {
        return caf::result<std::uint64_t, std::uint64_t, std::uint64_t>(0u, 0u, 0u);
      },
  };
}

alert_store_actor::behavior_type fake_store(alert_store_actor::pointer, std::shared_ptr<world> w) {
  return {
      [w](load_atom) { return w->thresholds; },
      [w](raise_atom, const alert_event& ev) -> caf::result<alert_raised> {
        if (w->refuse_raises) return caf::make_error(caf::sec::request_timeout);
        w->raised.push_back(ev);
        return alert_raised{"alr_" + std::to_string(w->raised.size()), true, "{}"};
      },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<world> w = std::make_shared<world>();
  monitor_actor monitor;
  alert_store_actor store;
  alert_actor alerts;

  fixture() {
    w->thresholds.cooldown_s = 300;
    w->snapshot.last_5min = window_of(100, 50, 10, 0);  // 50 % errors
    monitor = sys.spawn(fake_monitor, w);
    store = sys.spawn(fake_store, w);
    auto monitor_slot = make_slot<monitor_actor>();
    monitor_slot->set(monitor);
    auto store_slot = make_slot<alert_store_actor>();
    store_slot->set(store);
    alert_actor_config alert_cfg;
    alert_cfg.interval = 30s;
    alert_cfg.timeout = 1s;
    alert_cfg.monitor = monitor_slot;
    alert_cfg.store = store_slot;
    alerts = spawn_alert(sys, alert_cfg);
    sched.run();
  }

  ~fixture() {
    for (auto a : {caf::actor_cast<caf::actor>(alerts), caf::actor_cast<caf::actor>(monitor),
                   caf::actor_cast<caf::actor>(store)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Lets `d` pass on the test clock and runs whatever became due.
  void pass(caf::timespan d) {
    advance_time(d);
    sched.run();
  }

  /// POST /api/v1/alerts/check's path: asks the actor and returns its answer.
  alert_check_result check_now() {
    auto out = std::make_shared<alert_check_result>();
    auto a = alerts;
    sys.spawn(
        [out, a](caf::event_based_actor* asker, int) {
          asker->request(a, caf::infinite, check_atom::value).then([out](alert_check_result& r) {
            *out = std::move(r);
          });
        },
        0);
    sched.run();
    return *out;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(alert_actor_tests, fixture)

CAF_TEST(the_periodic_check_runs_on_its_interval_and_fires_once_per_cooldown) {
  CAF_CHECK_EQUAL(w->snapshots_taken, 0);
  pass(29s);
  CAF_CHECK_EQUAL(w->snapshots_taken, 0);
  pass(1s);  // the first check
  CAF_CHECK_EQUAL(w->snapshots_taken, 1);
  CAF_REQUIRE_EQUAL(w->raised.size(), 1u);
  CAF_CHECK_EQUAL(w->raised[0].kind, "error_rate");
  for (int i = 0; i < 9; ++i) pass(30s);  // 270 s later: still within the 300 s cooldown
  CAF_CHECK_EQUAL(w->snapshots_taken, 10);
  CAF_CHECK_EQUAL(w->raised.size(), 1u);
  pass(30s);  // 300 s after it fired
  CAF_CHECK_EQUAL(w->raised.size(), 2u);
}

CAF_TEST(a_check_on_demand_answers_what_fired_and_respects_the_cooldown) {
  auto first = check_now();
  CAF_CHECK(first.checked);
  CAF_CHECK_EQUAL(first.fired.size(), 1u);
  auto second = check_now();
  CAF_CHECK(second.checked);
  CAF_CHECK_EQUAL(second.fired.size(), 0u);
  // New thresholds are read at every check: a shorter cooldown applies at once.
  w->thresholds.cooldown_s = 10;
  pass(10s);
  CAF_CHECK_EQUAL(check_now().fired.size(), 1u);
}

CAF_TEST(a_raise_the_store_refused_is_tried_again_at_the_next_check) {
  w->refuse_raises = true;
  CAF_CHECK_EQUAL(check_now().fired.size(), 0u);
  w->refuse_raises = false;
  CAF_CHECK_EQUAL(check_now().fired.size(), 1u);
  CAF_CHECK_EQUAL(w->raised.size(), 1u);
}

CAF_TEST(a_breaker_open_long_enough_raises_breaker_open) {
  w->snapshot.last_5min = window_of(100, 0, 10, 0);
  w->snapshot.owned.add("billd_breaker_state", "dependency=\"postgresql\"", 2);
  CAF_CHECK_EQUAL(check_now().fired.size(), 0u);  // first seen open now
  pass(59s);
  CAF_CHECK_EQUAL(check_now().fired.size(), 0u);
  pass(1s);
  auto r = check_now();
  CAF_REQUIRE_EQUAL(w->raised.size(), 1u);
  CAF_CHECK_EQUAL(w->raised[0].kind, "breaker_open");
}

CAF_TEST_FIXTURE_SCOPE_END()
