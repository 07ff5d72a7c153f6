// ask_within, stepped with CAF's deterministic coordinator: an answer in time reaches its
// handler once, and the wake-up set for its deadline then finds nothing to fail; a call left
// unanswered fails with request_timeout at its deadline, once, and its late answer is dropped;
// however many calls are open, the asking actor has one wake-up scheduled, where CAF request
// timeouts would schedule one per call.
#define CAF_SUITE ask_within
#include <utility>

#include "actors/ask_within.hpp"
#include "caf/test/dsl.hpp"

#include <string>
#include <vector>

using namespace billd;
using namespace std::chrono_literals;

namespace {

/// Holds every request for an int unanswered until told to answer them all (run_atom).
struct holder_state {
  std::vector<caf::response_promise> held;
};

caf::behavior holder(caf::stateful_actor<holder_state>* self) {
  return {
      [=](int) {
        auto rp = self->make_response_promise();
        self->state.held.push_back(rp);
        return rp;
      },
      [=](run_atom) {
        for (auto& rp : self->state.held) rp.deliver(42);
        self->state.held.clear();
      },
  };
}

/// Asks `target` for each int it gets, within 1 s, and writes down what came of each call.
struct asker_state {
  call_deadlines calls;
  std::vector<std::string> outcomes;
};

caf::behavior asker(caf::stateful_actor<asker_state>* self, caf::actor target) {
  return {
      [=](int x) {
        ask_within<int>(
            self, target, 1s,
            [=](int& answer) {
              self->state.outcomes.push_back(std::to_string(x) + ": " + std::to_string(answer));
            },
            [=](const caf::error& err) {
              self->state.outcomes.push_back(
                  std::to_string(x) + ": " +
                  (err == caf::sec::request_timeout ? "timeout" : caf::to_string(err)));
            },
            x);
      },
      [=](expire_atom) { expire_calls(self); },
  };
}

struct fixture : test_coordinator_fixture<> {
  caf::actor target = sys.spawn(holder);
  caf::actor asking = sys.spawn(asker, target);

  fixture() { sched.run(); }
  // Held promises keep the asker alive and the asker keeps the holder: end both, as their
  // supervisor would, or the system waits for them forever.
  ~fixture() {
    anon_send_exit(asking, caf::exit_reason::user_shutdown);
    anon_send_exit(target, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::vector<std::string>& outcomes() {
    return deref<caf::stateful_actor<asker_state>>(asking).state.outcomes;
  }
  std::size_t scheduled() { return sched.clock().schedule().size(); }
  void after(caf::timespan d) {
    advance_time(d);
    sched.run();
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(ask_within_tests, fixture)

CAF_TEST(an_answer_in_time_is_handled_once_and_its_wakeup_finds_nothing) {
  anon_send(asking, 1);
  sched.run();
  anon_send(target, run_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(outcomes(), std::vector<std::string>{"1: 42"});
  after(2s);  // the wake-up set for the call finds nothing open
  CAF_CHECK_EQUAL(outcomes(), std::vector<std::string>{"1: 42"});
  CAF_CHECK_EQUAL(scheduled(), 0u);
}

CAF_TEST(an_unanswered_call_times_out_at_its_deadline_and_its_late_answer_is_dropped) {
  anon_send(asking, 1);
  sched.run();
  after(999ms);
  CAF_CHECK(outcomes().empty());
  after(1ms);
  CAF_CHECK_EQUAL(outcomes(), std::vector<std::string>{"1: timeout"});
  anon_send(target, run_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(outcomes(), std::vector<std::string>{"1: timeout"});
}

CAF_TEST(one_wakeup_is_scheduled_however_many_calls_are_open) {
  anon_send(asking, 1);
  sched.run();
  after(500ms);
  anon_send(asking, 2);
  anon_send(asking, 3);
  sched.run();
  CAF_CHECK_EQUAL(scheduled(), 1u);
  after(500ms);  // 1 is due; the wake-up for 2 and 3 is set then
  CAF_CHECK_EQUAL(outcomes(), std::vector<std::string>{"1: timeout"});
  CAF_CHECK_EQUAL(scheduled(), 1u);
  after(500ms);
  CAF_CHECK_EQUAL(outcomes(), (std::vector<std::string>{"1: timeout", "2: timeout", "3: timeout"}));
  CAF_CHECK_EQUAL(scheduled(), 0u);
}

CAF_TEST(a_failed_request_reaches_the_error_handler_once) {
  anon_send_exit(target, caf::exit_reason::user_shutdown);
  sched.run();
  anon_send(asking, 1);
  sched.run();
  CAF_REQUIRE_EQUAL(outcomes().size(), 1u);
  CAF_CHECK_NOT_EQUAL(outcomes().front(), "1: timeout");
  after(2s);
  CAF_CHECK_EQUAL(outcomes().size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
