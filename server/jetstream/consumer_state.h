// The durable state of a consumer (what nats-server keeps in its o.dat): where delivery and the ack
// floor stand, what is delivered and not acknowledged, and how often messages were redelivered. Our own
// format, written whole on each save (replace_file) and read back on start:
//
//   "TNCS" magic, version byte (1)
//   varint delivered_consumer_seq, delivered_stream_seq, ack_floor_consumer_seq, ack_floor_stream_seq
//   varint pending count, then per entry zigzag varint deltas from the previous entry (the first from 0)
//     of stream_seq, consumer_seq and timestamp_ns
//   varint redelivered count, then per entry a zigzag varint delta of stream_seq and a varint count
//   CRC32C (little endian) of everything before it
//
// Entries in stream order (as take_state writes them) cost a few bytes each; any order round-trips.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::server::jetstream {

struct PendingEntry {
  std::uint64_t stream_seq = 0, consumer_seq = 0;
  std::int64_t timestamp_ns = 0;
  friend bool operator==(const PendingEntry&, const PendingEntry&) = default;
};

struct ConsumerStateRecord {
  std::uint64_t delivered_consumer_seq = 0, delivered_stream_seq = 0, ack_floor_consumer_seq = 0,
                ack_floor_stream_seq = 0;
  std::vector<PendingEntry> pending;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> redelivered;  // Stream sequence -> count.
  friend bool operator==(const ConsumerStateRecord&, const ConsumerStateRecord&) = default;
};

inline constexpr std::uint8_t kConsumerStateVersion = 1;

std::string encode_consumer_state(const ConsumerStateRecord& state);

// Nothing for bytes that are not a whole, intact record of a known version: a wrong magic or version,
// a CRC mismatch, truncation, a varint past 64 bits, counts larger than the bytes left could hold, or
// bytes left over. Memory is reserved only for counts the remaining bytes can back.
std::optional<ConsumerStateRecord> decode_consumer_state(std::string_view bytes);

}  // namespace tern::server::jetstream
