// How much a server's store directory holds, as `du` counts it, for the bytes-per-message figure.
#pragma once

#include <cstdint>
#include <string>

namespace tern::bench {

struct StoreUsage {
  std::string directory;
  std::uint64_t disk_bytes = 0;      // Blocks allocated (st_blocks × 512), what `du` reports.
  std::uint64_t apparent_bytes = 0;  // File sizes, what `du --apparent-size` reports.
  std::uint64_t files = 0;

  // Per stored message; a run of no messages counts as one, so that nothing divides by zero.
  double disk_bytes_per(std::uint64_t messages) const noexcept {
    return static_cast<double>(disk_bytes) / static_cast<double>(messages == 0 ? 1 : messages);
  }
  double apparent_bytes_per(std::uint64_t messages) const noexcept {
    return static_cast<double>(apparent_bytes) / static_cast<double>(messages == 0 ? 1 : messages);
  }
};

// Walks `directory` without following symbolic links. Files that vanish during the walk (a server
// compacting) are skipped. Throws std::runtime_error when the directory cannot be read.
StoreUsage measure_store(const std::string& directory);

}  // namespace tern::bench
