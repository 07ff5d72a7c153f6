// seal_watermarks: which audit ids the sealer may seal, from notes of the ids drawn by time.
#define CAF_SUITE seal_watermarks
#include "actors/seal_watermarks.hpp"
#include "caf/test/unit_test.hpp"

using namespace billd;
using namespace std::chrono_literals;

namespace {

struct fixture {
  seal_watermarks marks;
  seal_watermarks::clock::time_point t0{};
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(seal_watermarks_tests, fixture)

CAF_TEST(nothing_is_sealable_until_a_note_is_as_old_as_the_settle_time) {
  CAF_CHECK(!marks.sealable(t0, 30s));
  marks.note(t0, 100);
  CAF_CHECK(!marks.sealable(t0 + 29s, 30s));
  CAF_CHECK_EQUAL(marks.sealable(t0 + 30s, 30s).value_or(-1), 100);
}

CAF_TEST(the_newest_settled_note_wins_and_younger_ones_wait) {
  marks.note(t0, 100);
  marks.note(t0 + 5s, 150);
  marks.note(t0 + 10s, 220);
  marks.note(t0 + 40s, 300);
  CAF_CHECK_EQUAL(marks.sealable(t0 + 41s, 30s).value_or(-1), 220);
  CAF_CHECK_EQUAL(marks.size(), 2u);  // 220 (kept: a failed round may need it again) and 300
  CAF_CHECK_EQUAL(marks.sealable(t0 + 41s, 30s).value_or(-1), 220);
  CAF_CHECK_EQUAL(marks.sealable(t0 + 70s, 30s).value_or(-1), 300);
  CAF_CHECK_EQUAL(marks.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
