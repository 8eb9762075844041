// The traffic counters of a connection, an internal client and the server as a whole, in one shape so
// that monitoring reads them all the same way. Plain integers: everything runs on the loop thread, and
// an increment on the hot path must cost no more than an add.
#pragma once

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

struct ServerCounters {
  TrafficCounters traffic;               // Every peer's traffic added up.
  std::uint64_t slow_consumers = 0;      // Connections cut for pending bytes or the write deadline.
  std::uint64_t total_connections = 0;   // Client connections ever accepted.
  std::uint64_t stalled_publishers = 0;  // Times a publisher's reads were paused for a congested receiver.
};

}  // namespace tern::server
