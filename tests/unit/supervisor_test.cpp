// Supervision on CAF's deterministic coordinator: restart, backoff, budget, escalation and
// strategies, stepped by the test clock (no sleeping).
#define CAF_SUITE supervisor
#include <utility>

#include "actors/atoms.hpp"
#include "actors/restart_policy.hpp"
#include "actors/supervisor.hpp"
#include "caf/test/dsl.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

caf::behavior idle_child(caf::event_based_actor*, int) {
  return {[](int x) { return x; }};
}

struct fixture : test_coordinator_fixture<> {
  /// Every handle each child was started with, per child index.
  std::shared_ptr<std::vector<std::vector<caf::actor>>> started =
      std::make_shared<std::vector<std::vector<caf::actor>>>();

  supervisor_spec make_spec(restart_strategy strategy, std::size_t children,
                            std::uint32_t max_restarts = 10) {
    supervisor_spec spec;
    spec.name = "test-supervisor";
    spec.strategy = strategy;
    spec.limits.max_restarts = max_restarts;
    spec.limits.period = 60s;
    spec.limits.backoff_base = 100ms;
    spec.limits.backoff_max = 10s;
    spec.limits.reset_after = 30s;
    spec.seed = 42;
    started->assign(children, {});
    for (std::size_t i = 0; i < children; ++i)
      spec.children.push_back(
          {"child-" + std::to_string(i), [log = started, i](caf::actor_system& s) {
             auto child = s.spawn(idle_child, 0);
             (*log)[i].push_back(child);
             return child;
           }});
    return spec;
  }

  caf::actor current(std::size_t i) { return started->at(i).back(); }
  std::size_t starts(std::size_t i) { return started->at(i).size(); }
  void crash(std::size_t i) {
    caf::anon_send_exit(current(i), caf::exit_reason::kill);
    sched.run();
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(supervisor_tests, fixture)

CAF_TEST(a_crashed_child_is_restarted_after_its_backoff_with_jitter) {
  auto sup = spawn_supervisor(sys, make_spec(restart_strategy::one_for_one, 1));
  sched.run();
  CAF_REQUIRE_EQUAL(starts(0), 1u);
  crash(0);
  CAF_CHECK_EQUAL(starts(0), 1u);
  advance_time(79ms);  // the first delay is 100 ms ±20 %: never before 80 ms
  sched.run();
  CAF_CHECK_EQUAL(starts(0), 1u);
  advance_time(42ms);  // ... and never after 120 ms
  sched.run();
  CAF_CHECK_EQUAL(starts(0), 2u);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(consecutive_failures_double_the_delay) {
  auto sup = spawn_supervisor(sys, make_spec(restart_strategy::one_for_one, 1));
  sched.run();
  crash(0);
  advance_time(121ms);
  sched.run();
  CAF_REQUIRE_EQUAL(starts(0), 2u);
  crash(0);  // second failure in a row: 200 ms ±20 %
  advance_time(159ms);
  sched.run();
  CAF_CHECK_EQUAL(starts(0), 2u);
  advance_time(82ms);
  sched.run();
  CAF_CHECK_EQUAL(starts(0), 3u);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(restarts_are_counted_per_child) {
  auto sup = spawn_supervisor(sys, make_spec(restart_strategy::one_for_one, 2));
  sched.run();
  crash(1);
  advance_time(200ms);
  sched.run();
  self->send(sup, stats_atom::value);
  sched.run();
  self->receive([](std::vector<std::string>& names, std::vector<std::uint64_t>& counts) {
    CAF_CHECK_EQUAL(names.size(), 2u);
    CAF_CHECK_EQUAL(counts.at(0), 0u);
    CAF_CHECK_EQUAL(counts.at(1), 1u);
  });
  CAF_CHECK_EQUAL(starts(0), 1u);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(rest_for_one_restarts_the_failed_child_and_those_started_after_it) {
  auto sup = spawn_supervisor(sys, make_spec(restart_strategy::rest_for_one, 3));
  sched.run();
  crash(1);
  advance_time(200ms);
  sched.run();
  advance_time(20ms);
  sched.run();
  CAF_CHECK_EQUAL(starts(0), 1u);
  CAF_CHECK_EQUAL(starts(1), 2u);
  CAF_CHECK_EQUAL(starts(2), 2u);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(an_exhausted_budget_escalates_with_a_recognisable_reason) {
  auto sup = spawn_supervisor(sys, make_spec(restart_strategy::one_for_one, 2, 2));
  self->monitor(sup);
  sched.run();
  for (int i = 0; i < 2; ++i) {
    crash(0);
    advance_time(10s);
    sched.run();
  }
  CAF_REQUIRE_EQUAL(starts(0), 3u);
  auto survivor = current(1);
  crash(0);  // the third failure within the period exceeds max_restarts = 2
  sched.run();
  bool escalated = false;
  self->receive(
      [&](caf::down_msg& msg) {
        escalated = true;
        CAF_CHECK(is_budget_exhausted(msg.reason));
      },
      caf::after(std::chrono::seconds{0}) >> [] {});
  CAF_CHECK(escalated);
  // It stopped its other children before dying.
  self->monitor(survivor);
  self->receive([](caf::down_msg&) {}, caf::after(std::chrono::seconds{0}) >>
                                           [] { CAF_FAIL("the sibling outlived its supervisor"); });
}

CAF_TEST(a_normal_exit_is_not_restarted) {
  auto sup = spawn_supervisor(sys, make_spec(restart_strategy::one_for_one, 1));
  sched.run();
  caf::anon_send_exit(current(0), caf::exit_reason::normal);
  sched.run();
  advance_time(10s);
  sched.run();
  CAF_CHECK_EQUAL(starts(0), 1u);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(the_budget_forgets_failures_older_than_its_period) {
  supervisor_settings limits;
  limits.max_restarts = 2;
  limits.period = 60s;
  restart_budget budget{limits};
  std::chrono::steady_clock::time_point t{};
  CAF_CHECK(budget.admit(t));
  CAF_CHECK(budget.admit(t + 1s));
  CAF_CHECK(!budget.admit(t + 2s));
  CAF_CHECK(budget.admit(t + 120s));
}

CAF_TEST(the_backoff_resets_after_a_quiet_period_and_is_capped) {
  supervisor_settings limits;
  limits.backoff_base = 100ms;
  limits.backoff_max = 1s;
  limits.reset_after = 30s;
  restart_backoff backoff{limits, 7};
  std::chrono::steady_clock::time_point t{};
  for (int i = 0; i < 10; ++i) {
    auto d = backoff.on_failure(t + std::chrono::milliseconds{i});
    CAF_CHECK(d <= 1200ms);
  }
  auto after_quiet = backoff.on_failure(t + 60s);
  CAF_CHECK(after_quiet >= 80ms && after_quiet <= 120ms);
}

CAF_TEST_FIXTURE_SCOPE_END()
