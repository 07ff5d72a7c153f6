#pragma once
// ask_within: a request whose deadline the asking actor keeps in its call_deadlines (see there
// why) instead of a CAF request timeout. The asking actor's state has a `call_deadlines calls`
// member, and its behaviour handles expire_atom by calling expire_calls(self).

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include <chrono>
#include <utility>

#include "actors/atoms.hpp"
#include "actors/call_deadlines.hpp"

namespace billd {

/// Asks `to` (xs...) for an Answer within `budget`. on_answer(Answer&) runs when it comes in
/// time; on_error(const caf::error&) when the request fails or, with sec::request_timeout, when
/// it is still open at its deadline, as with a CAF timeout. An answer after that is dropped.
template <class Answer, class Self, class Handle, class OnAnswer, class OnError, class... Ts>
void ask_within(Self self, const Handle& to, std::chrono::milliseconds budget, OnAnswer on_answer,
                OnError on_error, Ts&&... xs) {
  auto& calls = self->state.calls;
  auto due = self->clock().now() + budget;
  auto id = calls.open(
      due, [on_error]() mutable { on_error(caf::make_error(caf::sec::request_timeout)); });
  if (calls.needs_wakeup(due)) self->delayed_send(self, budget, expire_atom::value);
  self->request(to, caf::infinite, std::forward<Ts>(xs)...)
      .then(
          [self, id, on_answer](Answer& a) mutable {
            if (self->state.calls.close(id)) on_answer(a);
          },
          [self, id, on_error](const caf::error& err) mutable {
            if (self->state.calls.close(id)) on_error(err);
          });
}

/// The expire_atom handler's body: fails the calls whose deadline passed and sets the wake-up
/// for the next one.
template <class Self>
void expire_calls(Self self) {
  auto& calls = self->state.calls;
  auto now = self->clock().now();
  if (auto next = calls.expire(now); next && calls.needs_wakeup(*next))
    self->delayed_send(self, std::chrono::ceil<std::chrono::milliseconds>(*next - now),
                       expire_atom::value);
}

}  // namespace billd
