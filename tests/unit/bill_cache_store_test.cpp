// The memory level of a cache shard: a load stores its bill only while no invalidation came
// since it began, a peek counts no miss, and every load's ticket ends.
#define CAF_SUITE bill_cache_store
#include "actors/bill_cache_store.hpp"
#include "caf/test/unit_test.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

bill_cache_store::entry entry_of(const std::string& id, std::int64_t version) {
  auto b = std::make_shared<bill>();
  b->id = id;
  b->version = version;
  return {b, std::make_shared<const std::string>("{}")};
}

struct fixture {
  bill_cache_store store{100, 1 << 20, 60s};
  bill_cache_store::clock::time_point now = bill_cache_store::clock::now();

  void load(const std::string& id, std::int64_t version) {
    auto ticket = store.begin_load(id);
    store.finish_load(id, ticket, entry_of(id, version), 100, now);
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(bill_cache_store_tests, fixture)

CAF_TEST(a_finished_load_is_stored_and_read_back) {
  load("bil_1", 3);
  auto hit = store.peek("bil_1", now);
  CAF_REQUIRE(hit.has_value());
  CAF_CHECK_EQUAL(hit->value->version, 3);
  CAF_CHECK_EQUAL(store.loads(), 0u);
  CAF_CHECK_EQUAL(store.counters().hits, 1u);
}

CAF_TEST(a_peek_that_misses_counts_no_miss_and_a_get_does) {
  CAF_CHECK(!store.peek("bil_1", now).has_value());
  CAF_CHECK_EQUAL(store.counters().misses, 0u);
  CAF_CHECK(!store.get("bil_1", now).has_value());
  CAF_CHECK_EQUAL(store.counters().misses, 1u);
}

CAF_TEST(an_invalidation_during_a_load_keeps_the_load_from_storing) {
  auto ticket = store.begin_load("bil_1");
  store.invalidate("bil_1");  // the write committed while the old row was being read
  CAF_CHECK(!store.current("bil_1", ticket));
  store.finish_load("bil_1", ticket, entry_of("bil_1", 1), 100, now);
  CAF_CHECK(!store.peek("bil_1", now).has_value());
  CAF_CHECK_EQUAL(store.loads(), 0u);
}

CAF_TEST(an_invalidation_drops_the_stored_bill_at_once) {
  load("bil_1", 1);
  store.invalidate("bil_1");
  CAF_CHECK(!store.peek("bil_1", now).has_value());
  load("bil_1", 2);
  CAF_CHECK_EQUAL(store.peek("bil_1", now)->value->version, 2);
}

CAF_TEST(only_the_latest_load_of_a_bill_stores) {
  auto first = store.begin_load("bil_1");
  auto second = store.begin_load("bil_1");
  store.finish_load("bil_1", first, entry_of("bil_1", 1), 100, now);
  CAF_CHECK(!store.peek("bil_1", now).has_value());
  store.finish_load("bil_1", second, entry_of("bil_1", 2), 100, now);
  CAF_CHECK_EQUAL(store.peek("bil_1", now)->value->version, 2);
}

CAF_TEST(a_load_that_found_nothing_ends_its_ticket) {
  auto ticket = store.begin_load("bil_1");
  store.finish_load("bil_1", ticket, std::nullopt, 0, now);
  CAF_CHECK_EQUAL(store.loads(), 0u);
  CAF_CHECK_EQUAL(store.entries(), 0u);
}

CAF_TEST(clear_empties_the_level_and_voids_loads) {
  load("bil_1", 1);
  auto ticket = store.begin_load("bil_2");
  store.clear();
  CAF_CHECK_EQUAL(store.entries(), 0u);
  CAF_CHECK(!store.current("bil_2", ticket));
}

CAF_TEST_FIXTURE_SCOPE_END()
