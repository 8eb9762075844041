// The server's own resource use, read from /proc when the server runs on this machine: CPU time
// (user plus system, all threads) and resident memory.
#pragma once

#include <cstdint>
#include <optional>

namespace tern::bench {

struct ProcessUsage {
  double cpu_seconds = 0;       // utime + stime from /proc/PID/stat.
  std::uint64_t rss_bytes = 0;  // VmRSS from /proc/PID/status.
};

// Empty when the process does not exist or /proc cannot be read.
std::optional<ProcessUsage> read_process_usage(int pid);

// What the server spent between two readings, given what the run achieved.
struct ServerCost {
  double cpu_seconds = 0;
  double cpu_ns_per_msg = 0;  // CPU time over the messages the run counts (deliveries, else publishes).
  std::uint64_t rss_before = 0;
  std::uint64_t rss_after = 0;
};

ServerCost server_cost(const ProcessUsage& before, const ProcessUsage& after, std::uint64_t msgs);

}  // namespace tern::bench
