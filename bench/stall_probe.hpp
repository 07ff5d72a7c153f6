#pragma once
// The machine's own stalls, seen from beside the load. On each CPU a thread pinned to it
// sleeps 1 ms at a time and records how much later than that it woke. On a half-busy machine
// a runnable thread that wakes late by tens of milliseconds was not run at all: on a shared VM
// a stalled virtual CPU stops every process on it, client and server alike (docs/benchmarks.md,
// half-peak tails), and only a thread on that CPU sees it. Open-loop runs carry the probe, so
// a latency tail can be read against it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace billd::bench {

/// Wake-ups past their due time: the worst and how many were stalls.
struct gap_tally {
  static constexpr std::chrono::milliseconds stall{20};

  std::chrono::microseconds worst{0};
  std::uint64_t stalls = 0;  // wake-ups later than `stall`

  void add(std::chrono::microseconds late);
  void merge(const gap_tally& other);
};

class stall_probe {
 public:
  using clock = std::chrono::steady_clock;

  /// Starts the probe (a thread per CPU); it tallies the wake-ups due in [from, until) and
  /// ends at `until`.
  stall_probe(clock::time_point from, clock::time_point until);
  stall_probe(const stall_probe&) = delete;
  stall_probe& operator=(const stall_probe&) = delete;
  ~stall_probe();

  /// Waits for the probe to end (at `until`, or now if told to stop) and returns the tally of
  /// every CPU.
  gap_tally finish();
  void stop() { stopping_ = true; }

 private:
  clock::time_point from_, until_;
  std::atomic<bool> stopping_{false};
  std::vector<gap_tally> tallies_;  // one per thread, each written by its thread alone
  std::vector<std::thread> threads_;

  void watch(std::size_t cpu);
  void join();
};

}  // namespace billd::bench
