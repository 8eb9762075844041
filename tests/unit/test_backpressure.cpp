// Backpressure: how long a publisher stalls (against nats-server's stallDuration), and the bookkeeping
// of who waits for whom, released by receiver, by deadline, or forgotten.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "server/backpressure.h"

using std::chrono::milliseconds;
using tern::server::Backpressure;
using Ids = std::vector<std::uint64_t>;

namespace {

// nats-server 2.9's stallDuration (server/client.go), transcribed: 100 ms; the maximum (1 s) once the
// pending bytes reach the max; otherwise 100 ms more per tenth of the upper half in use, with no cap.
Backpressure::Clock::duration nats_stall_duration(std::int64_t pb, std::int64_t mp) {
  const Backpressure::Clock::duration min = milliseconds(100);
  Backpressure::Clock::duration ttl = min;
  if (pb >= mp) {
    ttl = milliseconds(1000);
  } else if (const std::int64_t hmp = mp / 2; pb > hmp) {
    const std::int64_t bsz = hmp / 10;
    ttl += min * ((pb - hmp) / bsz);
  }
  return ttl;
}

long long ms(Backpressure::Clock::duration d) {
  return std::chrono::duration_cast<milliseconds>(d).count();
}

}  // namespace

TEST_CASE("stall_duration: exact values for a budget of 1000 bytes", "[backpressure]") {
  CHECK(ms(Backpressure::stall_duration(0, 1000)) == 100);
  CHECK(ms(Backpressure::stall_duration(400, 1000)) == 100);
  CHECK(ms(Backpressure::stall_duration(500, 1000)) == 100);  // Half: not above it.
  CHECK(ms(Backpressure::stall_duration(501, 1000)) == 100);
  CHECK(ms(Backpressure::stall_duration(549, 1000)) == 100);
  CHECK(ms(Backpressure::stall_duration(550, 1000)) == 200);  // One step (50 bytes) above half.
  CHECK(ms(Backpressure::stall_duration(600, 1000)) == 300);  // Two steps: 100 + 2 * 100.
  CHECK(ms(Backpressure::stall_duration(749, 1000)) == 500);
  CHECK(ms(Backpressure::stall_duration(750, 1000)) == 600);
  CHECK(ms(Backpressure::stall_duration(949, 1000)) == 900);
  CHECK(ms(Backpressure::stall_duration(950, 1000)) == 1000);
  CHECK(ms(Backpressure::stall_duration(999, 1000)) == 1000);  // Nine steps: 100 + 9 * 100.
  CHECK(ms(Backpressure::stall_duration(1000, 1000)) == 1000);
  CHECK(ms(Backpressure::stall_duration(5000, 1000)) == 1000);
  CHECK(Backpressure::kMinStall == milliseconds(100));
  CHECK(Backpressure::kMaxStall == milliseconds(1000));
}

TEST_CASE("stall_duration: a budget too small for steps waits the minimum", "[backpressure]") {
  // Below 20 bytes a tenth of the half is zero bytes (nats-server would divide by zero here).
  CHECK(ms(Backpressure::stall_duration(9, 10)) == 100);
  CHECK(ms(Backpressure::stall_duration(10, 10)) == 1000);
  CHECK(ms(Backpressure::stall_duration(0, 0)) == 1000);
}

TEST_CASE("stall_duration equals nats-server's for a budget of 1000 at every pending size",
          "[backpressure]") {
  for (std::int64_t pending = 0; pending <= 1100; ++pending) {
    CAPTURE(pending);
    REQUIRE(ms(Backpressure::stall_duration(pending, 1000)) == ms(nats_stall_duration(pending, 1000)));
  }
}

// nats-server does not cap the stepped branch: when the half budget is not a multiple of ten steps, a
// receiver just below its max_pending stalls a publisher for 1.1 s (or more with small budgets). This
// includes the default max_pending of 64 MiB.
TEST_CASE("stall_duration equals nats-server's just below the budget when steps do not divide it",
          "[backpressure]") {
  constexpr std::int64_t kDefaultMaxPending = 64 * 1024 * 1024;
  CHECK(ms(nats_stall_duration(kDefaultMaxPending - 1, kDefaultMaxPending)) == 1100);
  CHECK(ms(Backpressure::stall_duration(kDefaultMaxPending - 1, kDefaultMaxPending)) == 1100);
  CHECK(ms(nats_stall_duration(1037, 1038)) == 1100);
  CHECK(ms(Backpressure::stall_duration(1037, 1038)) == 1100);
  CHECK(ms(nats_stall_duration(37, 38)) == 1900);
  CHECK(ms(Backpressure::stall_duration(37, 38)) == 1900);
}

TEST_CASE("stall_duration at the default max_pending matches nats-server below the top step",
          "[backpressure]") {
  constexpr std::int64_t kMax = 64 * 1024 * 1024;
  for (const std::int64_t pending : {std::int64_t{0}, kMax / 2, kMax / 2 + 1, kMax / 2 + 3355443,
                                     kMax / 2 + 2 * 3355443 - 1, kMax - 3355443, kMax, kMax * 2}) {
    CAPTURE(pending);
    CHECK(ms(Backpressure::stall_duration(pending, kMax)) == ms(nats_stall_duration(pending, kMax)));
  }
  CHECK(ms(Backpressure::stall_duration(kMax / 2 + 3355443, kMax)) == 200);
  CHECK(ms(Backpressure::stall_duration(kMax - 3355443, kMax)) == 1000);
}

