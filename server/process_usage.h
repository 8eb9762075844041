// The process's own resource use, for monitoring: resident memory, CPU share, cores. Read from /proc
// when asked (a monitoring request), never on a timer.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::server {

class ProcessUsage {
 public:
  ProcessUsage() noexcept;

  // Resident set size in bytes; 0 when /proc cannot be read.
  std::uint64_t resident_bytes() const noexcept;
  // CPUs the machine has online.
  int cores() const noexcept;
  // CPU used by this process over the last sample, in percent of one core with one decimal (100 = one
  // core busy). A sample spans at least a second, as nats-server's does: asking more often returns the
  // last figure.
  double cpu_percent() const noexcept;

 private:
  using Clock = std::chrono::steady_clock;
  // The process's user and system CPU time so far.
  static std::chrono::nanoseconds cpu_time() noexcept;

  mutable Clock::time_point sampled_at_;
  mutable std::chrono::nanoseconds sampled_cpu_{0};
  mutable double percent_ = 0;
};

}  // namespace tern::server
