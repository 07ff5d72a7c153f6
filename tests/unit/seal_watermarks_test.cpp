// seal_watermarks: which audit ids the sealer may seal, from notes of the ids drawn by time.
#define CAF_SUITE seal_watermarks
#include "actors/seal_watermarks.hpp"
#include "caf/test/unit_test.hpp"

#include <string>

using namespace billd;
using namespace std::chrono_literals;

namespace {

struct fixture {
  seal_watermarks marks;
  seal_watermarks::clock::time_point t0{};

  static audit_draw_mark drawn(std::int64_t id) { return {id, "t" + std::to_string(id), false}; }
  std::int64_t sealable_id(seal_watermarks::clock::time_point now) {
    auto m = marks.sealable(now, std::chrono::seconds{30});
    return m ? m->id : -1;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(seal_watermarks_tests, fixture)

CAF_TEST(nothing_is_sealable_until_a_note_is_as_old_as_the_settle_time) {
  CAF_CHECK_EQUAL(sealable_id(t0), -1);
  marks.note(t0, drawn(100));
  CAF_CHECK_EQUAL(sealable_id(t0 + 29s), -1);
  CAF_CHECK_EQUAL(sealable_id(t0 + 30s), 100);
  CAF_CHECK_EQUAL(marks.sealable(t0 + 30s, 30s)->read_at, "t100");
}

CAF_TEST(the_newest_settled_note_wins_and_younger_ones_wait) {
  marks.note(t0, drawn(100));
  marks.note(t0 + 5s, drawn(150));
  marks.note(t0 + 10s, drawn(220));
  marks.note(t0 + 40s, drawn(300));
  CAF_CHECK_EQUAL(sealable_id(t0 + 41s), 220);
  CAF_CHECK_EQUAL(marks.size(), 2u);  // 220 (kept: a failed round may need it again) and 300
  CAF_CHECK_EQUAL(sealable_id(t0 + 41s), 220);
  CAF_CHECK_EQUAL(sealable_id(t0 + 70s), 300);
  CAF_CHECK_EQUAL(marks.size(), 1u);
}

CAF_TEST(a_sequence_that_went_back_voids_the_earlier_notes) {
  marks.note(t0, drawn(500));
  marks.note(t0 + 5s, drawn(20));  // restored, or failed over to a standby that lagged
  CAF_CHECK_EQUAL(marks.size(), 1u);
  CAF_CHECK_EQUAL(sealable_id(t0 + 31s), -1);
  CAF_CHECK_EQUAL(sealable_id(t0 + 35s), 20);
}

CAF_TEST_FIXTURE_SCOPE_END()
