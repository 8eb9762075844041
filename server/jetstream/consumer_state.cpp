#include "server/jetstream/consumer_state.h"

#include "server/stream/crc32c.h"

namespace tern::server::jetstream {

namespace {

constexpr std::string_view kMagic = "TNCS";
constexpr std::size_t kHeaderSize = 5;  // Magic and version.
constexpr std::size_t kCrcSize = 4;
// The fewest bytes an entry can take: one byte per varint.
constexpr std::size_t kMinPendingEntry = 3;
constexpr std::size_t kMinRedeliveredEntry = 2;

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(value) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::uint64_t zigzag(std::int64_t value) noexcept {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) noexcept {
  return static_cast<std::int64_t>((value >> 1) ^ (std::uint64_t{0} - (value & 1)));
}

// The difference b - a in wrapping arithmetic, which the decoder undoes exactly whatever the order.
void put_delta(std::string& out, std::uint64_t previous, std::uint64_t value) {
  put_varint(out, zigzag(static_cast<std::int64_t>(value - previous)));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) noexcept : bytes_(bytes) {}

  bool varint(std::uint64_t& out) noexcept {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return false;
      const auto byte = static_cast<std::uint8_t>(bytes_[pos_++]);
      // The tenth byte holds the top bit only.
      if (shift == 63 && byte > 1) return false;
      out |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool delta(std::uint64_t previous, std::uint64_t& out) noexcept {
    std::uint64_t encoded = 0;
    if (!varint(encoded)) return false;
    out = previous + static_cast<std::uint64_t>(unzigzag(encoded));
    return true;
  }
  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_consumer_state(const ConsumerStateRecord& state) {
  std::string out;
  out.reserve(kHeaderSize + 4 * 10 + 10 + state.pending.size() * 12 + 10 + state.redelivered.size() * 4 +
              kCrcSize);
  out.append(kMagic);
  out.push_back(static_cast<char>(kConsumerStateVersion));
  put_varint(out, state.delivered_consumer_seq);
  put_varint(out, state.delivered_stream_seq);
  put_varint(out, state.ack_floor_consumer_seq);
  put_varint(out, state.ack_floor_stream_seq);
  put_varint(out, state.pending.size());
  PendingEntry previous;
  for (const PendingEntry& entry : state.pending) {
    put_delta(out, previous.stream_seq, entry.stream_seq);
    put_delta(out, previous.consumer_seq, entry.consumer_seq);
    put_delta(out, static_cast<std::uint64_t>(previous.timestamp_ns),
              static_cast<std::uint64_t>(entry.timestamp_ns));
    previous = entry;
  }
  put_varint(out, state.redelivered.size());
  std::uint64_t previous_seq = 0;
  for (const auto& [seq, count] : state.redelivered) {
    put_delta(out, previous_seq, seq);
    put_varint(out, count);
    previous_seq = seq;
  }
  const std::uint32_t crc = stream::crc32c(out.data(), out.size());
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>(crc >> (8 * i)));
  return out;
}

std::optional<ConsumerStateRecord> decode_consumer_state(std::string_view bytes) {
  if (bytes.size() < kHeaderSize + kCrcSize) return std::nullopt;
  if (bytes.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  if (static_cast<std::uint8_t>(bytes[kMagic.size()]) != kConsumerStateVersion) return std::nullopt;
  const std::string_view covered = bytes.substr(0, bytes.size() - kCrcSize);
  std::uint32_t stored = 0;
  for (std::size_t i = 0; i < kCrcSize; ++i)
    stored |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[covered.size() + i])) << (8 * i);
  if (stream::crc32c(covered.data(), covered.size()) != stored) return std::nullopt;

  Reader reader(covered.substr(kHeaderSize));
  ConsumerStateRecord state;
  if (!reader.varint(state.delivered_consumer_seq) || !reader.varint(state.delivered_stream_seq) ||
      !reader.varint(state.ack_floor_consumer_seq) || !reader.varint(state.ack_floor_stream_seq))
    return std::nullopt;

  std::uint64_t count = 0;
  if (!reader.varint(count) || count > reader.remaining() / kMinPendingEntry) return std::nullopt;
  state.pending.reserve(static_cast<std::size_t>(count));
  PendingEntry previous;
  for (std::uint64_t i = 0; i < count; ++i) {
    PendingEntry entry;
    std::uint64_t timestamp = 0;
    if (!reader.delta(previous.stream_seq, entry.stream_seq) ||
        !reader.delta(previous.consumer_seq, entry.consumer_seq) ||
        !reader.delta(static_cast<std::uint64_t>(previous.timestamp_ns), timestamp))
      return std::nullopt;
    entry.timestamp_ns = static_cast<std::int64_t>(timestamp);
    state.pending.push_back(entry);
    previous = entry;
  }

  if (!reader.varint(count) || count > reader.remaining() / kMinRedeliveredEntry) return std::nullopt;
  state.redelivered.reserve(static_cast<std::size_t>(count));
  std::uint64_t previous_seq = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t seq = 0, redeliveries = 0;
    if (!reader.delta(previous_seq, seq) || !reader.varint(redeliveries)) return std::nullopt;
    state.redelivered.emplace_back(seq, redeliveries);
    previous_seq = seq;
  }
  if (reader.remaining() != 0) return std::nullopt;
  return state;
}

}  // namespace tern::server::jetstream
