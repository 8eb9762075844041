// Brackets a measurement with two readings of the server's /proc figures, when --server-pid is given.
#pragma once

#include <cstdint>
#include <optional>

#include "bench/tools/server_process.h"

namespace tern::bench {

class ServerMeter {
 public:
  explicit ServerMeter(std::optional<int> pid) : pid_(pid) {}

  // Takes the first reading.
  void start() {
    if (pid_) before_ = read_process_usage(*pid_);
  }
  // Takes the second reading; empty when there is no pid or /proc could not be read.
  std::optional<ServerCost> finish(std::uint64_t msgs) const {
    if (!pid_ || !before_) return std::nullopt;
    const auto after = read_process_usage(*pid_);
    if (!after) return std::nullopt;
    return server_cost(*before_, *after, msgs);
  }

 private:
  std::optional<int> pid_;
  std::optional<ProcessUsage> before_;
};

}  // namespace tern::bench
