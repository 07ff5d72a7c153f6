// The bill cache on CAF's deterministic coordinator: concurrent misses of one bill make one
// database task (single flight), every waiter gets its answer, and an invalidation during a
// load makes the next reader start a new load instead of joining the overtaken one.
#define CAF_SUITE bill_cache
#include <utility>

#include "actors/bill_cache.hpp"
#include "caf/test/dsl.hpp"
#include "tests/unit/ask_once.hpp"
#include "tests/unit/holding_pool.hpp"

using namespace billd;
using namespace billd::test;
using namespace std::chrono_literals;

namespace {

struct fixture : test_coordinator_fixture<> {
  held_pool db{sys};
  std::shared_ptr<bill_cache_store> store = std::make_shared<bill_cache_store>(100, 1 << 20, 60s);
  bill_cache_actor cache;

  fixture() {
    bill_cache_config cache_cfg;
    cache_cfg.cache.shards = 1;
    cache_cfg.store = store;
    cache_cfg.db = db.slot;
    cache_cfg.db_timeout = 10s;
    cache = spawn_bill_cache(sys, cache_cfg);
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(cache, caf::exit_reason::user_shutdown);
    db.stop();
    sched.run();
  }

  /// Starts a read of id; the answer appears once the pool answered.
  std::shared_ptr<std::optional<cache_answer>> read(std::string id) {
    auto out = std::make_shared<std::optional<cache_answer>>();
    test::ask_once(
        *this, cache, [out](cache_answer& a) { *out = std::move(a); }, get_atom::value, id,
        std::string{"req"});
    return out;
  }

  void answer_all_loads() {
    db.answer_all();
    sched.run();
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(bill_cache_tests, fixture)

CAF_TEST(concurrent_misses_of_one_bill_make_one_load_and_all_get_its_answer) {
  auto a = read("bil_1");
  auto b = read("bil_1");
  auto c = read("bil_1");
  auto other = read("bil_2");
  CAF_CHECK_EQUAL(db.tasks->pending.size(), 2u);  // one per bill, not one per reader
  CAF_CHECK(!a->has_value());
  answer_all_loads();
  for (auto& r : {a, b, c, other}) {
    CAF_REQUIRE(r->has_value());
    CAF_CHECK((*r)->failed);
    CAF_CHECK((*r)->failure.code == db_outcome_code::overloaded);
  }
  // A failure is not cached: the next read loads again.
  read("bil_1");
  CAF_CHECK_EQUAL(db.tasks->pending.size(), 1u);
}

CAF_TEST(a_reader_after_an_invalidation_does_not_join_the_overtaken_load) {
  auto before = read("bil_1");
  CAF_CHECK_EQUAL(db.tasks->pending.size(), 1u);
  caf::anon_send(cache, invalidate_atom::value, std::string{"bil_1"});
  sched.run();
  auto after = read("bil_1");
  CAF_CHECK_EQUAL(db.tasks->pending.size(), 2u);  // a fresh load for the reader after the write
  answer_all_loads();
  CAF_CHECK(before->has_value());
  CAF_CHECK(after->has_value());
}

CAF_TEST_FIXTURE_SCOPE_END()
