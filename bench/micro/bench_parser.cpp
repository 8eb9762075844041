// The client-op parser on PUB streams: 16 B and 1 KiB payloads, fed as one large buffer and in 4 KiB
// reads (the read size a busy connection sees). Reports ops/s and bytes/s.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/parser.h"

namespace {

using tern::protocol::Direction;
using tern::protocol::Op;
using tern::protocol::Parser;
using tern::protocol::ParseStatus;

// A stream of PUB frames of `payload` bytes on a 3-token subject, about `target_bytes` long.
std::string pub_stream(std::size_t payload, std::size_t target_bytes, std::size_t& frames) {
  const std::string frame =
      "PUB orders.eu.created " + std::to_string(payload) + "\r\n" + std::string(payload, 'x') + "\r\n";
  std::string stream;
  frames = 0;
  while (stream.size() < target_bytes) {
    stream += frame;
    ++frames;
  }
  return stream;
}

// Parses `stream` in reads of `read_size` bytes and counts the ops, so the work cannot be elided.
std::size_t parse_stream(Parser& parser, const std::string& stream, std::size_t read_size) {
  std::size_t ops = 0;
  Op op;
  for (std::size_t offset = 0; offset < stream.size(); offset += read_size) {
    parser.feed(std::string_view(stream).substr(offset, read_size));
    while (parser.next(op) == ParseStatus::kOp) {
      ops += op.payload.size() != 0 ? 1 : 0;
    }
  }
  return ops;
}

void run(benchmark::State& state, std::size_t payload, std::size_t read_size) {
  std::size_t frames = 0;
  const std::string stream = pub_stream(payload, 4 * 1024 * 1024, frames);
  Parser parser(Direction::kFromClient);
  const std::size_t chunk = read_size == 0 ? stream.size() : read_size;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_stream(parser, stream, chunk));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}

void BM_ParsePub16_OneBuffer(benchmark::State& state) {
  run(state, 16, 0);
}
void BM_ParsePub16_4KiBReads(benchmark::State& state) {
  run(state, 16, 4096);
}
void BM_ParsePub1K_OneBuffer(benchmark::State& state) {
  run(state, 1024, 0);
}
void BM_ParsePub1K_4KiBReads(benchmark::State& state) {
  run(state, 1024, 4096);
}

BENCHMARK(BM_ParsePub16_OneBuffer);
BENCHMARK(BM_ParsePub16_4KiBReads);
BENCHMARK(BM_ParsePub1K_OneBuffer);
BENCHMARK(BM_ParsePub1K_4KiBReads);

}  // namespace
