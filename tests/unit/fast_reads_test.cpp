// Cached reads answered on the Asio thread: only a bills_get with a token the front already
// trusts and a bill the cache holds is answered there, with the front's rules (rate limit,
// ETag/304, X-Cache), and the answer is recorded for the front's report. Everything else, and
// anything revoked or invalidated, is declined to the front.
#define CAF_SUITE fast_reads
#include "net/fast_reads.hpp"
#include "caf/test/dsl.hpp"
#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "net/router.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::string bill_id = new_id("bil");
  settings cfg = [] {
    settings s;
    s.cache.shards = 2;
    s.rate.clerk_per_minute = 3;
    return s;
  }();
  cache_slots caches = make_cache_slots(cfg.cache);
  token_caches tokens = {std::make_shared<token_cache>(10, 10)};
  std::shared_ptr<edge_admission> edge = std::make_shared<edge_admission>(1, 256);
  fast_reads fast{fast_reads_deps{cfg, caches, tokens, std::make_shared<rate_limiter>(100), edge}};

  fixture() {
    // Live cache shards: the path declines while a shard restarts (its slot is empty).
    for (std::uint32_t i = 0; i < caches.size(); ++i) {
      bill_cache_config cache_cfg{cfg.cache, caches[i]->store_ptr(), make_slot<db_pool_actor>(),
                                  10s, i};
      caches[i]->set(spawn_bill_cache(sys, cache_cfg));
    }
    sched.run();
    principal clerk;
    clerk.user_id = "usr_1";
    clerk.role = user_role::clerk;
    tokens[0]->trust(sha256_hex("good-token"), clerk, token_cache::clock::now() + 60s,
                     tokens[0]->revocations());
    store_bill(7);
  }

  ~fixture() {
    for (const auto& c : caches) caf::anon_send_exit(c->get(), caf::exit_reason::user_shutdown);
    sched.run();
  }

  void store_bill(std::int64_t version) {
    auto b = std::make_shared<bill>();
    b->id = bill_id;
    b->version = version;
    auto& store = cache_of(caches, bill_id)->store();
    auto ticket = store.begin_load(bill_id);
    store.finish_load(bill_id, ticket,
                      bill_cache_store::entry{b, std::make_shared<const std::string>("{\"v\":7}")},
                      100, bill_cache_store::clock::now());
  }

  std::optional<http_response> get(std::string path, std::string token = "good-token",
                                   header_list more = {}) {
    http_exchange ex;
    ex.request.method = "GET";
    ex.request.path = std::move(path);
    ex.request.target = ex.request.path;
    ex.request.headers = std::move(more);
    if (!token.empty()) ex.request.headers.emplace_back("authorization", "Bearer " + token);
    return fast.try_answer(ex, 0);
  }
};

std::string header_of(const http_response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(fast_reads_tests, fixture)

CAF_TEST(a_cached_bill_with_a_trusted_token_is_answered_with_the_fronts_headers) {
  auto r = get("/api/v1/bills/" + bill_id);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->status, 200u);
  CAF_CHECK_EQUAL(r->body, "{\"v\":7}");
  CAF_CHECK_EQUAL(header_of(*r, "X-Cache"), "HIT");
  CAF_CHECK_EQUAL(header_of(*r, "ETag"), "W/\"7\"");
  CAF_CHECK_EQUAL(header_of(*r, "RateLimit"), "\"token\";r=2;t=20");
  auto again = get("/api/v1/bills/" + bill_id, "good-token", {{"if-none-match", "W/\"7\""}});
  CAF_REQUIRE(again.has_value());
  CAF_CHECK_EQUAL(again->status, 304u);
}

