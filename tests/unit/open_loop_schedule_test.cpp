#define CAF_SUITE open_loop_schedule
#include <utility>

#include "caf/test/unit_test.hpp"

#include <numeric>
#include <set>
#include <vector>

#include "bench/schedule.hpp"

using billd::bench::open_loop_schedule;
using namespace std::chrono_literals;

CAF_TEST(requests_are_due_at_the_rate_whatever_the_answers_did) {
  auto start = open_loop_schedule::clock::time_point{} + 1h;
  open_loop_schedule s{start, 1'000, 4, 0};  // 250/s on this connection: every 4 ms
  CAF_CHECK(s.interval() == 4ms);
  CAF_CHECK(s.due(0) == start);
  CAF_CHECK(s.due(1) == start + 4ms);
  CAF_CHECK(s.due(250) == start + 1s);
  CAF_CHECK_EQUAL(s.take(), 0u);
  CAF_CHECK_EQUAL(s.take(), 1u);
  // A stalled connection does not move the schedule: request 2 is still due at 8 ms, so
  // answering it at 500 ms counts 492 ms of latency.
  CAF_CHECK(s.due(s.take()) == start + 8ms);
}

CAF_TEST(connections_are_staggered_over_one_interval) {
  auto start = open_loop_schedule::clock::time_point{} + 1h;
  std::set<open_loop_schedule::clock::time_point> firsts;
  for (int i = 0; i < 4; ++i) firsts.insert(open_loop_schedule{start, 1'000, 4, i}.due(0));
  CAF_CHECK_EQUAL(firsts.size(), 4u);
  CAF_CHECK(*firsts.begin() == start);
  CAF_CHECK(*firsts.rbegin() == start + 3ms);
  // Together they send at the total rate: 4 connections × 250/s.
  std::size_t due_in_first_second = 0;
  for (int i = 0; i < 4; ++i) {
    open_loop_schedule s{start, 1'000, 4, i};
    for (std::uint64_t k = 0; s.due(k) < start + 1s; ++k) ++due_in_first_second;
  }
  CAF_CHECK_EQUAL(due_in_first_second, 1'000u);
}

CAF_TEST(lanes_get_connections_in_proportion_and_at_least_one_each) {
  using billd::bench::split_connections;
  auto sum = [](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); };
  auto overload = split_connections(1024, {0.1, 0.3, 0.6});
  CAF_CHECK_EQUAL(sum(overload), 1024);
  CAF_CHECK_EQUAL(overload[0], 103);  // 1 + 0.1 × 1021 = 103.1, and so on
  CAF_CHECK_EQUAL(overload[1], 307);
  CAF_CHECK_EQUAL(overload[2], 614);
  // A lane too small for its share still gets a connection.
  auto tiny = split_connections(4, {0.01, 0.99});
  CAF_CHECK_EQUAL(tiny[0], 1);
  CAF_CHECK_EQUAL(tiny[1], 3);
  // Fewer connections than lanes: some lane gets none, and no connection is made up.
  auto few = split_connections(2, {0.1, 0.3, 0.6});
  CAF_CHECK_EQUAL(sum(few), 2);
  CAF_CHECK_EQUAL(few[0], 0);
  CAF_CHECK_EQUAL(split_connections(64, {1.0}), std::vector<int>{64});
}