TEST_CASE("stall, stalled and has_waiters", "[backpressure]") {
  Backpressure bp;
  const auto t0 = Backpressure::Clock::time_point{} + std::chrono::hours(1);
  CHECK(bp.size() == 0);
  CHECK_FALSE(bp.next_deadline().has_value());
  bp.stall(1, 10, t0 + milliseconds(100));
  bp.stall(2, 10, t0 + milliseconds(300));
  bp.stall(3, 20, t0 + milliseconds(200));
  CHECK(bp.size() == 3);
  CHECK(bp.stalled(1));
  CHECK(bp.stalled(2));
  CHECK(bp.stalled(3));
  CHECK_FALSE(bp.stalled(10));  // A receiver is not a waiting publisher.
  CHECK_FALSE(bp.stalled(4));
  CHECK(bp.has_waiters(10));
  CHECK(bp.has_waiters(20));
  CHECK_FALSE(bp.has_waiters(1));
  CHECK_FALSE(bp.has_waiters(30));
  REQUIRE(bp.next_deadline().has_value());
  CHECK(*bp.next_deadline() == t0 + milliseconds(100));
}

TEST_CASE("release_receiver returns exactly the publishers waiting on it", "[backpressure]") {
  Backpressure bp;
  const auto t0 = Backpressure::Clock::time_point{} + std::chrono::hours(1);
  bp.stall(1, 10, t0 + milliseconds(100));
  bp.stall(2, 20, t0 + milliseconds(300));
  bp.stall(3, 10, t0 + milliseconds(200));
  bp.stall(4, 30, t0 + milliseconds(50));

  CHECK(bp.release_receiver(10) == Ids{1, 3});
  CHECK(bp.size() == 2);
  CHECK_FALSE(bp.stalled(1));
  CHECK_FALSE(bp.stalled(3));
  CHECK(bp.stalled(2));
  CHECK(bp.stalled(4));
  CHECK_FALSE(bp.has_waiters(10));
  CHECK(bp.release_receiver(10).empty());
  CHECK(bp.release_receiver(99).empty());
  CHECK(bp.size() == 2);
  CHECK(bp.release_receiver(30) == Ids{4});
  CHECK(*bp.next_deadline() == t0 + milliseconds(300));
  CHECK(bp.release_receiver(20) == Ids{2});
  CHECK(bp.size() == 0);
  CHECK_FALSE(bp.next_deadline().has_value());
}

TEST_CASE("release_expired returns the publishers whose deadline has passed", "[backpressure]") {
  Backpressure bp;
  const auto t0 = Backpressure::Clock::time_point{} + std::chrono::hours(1);
  bp.stall(1, 10, t0 + milliseconds(100));
  bp.stall(2, 20, t0 + milliseconds(300));
  bp.stall(3, 30, t0 + milliseconds(200));
  bp.stall(4, 30, t0 + milliseconds(200));

  CHECK(bp.release_expired(t0).empty());
  CHECK(bp.release_expired(t0 + milliseconds(99)).empty());
  CHECK(bp.size() == 4);
  CHECK(bp.release_expired(t0 + milliseconds(100)) == Ids{1});  // A deadline equal to now has passed.
  CHECK(*bp.next_deadline() == t0 + milliseconds(200));
  CHECK(bp.release_expired(t0 + milliseconds(250)) == Ids{3, 4});
  CHECK_FALSE(bp.has_waiters(30));
  CHECK(*bp.next_deadline() == t0 + milliseconds(300));
  CHECK(bp.release_expired(t0 + std::chrono::seconds(10)) == Ids{2});
  CHECK(bp.size() == 0);
  CHECK_FALSE(bp.next_deadline().has_value());
  CHECK(bp.release_expired(t0 + std::chrono::seconds(20)).empty());
}

TEST_CASE("forget_publisher", "[backpressure]") {
  Backpressure bp;
  const auto t0 = Backpressure::Clock::time_point{} + std::chrono::hours(1);
  bp.stall(1, 10, t0 + milliseconds(100));
  bp.stall(2, 10, t0 + milliseconds(300));
  CHECK(bp.forget_publisher(1));
  CHECK_FALSE(bp.stalled(1));
  CHECK(bp.size() == 1);
  CHECK(*bp.next_deadline() == t0 + milliseconds(300));
  CHECK_FALSE(bp.forget_publisher(1));
  CHECK_FALSE(bp.forget_publisher(10));  // A receiver id is not a publisher.
  CHECK(bp.release_receiver(10) == Ids{2});

  // A forgotten publisher may stall again.
  bp.stall(1, 20, t0 + milliseconds(500));
  CHECK(bp.stalled(1));
  CHECK(bp.release_expired(t0 + milliseconds(500)) == Ids{1});
}

TEST_CASE("next_deadline is the earliest, whatever the order of stalls", "[backpressure]") {
  Backpressure bp;
  const auto t0 = Backpressure::Clock::time_point{} + std::chrono::hours(1);
  bp.stall(1, 10, t0 + milliseconds(500));
  CHECK(*bp.next_deadline() == t0 + milliseconds(500));
  bp.stall(2, 10, t0 + milliseconds(700));
  CHECK(*bp.next_deadline() == t0 + milliseconds(500));
  bp.stall(3, 11, t0 + milliseconds(150));
  CHECK(*bp.next_deadline() == t0 + milliseconds(150));
  CHECK(bp.forget_publisher(3));
  CHECK(*bp.next_deadline() == t0 + milliseconds(500));
}
