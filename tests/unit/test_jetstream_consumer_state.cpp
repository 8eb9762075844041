// The durable consumer state codec: round trips, compactness, and refusal of every kind of corruption.
#include <catch2/catch.hpp>

#include <string>

#include "server/jetstream/consumer_state.h"
#include "server/stream/crc32c.h"

namespace js = tern::server::jetstream;

namespace {

js::ConsumerStateRecord sample() {
  js::ConsumerStateRecord state;
  state.delivered_consumer_seq = 1200;
  state.delivered_stream_seq = 1000;
  state.ack_floor_consumer_seq = 1100;
  state.ack_floor_stream_seq = 900;
  const std::int64_t base = 1796513915826182579;
  for (std::uint64_t i = 0; i < 100; ++i)
    state.pending.push_back({901 + i, 1101 + i, base + static_cast<std::int64_t>(i) * 1000});
  state.redelivered = {{901, 3}, {950, 1}, {999, 7}};
  return state;
}

}  // namespace

TEST_CASE("consumer state: round trips") {
  const js::ConsumerStateRecord empty;
  CHECK(js::decode_consumer_state(js::encode_consumer_state(empty)) == empty);
  const auto state = sample();
  const std::string bytes = js::encode_consumer_state(state);
  CHECK(js::decode_consumer_state(bytes) == state);
  // In stream order an entry costs about 4 bytes (two one-byte deltas and the time's).
  CHECK(bytes.size() < 600);

  js::ConsumerStateRecord extreme;
  extreme.delivered_consumer_seq = UINT64_MAX;
  extreme.ack_floor_stream_seq = UINT64_MAX;
  extreme.pending = {{UINT64_MAX, 1, INT64_MIN}, {1, UINT64_MAX, INT64_MAX}, {5, 5, -1}};
  extreme.redelivered = {{UINT64_MAX, UINT64_MAX}, {0, 0}};
  CHECK(js::decode_consumer_state(js::encode_consumer_state(extreme)) == extreme);
}

TEST_CASE("consumer state: the layout's fixed parts") {
  const std::string bytes = js::encode_consumer_state({});
  CHECK(bytes.substr(0, 5) == std::string("TNCS\x01", 5));
  CHECK(bytes.size() == 5 + 6 + 4);
}

TEST_CASE("consumer state: corruption is refused, never trusted") {
  const std::string good = js::encode_consumer_state(sample());
  CHECK_FALSE(js::decode_consumer_state(""));
  CHECK_FALSE(js::decode_consumer_state("TNCS"));
  for (std::size_t cut = 0; cut < good.size(); ++cut)
    CHECK_FALSE(js::decode_consumer_state(std::string_view(good).substr(0, cut)));
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x10);
    CHECK_FALSE(js::decode_consumer_state(flipped));
  }
  CHECK_FALSE(js::decode_consumer_state(good + "x"));

  // A count that claims more entries than the bytes could hold, under a valid CRC: refused before any
  // memory is reserved for it.
  const auto sealed = [](std::string body) {
    const std::uint32_t crc = tern::server::stream::crc32c(body.data(), body.size());
    for (int i = 0; i < 4; ++i)
      body.push_back(static_cast<char>(crc >> (8 * i)));
    return body;
  };
  CHECK(js::decode_consumer_state(sealed(std::string("TNCS\x01\x00\x00\x00\x00\x00\x00", 11))));
  CHECK_FALSE(
      js::decode_consumer_state(sealed(std::string("TNCS\x01\x00\x00\x00\x00\xFF\xFF\xFF\xFF\x0F\x00", 15))));
  CHECK_FALSE(
      js::decode_consumer_state(sealed(std::string("TNCS\x01\x00\x00\x00\x00\x00\x80\x80\x80\x80\x01", 15))));
  // A varint past 64 bits.
  CHECK_FALSE(js::decode_consumer_state(
      sealed(std::string("TNCS\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x02\x00\x00\x00\x00\x00", 20))));
  CHECK(js::decode_consumer_state(
            sealed(std::string("TNCS\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01\x00\x00\x00\x00\x00", 20)))
            ->delivered_consumer_seq == UINT64_MAX);
  // Another version.
  std::string other = good;
  other[4] = 2;
  CHECK_FALSE(js::decode_consumer_state(other));
}
