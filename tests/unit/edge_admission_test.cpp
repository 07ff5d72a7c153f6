#define CAF_SUITE edge_admission
// Admission on the Asio threads: the priority bounds of ARCHITECTURE.md against what each front
// holds, and the refusals kept for the front's report.
#include "net/edge_admission.hpp"

#include <algorithm>
#include <map>

#include "caf/test/unit_test.hpp"

using namespace billd;

namespace {
constexpr auto bill_read = "/api/v1/bills/bil_0000000000000000000000000A";
}

CAF_TEST(p0_is_always_admitted_p1_below_the_bound_p2_below_80_percent_of_it) {
  CAF_CHECK(admits(priority::p0, 1'000'000, 10));
  CAF_CHECK(admits(priority::p1, 9, 10));
  CAF_CHECK(!admits(priority::p1, 10, 10));
  CAF_CHECK(admits(priority::p2, 7, 10));
  CAF_CHECK(!admits(priority::p2, 8, 10));
  CAF_CHECK(!admits(priority::p2, 0, 1));  // a bound of 1 leaves no room for reads
}

CAF_TEST(a_full_front_refuses_by_priority_and_names_the_route_it_refused) {
  edge_admission edge{2, 5};
  for (int i = 0; i < 4; ++i) CAF_CHECK(edge.enter(0, "GET", bill_read).admitted);
  auto refused = edge.enter(0, "GET", bill_read);
  CAF_CHECK(!refused.admitted);
  CAF_CHECK_EQUAL(refused.route_index, static_cast<std::size_t>(route_id::bills_get));
  CAF_CHECK(edge.enter(0, "POST", "/api/v1/bills").admitted);  // writes until the bound
  CAF_CHECK(!edge.enter(0, "POST", "/api/v1/bills").admitted);
  CAF_CHECK(edge.enter(0, "GET", "/health").admitted);        // P0, and now 6 in flight
  CAF_CHECK(edge.enter(0, "GET", "/no/such/path").admitted);  // the front answers it 404
  CAF_CHECK(edge.enter(1, "GET", bill_read).admitted);        // the other front has room
  CAF_CHECK_EQUAL(edge.in_flight(), 8);
  for (int i = 0; i < 4; ++i) edge.leave(0);
  CAF_CHECK(edge.enter(0, "GET", bill_read).admitted);
  CAF_CHECK_EQUAL(edge.in_flight(), 5);
}

CAF_TEST(answers_made_at_the_edge_are_handed_to_their_front_once_by_route_and_status) {
  edge_admission edge{2, 5};
  auto get = static_cast<std::size_t>(route_id::bills_get);
  auto create = static_cast<std::size_t>(route_id::bills_create);
  edge.record_answer(0, get, 503, 3);
  edge.record_answer(0, get, 503, 5);
  edge.record_answer(0, get, 200, 2);
  edge.record_answer(0, create, 503, 4);
  edge.record_answer(1, get, 503, 7);
  std::map<std::pair<std::size_t, unsigned>, std::uint64_t> counts;
  std::uint64_t max_micros = 0;
  edge.take_answers(0, [&](std::size_t route, unsigned status, const latency_histogram& latency) {
    counts[{route, status}] += latency.count();
    max_micros = std::max(max_micros, latency.max());
  });
  CAF_CHECK_EQUAL(counts.size(), 3u);
  CAF_CHECK_EQUAL((counts[{get, 503}]), 2u);
  CAF_CHECK_EQUAL((counts[{get, 200}]), 1u);
  CAF_CHECK_EQUAL((counts[{create, 503}]), 1u);
  CAF_CHECK_EQUAL(max_micros, 5u);
  int again = 0;
  edge.take_answers(0, [&](std::size_t, unsigned, const latency_histogram&) { ++again; });
  CAF_CHECK_EQUAL(again, 0);
  edge.take_answers(1, [&](std::size_t, unsigned status, const latency_histogram& latency) {
    CAF_CHECK_EQUAL(status, 503u);
    CAF_CHECK_EQUAL(latency.count(), 1u);
  });
}
