// Deadlines of a front's requests to other actors, kept by the front instead of by CAF's
// request timeouts (see await_answer in net/front_state.hpp for why).

#include <algorithm>
#include <vector>

#include "net/front_state.hpp"

namespace billd {

void await_answer(front_self self, const request_ctx& ctx, problem on_expiry, const char* detail) {
  auto due = std::chrono::steady_clock::now() + request_timeout(self);
  self->state.awaiting.insert_or_assign(ctx.ex.get(), awaited_answer{due, on_expiry, detail, ctx});
}

bool answer_arrived(front_self self, const request_ctx& ctx) {
  if (ctx.ex->answered) {
    ++self->state.report.late_answers;
    return false;
  }
  self->state.awaiting.erase(ctx.ex.get());
  return true;
}

void expire_overdue(front_self self) {
  auto& awaiting = self->state.awaiting;
  if (awaiting.empty()) return;
  auto now = std::chrono::steady_clock::now();
  std::vector<awaited_answer> overdue;
  for (auto it = awaiting.begin(); it != awaiting.end();) {
    if (it->second.due <= now) {
      overdue.push_back(std::move(it->second));
      it = awaiting.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& a : overdue) respond_problem(self, a.ctx, a.on_expiry, a.detail);
}

std::chrono::milliseconds expire_interval(front_self self) {
  using std::chrono::milliseconds;
  return std::clamp(request_timeout(self) / 10, milliseconds{10}, milliseconds{1'000});
}

}  // namespace billd
