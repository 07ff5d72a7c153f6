#include "bench/stall_probe.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>

namespace billd::bench {

void gap_tally::add(std::chrono::microseconds late) {
  worst = std::max(worst, late);
  if (late > stall) ++stalls;
}

void gap_tally::merge(const gap_tally& other) {
  worst = std::max(worst, other.worst);
  stalls += other.stalls;
}

stall_probe::stall_probe(clock::time_point from, clock::time_point until)
    : from_(from), until_(until) {
  auto cpus = std::max(1u, std::thread::hardware_concurrency());
  tallies_.resize(cpus);
  for (std::size_t cpu = 0; cpu < cpus; ++cpu) threads_.emplace_back([this, cpu] { watch(cpu); });
}

stall_probe::~stall_probe() {
  stop();
  join();
}

void stall_probe::watch(std::size_t cpu) {
  // Pinned, so a stall of this CPU is seen here and not dodged by a move to the other one.
  // Where pinning fails (a CPU not in this process's set) the thread still probes, unpinned.
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  constexpr std::chrono::milliseconds nap{1};
  while (!stopping_) {
    auto due = clock::now() + nap;
    if (due >= until_) break;
    std::this_thread::sleep_until(due);
    auto late = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - due);
    if (due >= from_) tallies_[cpu].add(late);
  }
}

void stall_probe::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

gap_tally stall_probe::finish() {
  join();
  gap_tally all;
  for (const auto& t : tallies_) all.merge(t);
  return all;
}

}  // namespace billd::bench