CAF_TEST(other_routes_unknown_tokens_and_misses_go_to_the_front) {
  CAF_CHECK(!get("/api/v1/bills").has_value());
  CAF_CHECK(!get("/api/v1/bills/" + bill_id + "/control-number").has_value());
  CAF_CHECK(!get("/api/v1/bills/not-an-id").has_value());
  CAF_CHECK(!get("/api/v1/bills/" + new_id("bil")).has_value());
  CAF_CHECK(!get("/api/v1/bills/" + bill_id, "").has_value());
  CAF_CHECK(!get("/api/v1/bills/" + bill_id, "unknown-token").has_value());
  int recorded = 0;
  edge->take_answers(0, [&](std::size_t, unsigned, const latency_histogram&) { ++recorded; });
  CAF_CHECK_EQUAL(recorded, 0);
}

CAF_TEST(a_cached_read_is_answered_whatever_its_fronts_load) {
  // Every place of front 0 is held (writes waiting on PostgreSQL, say): the edge would refuse
  // a read that goes to the front, but this one takes no place there, so it is answered, and
  // counts for nothing in the front's load.
  for (int i = 0; i < 256; ++i) edge->enter(0, "POST", "/api/v1/bills");
  auto r = get("/api/v1/bills/" + bill_id);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->status, 200u);
  CAF_CHECK_EQUAL(edge->in_flight(), 256);
  CAF_CHECK(!edge->enter(0, "GET", "/api/v1/bills/" + bill_id).admitted);
}

CAF_TEST(reads_are_declined_while_their_cache_shard_restarts) {
  const auto& slot = cache_of(caches, bill_id);
  auto shard = slot->get();
  slot->set(bill_cache_actor{});
  CAF_CHECK(!get("/api/v1/bills/" + bill_id).has_value());
  slot->set(shard);
  CAF_CHECK(get("/api/v1/bills/" + bill_id).has_value());
}

CAF_TEST(a_revoked_token_and_an_invalidated_bill_are_declined_at_once) {
  CAF_CHECK(get("/api/v1/bills/" + bill_id).has_value());
  cache_of(caches, bill_id)->store().invalidate(bill_id);
  CAF_CHECK(!get("/api/v1/bills/" + bill_id).has_value());
  store_bill(8);
  CAF_CHECK(get("/api/v1/bills/" + bill_id).has_value());
  revoke_everywhere(tokens, "", "usr_1");
  CAF_CHECK(!get("/api/v1/bills/" + bill_id).has_value());
}

CAF_TEST(a_verification_asked_for_before_a_revocation_is_not_trusted_after_it) {
  // The front asks auth to verify a token; the user logs out before the answer is handled.
  auto before = tokens[0]->revocations();
  revoke_everywhere(tokens, sha256_hex("late-token"), "");
  principal who;
  who.user_id = "usr_2";
  who.role = user_role::clerk;
  tokens[0]->trust(sha256_hex("late-token"), who, token_cache::clock::now() + 60s, before);
  CAF_CHECK(!get("/api/v1/bills/" + bill_id, "late-token").has_value());
  CAF_CHECK(!tokens[0]->find(sha256_hex("late-token"), token_cache::clock::now()).has_value());
}

CAF_TEST(the_rate_limit_applies_and_answers_are_recorded_for_the_front) {
  for (int i = 0; i < 3; ++i) CAF_CHECK_EQUAL(get("/api/v1/bills/" + bill_id)->status, 200u);
  auto refused = get("/api/v1/bills/" + bill_id);
  CAF_REQUIRE(refused.has_value());
  CAF_CHECK_EQUAL(refused->status, 429u);
  CAF_CHECK(!header_of(*refused, "Retry-After").empty());
  std::map<unsigned, std::uint64_t> by_status;
  edge->take_answers(0, [&](std::size_t route, unsigned status, const latency_histogram& l) {
    CAF_CHECK_EQUAL(route, static_cast<std::size_t>(route_id::bills_get));
    by_status[status] += l.count();
  });
  CAF_CHECK_EQUAL(by_status[200], 3u);
  CAF_CHECK_EQUAL(by_status[429], 1u);
  CAF_CHECK_EQUAL(tokens[0]->take_sessions().size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
