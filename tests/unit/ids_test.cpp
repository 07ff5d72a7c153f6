#define CAF_SUITE ids
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/ids.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace billd;

namespace {

constexpr std::string_view crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Decodes the 48-bit timestamp from the first 10 characters of an id body.
std::uint64_t timestamp_of(std::string_view body) {
  std::uint64_t ms = 0;
  for (std::size_t i = 0; i < 10; ++i) ms = ms * 32 + crockford.find(body[i]);
  return ms;
}

}  // namespace

CAF_TEST(new_ids_have_the_prefix_an_underscore_and_26_crockford_characters) {
  const auto id = new_id("bil");
  CAF_CHECK_EQUAL(id.size(), 30u);
  CAF_CHECK_EQUAL(id.substr(0, 4), "bil_");
  for (const char c : id.substr(4)) CAF_CHECK(crockford.find(c) != std::string_view::npos);
  CAF_CHECK(is_valid_id(id, "bil"));
}

CAF_TEST(the_first_ten_characters_encode_the_creation_millisecond) {
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto id = new_id("pay");
  const auto ms = timestamp_of(std::string_view(id).substr(4));
  // Monotonic bumping may push the timestamp forward, never backward; allow a little slack.
  CAF_CHECK_GREATER_OR_EQUAL(ms, static_cast<std::uint64_t>(before));
  CAF_CHECK_LESS(ms, static_cast<std::uint64_t>(before) + 60'000);
  // The top character of 128 bits in 130 carries at most 3 bits.
  CAF_CHECK_LESS_OR_EQUAL(crockford.find(id[4]), 7u);
}

CAF_TEST(ids_strictly_increase_over_ten_thousand_calls) {
  std::string previous = new_id("evt");
  int out_of_order = 0;
  for (int i = 0; i < 10'000; ++i) {
    auto next = new_id("evt");
    if (!(previous < next)) ++out_of_order;
    previous = std::move(next);
  }
  CAF_CHECK_EQUAL(out_of_order, 0);
}

CAF_TEST(ids_from_several_threads_are_all_distinct) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 2'000; ++i) ids.push_back(new_id("job"));
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> all;
  for (const auto& ids : per_thread) {
    // Each thread sees its own ids in increasing order too.
    CAF_CHECK(std::is_sorted(ids.begin(), ids.end()));
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::sort(all.begin(), all.end());
  CAF_CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  CAF_CHECK_EQUAL(all.size(), 8'000u);
}

CAF_TEST(a_well_formed_id_with_the_right_prefix_is_valid) {
  CAF_CHECK(is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FAV", "bil"));
  CAF_CHECK(is_valid_id("usr_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "usr"));
}

CAF_TEST(foreign_ids_are_rejected) {
  const std::string good = "bil_01ARZ3NDEKTSV4RRFFQ69G5FAV";
  CAF_CHECK(!is_valid_id(good, "pay"));
  CAF_CHECK(!is_valid_id("bil-01ARZ3NDEKTSV4RRFFQ69G5FAV", "bil"));
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FA", "bil"));    // 25 characters
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FAVX", "bil"));  // 27 characters
  CAF_CHECK(!is_valid_id("bil_01arz3ndektsv4rrffq69g5fav", "bil"));   // lower case
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FAI", "bil"));   // I is not Crockford
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FAL", "bil"));   // L is not Crockford
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FAO", "bil"));   // O is not Crockford
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5FAU", "bil"));   // U is not Crockford
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5F-V", "bil"));
  CAF_CHECK(!is_valid_id("bil_01ARZ3NDEKTSV4RRFFQ69G5F/V", "bil"));
  CAF_CHECK(!is_valid_id("", "bil"));
  CAF_CHECK(!is_valid_id("bil_", "bil"));
  CAF_CHECK(!is_valid_id("xbil_01ARZ3NDEKTSV4RRFFQ69G5FAV", "bil"));
  CAF_CHECK(!is_valid_id(new_id("pay"), "bil"));
}

CAF_TEST(stable_hash_is_64_bit_fnv1a) {
  // Published FNV-1a 64 test vectors.
  CAF_CHECK_EQUAL(stable_hash(""), 0xcbf29ce484222325ULL);
  CAF_CHECK_EQUAL(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  CAF_CHECK_EQUAL(stable_hash("foobar"), 0x85944171f73967e8ULL);
  CAF_CHECK_NOT_EQUAL(stable_hash("bil_01ARZ3NDEKTSV4RRFFQ69G5FAV"),
                      stable_hash("bil_01ARZ3NDEKTSV4RRFFQ69G5FAW"));
}
