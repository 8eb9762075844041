#include "bench/tools/server_process.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace tern::bench {

namespace {

std::optional<double> read_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces; fields count on from its end.
  const auto name_end = line.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(name_end + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Field 3 (state) comes first; utime and stime are fields 14 and 15.
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoull(field);
    if (number == 15) stime = std::stoull(field);
  }
  if (!fields) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<std::uint64_t> read_rss_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream value(line.substr(6));
      std::uint64_t kilobytes = 0;
      if (value >> kilobytes) return kilobytes * 1024;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessUsage> read_process_usage(int pid) {
  const auto cpu = read_cpu_seconds(pid);
  const auto rss = read_rss_bytes(pid);
  if (!cpu || !rss) return std::nullopt;
  return ProcessUsage{*cpu, *rss};
}

ServerCost server_cost(const ProcessUsage& before, const ProcessUsage& after, std::uint64_t msgs) {
  ServerCost cost;
  cost.cpu_seconds = after.cpu_seconds - before.cpu_seconds;
  cost.cpu_ns_per_msg = msgs == 0 ? 0 : cost.cpu_seconds * 1e9 / static_cast<double>(msgs);
  cost.rss_before = before.rss_bytes;
  cost.rss_after = after.rss_bytes;
  return cost;
}

}  // namespace tern::bench
