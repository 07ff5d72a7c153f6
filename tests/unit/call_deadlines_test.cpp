#define CAF_SUITE call_deadlines
#include <utility>

#include "caf/test/unit_test.hpp"

#include "actors/call_deadlines.hpp"

#include <string>
#include <vector>

using namespace billd;
using namespace std::chrono_literals;

namespace {

struct fixture {
  call_deadlines calls;
  call_deadlines::clock::time_point t0{};
  std::vector<std::string> expired;

  std::uint64_t open(std::string name, std::chrono::milliseconds after) {
    return calls.open(t0 + after, [this, name] { expired.push_back(name); });
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(call_deadlines_tests, fixture)

CAF_TEST(an_answer_in_time_closes_its_call_and_it_never_expires) {
  auto a = open("a", 100ms);
  CAF_CHECK(calls.close(a));
  CAF_CHECK_EQUAL(calls.open_calls(), 0u);
  CAF_CHECK(!calls.expire(t0 + 1s));
  CAF_CHECK(expired.empty());
}

CAF_TEST(expire_ends_the_overdue_calls_only_and_names_the_next_deadline) {
  open("a", 100ms);
  open("b", 300ms);
  open("c", 200ms);
  auto next = calls.expire(t0 + 150ms);
  CAF_CHECK_EQUAL(expired, std::vector<std::string>{"a"});
  CAF_REQUIRE(next);
  CAF_CHECK(*next == t0 + 200ms);
  next = calls.expire(t0 + 300ms);
  CAF_CHECK_EQUAL(expired.size(), 3u);
  CAF_CHECK(!next);
}

CAF_TEST(an_answer_after_its_deadline_is_refused) {
  auto a = open("a", 100ms);
  calls.expire(t0 + 100ms);
  CAF_CHECK_EQUAL(expired, std::vector<std::string>{"a"});
  CAF_CHECK(!calls.close(a));
}

CAF_TEST(a_call_opened_by_an_expiry_waits_for_its_own_deadline) {
  calls.open(t0 + 100ms, [this] {
    expired.push_back("a");
    open("retry", 500ms);
  });
  auto next = calls.expire(t0 + 100ms);
  CAF_CHECK_EQUAL(expired, std::vector<std::string>{"a"});
  CAF_CHECK_EQUAL(calls.open_calls(), 1u);
  CAF_CHECK(!next);  // the retry asked for its own wake-up when it opened
  CAF_CHECK(calls.needs_wakeup(t0 + 500ms));
}

CAF_TEST(one_wakeup_serves_every_later_deadline_until_it_is_spent) {
  CAF_CHECK(calls.needs_wakeup(t0 + 100ms));
  CAF_CHECK(!calls.needs_wakeup(t0 + 100ms));
  CAF_CHECK(!calls.needs_wakeup(t0 + 300ms));
  CAF_CHECK(calls.needs_wakeup(t0 + 50ms));  // sooner than the one set
  calls.expire(t0 + 50ms);
  CAF_CHECK(calls.needs_wakeup(t0 + 300ms));  // the wake-up was spent
}

CAF_TEST_FIXTURE_SCOPE_END()
