// libFuzzer target: the durable consumer state codec (server/jetstream/consumer_state.h). Byte 0 picks
// the mode:
//   even: the rest is a state file. decode_consumer_state must not crash nor trust a length field, and
//         what it accepts must encode to bytes that decode to the same record.
//   odd:  the rest builds a record (8 bytes a number); it must round-trip exactly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/jetstream/consumer_state.h"
#include "tests/fuzz/fuzz_support.h"

namespace js = tern::server::jetstream;

namespace {

std::uint64_t u64(tern::fuzz::FuzzInput& input) {
  std::uint64_t value = 0;
  for (int i = 0; i < 4; ++i)
    value = value << 16 | input.u16();
  return value;
}

void fuzz_decode(std::string_view bytes) {
  const auto state = js::decode_consumer_state(bytes);
  if (!state) return;
  FUZZ_CHECK(state->pending.size() <= bytes.size());
  FUZZ_CHECK(js::decode_consumer_state(js::encode_consumer_state(*state)) == state);
}

void fuzz_build(tern::fuzz::FuzzInput& input) {
  js::ConsumerStateRecord state;
  state.delivered_consumer_seq = u64(input);
  state.delivered_stream_seq = u64(input);
  state.ack_floor_consumer_seq = u64(input);
  state.ack_floor_stream_seq = u64(input);
  const std::size_t pending = input.below(64);
  for (std::size_t i = 0; i < pending && !input.empty(); ++i)
    state.pending.push_back({u64(input), u64(input), static_cast<std::int64_t>(u64(input))});
  while (!input.empty())
    state.redelivered.emplace_back(u64(input), u64(input));
  const std::string bytes = js::encode_consumer_state(state);
  FUZZ_CHECK(js::decode_consumer_state(bytes) == state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tern::fuzz::FuzzInput input(data, size);
  if ((input.byte() & 1) == 0) {
    fuzz_decode(input.rest());
  } else {
    fuzz_build(input);
  }
  return 0;
}
