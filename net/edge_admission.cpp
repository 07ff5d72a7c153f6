#include "net/edge_admission.hpp"

#include <algorithm>

namespace billd {

bool admits(priority prio, std::int64_t in_flight, std::uint32_t bound) {
  switch (prio) {
    case priority::p0:
      return true;
    case priority::p1:
      return in_flight < bound;
    case priority::p2:
      return in_flight < static_cast<std::int64_t>(bound) * 4 / 5;
  }
  return false;
}

edge_admission::edge_admission(std::size_t fronts, std::uint32_t bound) : bound_(bound) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, fronts); ++i)
    fronts_.push_back(std::make_unique<front_edge>());
}

edge_admission::entry edge_admission::enter(std::size_t front, std::string_view method,
                                            std::string_view path) {
  auto& load = fronts_[front % fronts_.size()]->load;
  auto now = load.load(std::memory_order_relaxed);
  // Below the lowest bound every priority is admitted: no need to know the route.
  if (!admits(priority::p2, now, bound_)) {
    auto routed = route(method, path);
    // Unmatched paths are admitted: the front answers them 404/405 without work.
    if (routed.match && !admits(routed.match->prio, now, bound_))
      return {false, static_cast<std::size_t>(routed.match->id)};
  }
  load.fetch_add(1, std::memory_order_relaxed);
  return {};
}

void edge_admission::leave(std::size_t front) {
  fronts_[front % fronts_.size()]->load.fetch_sub(1, std::memory_order_relaxed);
}

void edge_admission::record_answer(std::size_t front, std::size_t route_index, unsigned status,
                                   std::uint64_t micros) {
  auto& f = *fronts_[front % fronts_.size()];
  std::lock_guard<std::mutex> guard{f.answers_mutex};
  f.answers[{std::min(route_index, route_id_count), status}].record(micros);
}

void edge_admission::take_answers(
    std::size_t front,
    const std::function<void(std::size_t, unsigned, const latency_histogram&)>& take) {
  auto& f = *fronts_[front % fronts_.size()];
  decltype(f.answers) taken;
  {
    std::lock_guard<std::mutex> guard{f.answers_mutex};
    taken.swap(f.answers);
  }
  for (const auto& [key, latency] : taken) take(key.first, key.second, latency);
}

std::int64_t edge_admission::in_flight() const {
  std::int64_t n = 0;
  for (const auto& f : fronts_) n += f->load.load(std::memory_order_relaxed);
  return n;
}

}  // namespace billd
