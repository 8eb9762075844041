#include "server/process_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace tern::server {

namespace {
constexpr auto kMinSample = std::chrono::seconds(1);
}  // namespace

ProcessUsage::ProcessUsage() noexcept : sampled_at_(Clock::now()), sampled_cpu_(cpu_time()) {}

std::uint64_t ProcessUsage::resident_bytes() const noexcept {
  // /proc/self/statm: size, resident, ... in pages.
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int fields = std::fscanf(file, "%llu %llu", &size, &resident);
  std::fclose(file);
  if (fields != 2) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? resident * static_cast<std::uint64_t>(page) : 0;
}

int ProcessUsage::cores() const noexcept {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

std::chrono::nanoseconds ProcessUsage::cpu_time() noexcept {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return {};
  const auto to_ns = [](const timeval& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
  };
  return to_ns(usage.ru_utime) + to_ns(usage.ru_stime);
}

double ProcessUsage::cpu_percent() const noexcept {
  const auto now = Clock::now();
  const auto wall = now - sampled_at_;
  if (wall < kMinSample) return percent_;
  const auto cpu = cpu_time();
  const double share =
      std::chrono::duration<double>(cpu - sampled_cpu_).count() / std::chrono::duration<double>(wall).count();
  percent_ = std::round(share * 1000.0) / 10.0;
  sampled_at_ = now;
  sampled_cpu_ = cpu;
  return percent_;
}

}  // namespace tern::server
