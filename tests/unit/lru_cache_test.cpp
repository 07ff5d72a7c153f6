#define CAF_SUITE lru_cache
#include <utility>

#include "caf/test/unit_test.hpp"

#include "actors/lru_cache.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

const lru_cache<int>::clock::time_point t0{std::chrono::hours{1}};

}  // namespace

CAF_TEST(the_least_recently_used_entry_goes_first_when_entries_run_out) {
  lru_cache<int> c{2, 1'000, 60s};
  c.put("a", 1, 10, t0);
  c.put("b", 2, 10, t0);
  CAF_CHECK_EQUAL(c.get("a", t0).value_or(0), 1);  // a is now the most recently used
  c.put("c", 3, 10, t0);
  CAF_CHECK(!c.get("b", t0));
  CAF_CHECK_EQUAL(c.get("a", t0).value_or(0), 1);
  CAF_CHECK_EQUAL(c.get("c", t0).value_or(0), 3);
  CAF_CHECK_EQUAL(c.entries(), 2u);
  CAF_CHECK_EQUAL(c.counters().evictions, 1u);
}

CAF_TEST(bytes_are_bounded_too_and_an_oversized_value_is_not_kept) {
  lru_cache<int> c{100, 100, 60s};
  c.put("a", 1, 40, t0);
  c.put("b", 2, 40, t0);
  c.put("c", 3, 40, t0);  // evicts a
  CAF_CHECK_EQUAL(c.bytes(), 80u);
  CAF_CHECK(!c.get("a", t0));
  c.put("huge", 4, 101, t0);
  CAF_CHECK(!c.get("huge", t0));
  CAF_CHECK_EQUAL(c.entries(), 2u);
  c.put("b", 5, 10, t0);  // a replaced value weighs what it weighs now
  CAF_CHECK_EQUAL(c.bytes(), 50u);
}

CAF_TEST(entries_expire_after_their_ttl_and_counters_say_what_happened) {
  lru_cache<int> c{10, 1'000, 60s};
  c.put("a", 1, 10, t0);
  CAF_CHECK(c.get("a", t0 + 59s).has_value());
  CAF_CHECK(!c.get("a", t0 + 60s).has_value());
  CAF_CHECK_EQUAL(c.entries(), 0u);
  CAF_CHECK_EQUAL(c.bytes(), 0u);
  CAF_CHECK_EQUAL(c.counters().hits, 1u);
  CAF_CHECK_EQUAL(c.counters().misses, 1u);
  CAF_CHECK_EQUAL(c.counters().expirations, 1u);
  c.put("b", 2, 10, t0);
  c.erase("b");
  CAF_CHECK(!c.get("b", t0));
}
