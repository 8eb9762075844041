// The traffic counters of a connection, an internal client and the server as a whole, in one shape so
// that monitoring reads them all the same way. Plain integers: everything runs on the loop thread, and
// an increment on the hot path must cost no more than an add.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace tern::server {

struct TrafficCounters {
  std::uint64_t in_msgs = 0;   // Messages published by this peer (PUB and HPUB).
  std::uint64_t in_bytes = 0;  // Their payload bytes, headers included, as nats-server counts them.
  std::uint64_t out_msgs = 0;  // Messages delivered to this peer.
  std::uint64_t out_bytes = 0;

  void count_in(std::size_t payload_bytes) noexcept {
    ++in_msgs;
    in_bytes += payload_bytes;
  }
  void count_out(std::uint64_t messages, std::uint64_t payload_bytes) noexcept {
    out_msgs += messages;
    out_bytes += payload_bytes;
  }
};

// Published payload sizes in buckets whose upper bounds grow by 4 from 16 bytes (16, 64, ... 4 MiB) and
// a last one for anything larger: a Prometheus histogram, counted with a shift and an increment.
struct MessageSizeHistogram {
  static constexpr std::size_t kFiniteBuckets = 10;
  static constexpr std::uint64_t upper_bound(std::size_t bucket) noexcept {
    return std::uint64_t{16} << (2 * bucket);
  }

  std::array<std::uint64_t, kFiniteBuckets + 1> counts{};  // Not cumulative; the last is +Inf.

  void count(std::size_t size) noexcept {
    std::size_t bucket = 0;
    if (size > 16) bucket = (static_cast<std::size_t>(std::bit_width(size - 1)) - 3) / 2;
    ++counts[bucket < kFiniteBuckets ? bucket : kFiniteBuckets];
  }
};

struct ServerCounters {
  TrafficCounters traffic;               // Every peer's traffic added up.
  std::uint64_t slow_consumers = 0;      // Connections cut for pending bytes or the write deadline.
  std::uint64_t total_connections = 0;   // Client connections ever accepted.
  std::uint64_t stalled_publishers = 0;  // Times a publisher's reads were paused for a congested receiver.
  MessageSizeHistogram in_msg_sizes;     // Sizes of the messages counted in traffic.in_msgs.
};

}  // namespace tern::server
