// OutboundQueue: the budget at reserve(), the write in flight and what end_write() consumes, discard()
// under a write, and the congestion mark at half the budget.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "server/outbound.h"
#include "server/outbound_queue.h"
#include "tests/support/outbound_bytes.h"

using tern::server::ChunkPool;
using tern::server::OutboundQueue;
using tern::test::gathered;

namespace {

// Queues `bytes` within `budget`; false when reserve() refused.
bool queue(OutboundQueue& out, std::string_view bytes, std::int64_t budget) {
  char* at = out.reserve(bytes.size(), budget);
  if (at == nullptr) return false;
  std::memcpy(at, bytes.data(), bytes.size());
  out.commit(bytes.size());
  return true;
}

}  // namespace

TEST_CASE("reserve refuses past the budget, exactly at the boundary", "[outbound_queue]") {
  ChunkPool pool;
  OutboundQueue out(pool);
  CHECK(out.empty());

  SECTION("empty queue") {
    CHECK(out.reserve(101, 100) == nullptr);
    CHECK(out.pending() == 0);
    CHECK(out.reserve(100, 100) != nullptr);
    out.commit(100);
    CHECK(out.pending() == 100);
    CHECK(out.reserve(1, 100) == nullptr);
  }
  SECTION("with bytes pending") {
    REQUIRE(queue(out, std::string(60, 'a'), 100));
    CHECK(out.pending() == 60);
    CHECK(out.reserve(41, 100) == nullptr);        // 60 + 41 > 100
    CHECK(out.pending() == 60);                    // A refusal queues nothing.
    CHECK(queue(out, std::string(40, 'b'), 100));  // 60 + 40 == 100 is allowed.
    CHECK(out.pending() == 100);
    CHECK_FALSE(queue(out, "c", 100));
    CHECK(out.pending() == 100);
    CHECK(gathered(out) == std::string(60, 'a') + std::string(40, 'b'));
  }
  SECTION("a zero or negative budget refuses every byte") {
    CHECK(out.reserve(1, 0) == nullptr);
    CHECK(out.reserve(1, -1) == nullptr);
  }
  SECTION("the budget counts the write in flight") {
    REQUIRE(queue(out, std::string(70, 'a'), 100));
    out.begin_write(70, OutboundQueue::Clock::now());
    CHECK(out.pending() == 70);
    CHECK(out.reserve(31, 100) == nullptr);
    CHECK(queue(out, std::string(30, 'b'), 100));
    out.end_write(true);
  }
}

TEST_CASE("end_write(true) consumes exactly the bytes in flight; later commits stay", "[outbound_queue]") {
  ChunkPool pool;
  OutboundQueue out(pool);
  REQUIRE(queue(out, "hello", 1000));
  CHECK_FALSE(out.write_in_flight());
  const auto started = OutboundQueue::Clock::time_point{} + std::chrono::seconds(42);
  out.begin_write(5, started);
  CHECK(out.write_in_flight());
  CHECK(out.write_started() == started);

  REQUIRE(queue(out, " world", 1000));
  CHECK(out.pending() == 11);
  out.end_write(true);
  CHECK_FALSE(out.write_in_flight());
  CHECK(out.pending() == 6);
  CHECK(gathered(out) == " world");

  // The next write can cover part of what is queued.
  out.begin_write(3, started);
  out.end_write(true);
  CHECK(out.pending() == 3);
  CHECK(gathered(out) == "rld");
}

TEST_CASE("end_write(false) consumes nothing", "[outbound_queue]") {
  ChunkPool pool;
  OutboundQueue out(pool);
  REQUIRE(queue(out, "hello", 1000));
  out.begin_write(5, OutboundQueue::Clock::now());
  REQUIRE(queue(out, " world", 1000));
  out.end_write(false);
  CHECK_FALSE(out.write_in_flight());
  CHECK(out.pending() == 11);
  CHECK(gathered(out) == "hello world");
}

TEST_CASE("discard() keeps the bytes under a write in flight", "[outbound_queue]") {
  ChunkPool pool;
  OutboundQueue out(pool);
  REQUIRE(queue(out, "hello", 1000));
  out.begin_write(5, OutboundQueue::Clock::now());
  REQUIRE(queue(out, " world", 1000));

  out.discard();
  CHECK(out.write_in_flight());
  CHECK(out.pending() == 11);
  CHECK_FALSE(out.empty());

  out.end_write(true);
  CHECK(out.pending() == 6);
  out.discard();
  CHECK(out.pending() == 0);
  CHECK(out.empty());
}

TEST_CASE("discard() without a write in flight drops everything", "[outbound_queue]") {
  ChunkPool pool;
  OutboundQueue out(pool);
  for (int i = 0; i < 5; ++i)
    REQUIRE(queue(out, std::string(20000, 'x'), 1 << 20));  // Several chunks.
  CHECK(out.pending() == 100000);
  out.discard();
  CHECK(out.pending() == 0);
  CHECK(out.empty());
  // The queue is usable afterwards.
  REQUIRE(queue(out, "again", 1000));
  CHECK(gathered(out) == "again");
}

TEST_CASE("consume() takes bytes a non-blocking write took", "[outbound_queue]") {
  ChunkPool pool;
  OutboundQueue out(pool);
  REQUIRE(queue(out, "abcdef", 1000));
  out.consume(2);
  CHECK(out.pending() == 4);
  CHECK(gathered(out) == "cdef");
  out.consume(4);
  CHECK(out.empty());
}

TEST_CASE("congested() is above half the budget", "[outbound_queue]") {
  CHECK_FALSE(OutboundQueue::congested(0, 1000));
  CHECK_FALSE(OutboundQueue::congested(499, 1000));
  CHECK_FALSE(OutboundQueue::congested(500, 1000));
  CHECK(OutboundQueue::congested(501, 1000));
  CHECK(OutboundQueue::congested(1000, 1000));
  // Odd budget: half rounds down.
  CHECK_FALSE(OutboundQueue::congested(500, 1001));
  CHECK(OutboundQueue::congested(501, 1001));
  CHECK_FALSE(OutboundQueue::congested(0, 0));
  CHECK(OutboundQueue::congested(1, 0));
  CHECK(OutboundQueue::congested(1, 1));
  CHECK_FALSE(OutboundQueue::congested(0, 1));
  // The default max_pending, 64 MiB.
  CHECK_FALSE(OutboundQueue::congested(32 * 1024 * 1024, 64 * 1024 * 1024));
  CHECK(OutboundQueue::congested(32 * 1024 * 1024 + 1, 64 * 1024 * 1024));
}
