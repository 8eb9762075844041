// What the threads of one run share: the deadline, a stop request, the start gate, the counters
// the progress line and the publishers' flow control read, and the errors threads ran into.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bench/tools/client_sample.h"

namespace tern::bench {

class RunControl {
 public:
  explicit RunControl(std::chrono::duration<double> duration)
      : deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(duration)) {}

  // Every run is bounded by time as well as by count: past the deadline, or after stop(), loops end.
  bool should_stop() const noexcept {
    return stop_.load(std::memory_order_relaxed) || Clock::now() >= deadline_;
  }
  void stop() noexcept { stop_.store(true, std::memory_order_relaxed); }
  bool stop_requested() const noexcept { return stop_.load(std::memory_order_relaxed); }
  Clock::time_point deadline() const noexcept { return deadline_; }
  // The deadline counts from the moment measuring starts, not from when connections were opened.
  void restart_deadline(std::chrono::duration<double> duration) {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(duration);
  }

  // Publishers wait at the gate until every client is connected and subscribed.
  void open_gate() noexcept {
    gate_.store(true, std::memory_order_release);
    gate_.notify_all();
  }
  void wait_for_gate() const noexcept { gate_.wait(false, std::memory_order_acquire); }

  // A thread that fails records why and stops the run.
  void fail(std::string what) {
    {
      std::lock_guard lock(mutex_);
      errors_.push_back(std::move(what));
    }
    stop();
  }
  std::vector<std::string> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }

  std::atomic<std::uint64_t> published{0};  // Messages written by all publishers.
  std::atomic<std::uint64_t> delivered{0};  // Messages read by all subscribers.
  std::atomic<std::uint64_t> publishers_running{0};

 private:
  Clock::time_point deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> gate_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> errors_;
};

}  // namespace tern::bench
