// The outbound chunk queue: byte order, chunk reuse, gathering into buffers and partial consumption.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>

#include "server/outbound.h"
#include "tests/support/outbound_bytes.h"

using tern::server::ChunkPool;
using tern::server::OutboundBuffer;
using tern::test::gathered;

TEST_CASE("bytes come out in the order they were queued", "[outbound]") {
  ChunkPool pool;
  OutboundBuffer out(pool);
  CHECK(out.empty());
  out.append("hello ");
  char* at = out.reserve(5);
  std::memcpy(at, "world", 5);
  out.commit(5);
  CHECK(out.pending() == 11);
  CHECK(gathered(out) == "hello world");
  out.consume(6);
  CHECK(out.pending() == 5);
  CHECK(gathered(out) == "world");
  out.consume(5);
  CHECK(out.empty());
  CHECK(gathered(out).empty());
}

TEST_CASE("many chunks, gathered in batches and consumed partially", "[outbound]") {
  ChunkPool pool;
  OutboundBuffer out(pool);
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    const std::string line = "MSG foo " + std::to_string(i) + " 5\r\nhello\r\n";
    out.append(line);
    expected += line;
  }
  REQUIRE(out.pending() == expected.size());
  std::string sent;
  while (!out.empty()) {
    // Batches of at most two chunks, then a write that takes only part of the batch.
    const std::string batch = gathered(out, 64, 2 * ChunkPool::kChunkCapacity);
    REQUIRE(!batch.empty());
    CHECK(batch.size() <= 2 * ChunkPool::kChunkCapacity);
    const std::size_t taken = std::max<std::size_t>(1, batch.size() * 2 / 3);
    sent.append(batch, 0, taken);
    out.consume(taken);
  }
  CHECK(sent == expected);
  // Every standard chunk went back to the pool.
  CHECK(pool.cached() > 0);
}

TEST_CASE("a large message gets a chunk of its own", "[outbound]") {
  ChunkPool pool;
  OutboundBuffer out(pool);
  out.append("head");
  const std::string big(3 * ChunkPool::kChunkCapacity + 17, 'x');
  out.append(big);
  out.append("tail");
  CHECK(gathered(out) == "head" + big + "tail");
  out.consume(out.pending());
  CHECK(out.empty());
}

TEST_CASE("clear drops everything queued", "[outbound]") {
  ChunkPool pool;
  OutboundBuffer out(pool);
  for (int i = 0; i < 1000; ++i)
    out.append(std::string(100, 'a'));
  out.clear();
  CHECK(out.empty());
  CHECK(out.pending() == 0);
  out.append("again");
  CHECK(gathered(out) == "again");
}
