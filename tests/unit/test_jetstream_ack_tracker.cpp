// The consumer's ack bookkeeping against nats-server 2.9.10's rules (consumer.go processAckMsg,
// processNak, checkPending, getNextMsg), with the clock passed in: every deadline is exact.
#include <catch2/catch.hpp>

#include "server/jetstream/ack_tracker.h"

using tern::server::jetstream::AckPolicy;
using tern::server::jetstream::AckTracker;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

AckTracker explicit_tracker(std::int64_t ack_wait = 30 * kSecond, std::int64_t max_deliver = -1,
                            std::vector<std::int64_t> backoff = {}, std::int64_t max_ack_pending = -1) {
  AckTracker::Settings settings;
  settings.ack_policy = AckPolicy::kExplicit;
  settings.ack_wait_ns = ack_wait;
  settings.max_deliver = max_deliver;
  settings.backoff_ns = std::move(backoff);
  settings.max_ack_pending = max_ack_pending;
  AckTracker tracker(settings);
  tracker.start_at(1);
  return tracker;
}

// Delivers stream sequences first..last as new messages at `now`.
void deliver_new(AckTracker& tracker, std::uint64_t first, std::uint64_t last, std::int64_t now) {
  for (std::uint64_t seq = first; seq <= last; ++seq) {
    tracker.advance_past(seq);
    tracker.record_delivery(seq, now);
  }
}

std::vector<std::uint64_t> drain_redeliveries(AckTracker& tracker,
                                              std::vector<std::uint64_t>* exceeded = nullptr) {
  std::vector<std::uint64_t> out, ignored;
  while (auto next = tracker.next_redelivery(exceeded != nullptr ? *exceeded : ignored))
    out.push_back(next->stream_seq);
  return out;
}

}  // namespace

TEST_CASE("explicit acks move the floor over contiguous acknowledged messages") {
  AckTracker tracker = explicit_tracker();
  deliver_new(tracker, 1, 4, 0);
  std::vector<std::uint64_t> settled;
  tracker.ack(2, 2, settled);
  CHECK(tracker.ack_floor_consumer_seq() == 0);
  CHECK(tracker.ack_floor_stream_seq() == 0);
  tracker.ack(1, 1, settled);
  // Acking 1 moves the floor to just below the next pending one, 3.
  CHECK(tracker.ack_floor_consumer_seq() == 2);
  CHECK(tracker.ack_floor_stream_seq() == 2);
  tracker.ack(3, 3, settled);
  tracker.ack(4, 4, settled);
  CHECK(tracker.pending().empty());
  CHECK(tracker.ack_floor_consumer_seq() == 4);
  CHECK(tracker.ack_floor_stream_seq() == 4);
  CHECK(settled == std::vector<std::uint64_t>{2, 1, 3, 4});
}

TEST_CASE("an ack wait that passes queues the message again, with a new consumer sequence") {
  AckTracker tracker = explicit_tracker(2 * kSecond);
  deliver_new(tracker, 1, 3, 0);
  CHECK(tracker.next_deadline() == 2 * kSecond);
  CHECK(tracker.expire(2 * kSecond - 1) == 2 * kSecond);
  CHECK_FALSE(tracker.has_redeliveries());
  std::vector<std::uint64_t> settled;
  tracker.ack(2, 2, settled);
  tracker.expire(2 * kSecond);
  std::vector<std::uint64_t> exceeded;
  auto first = tracker.next_redelivery(exceeded);
  REQUIRE(first);
  CHECK(first->stream_seq == 1);
  CHECK(first->delivery_count == 2);
  CHECK(tracker.record_delivery(1, 3 * kSecond) == 4);
  auto second = tracker.next_redelivery(exceeded);
  REQUIRE(second);
  CHECK(second->stream_seq == 3);
  CHECK_FALSE(tracker.next_redelivery(exceeded));
  // The redelivered message's deadline runs from its redelivery.
  CHECK(tracker.next_deadline() == 5 * kSecond);
}

TEST_CASE("max_deliver ends redelivery and reports the message once") {
  AckTracker tracker = explicit_tracker(kSecond, 2);
  deliver_new(tracker, 1, 1, 0);
  tracker.expire(kSecond);
  std::vector<std::uint64_t> exceeded;
  auto again = tracker.next_redelivery(exceeded);
  REQUIRE(again);
  CHECK(again->delivery_count == 2);
  tracker.record_delivery(1, kSecond);
  tracker.expire(2 * kSecond);
  CHECK_FALSE(tracker.next_redelivery(exceeded));
  CHECK(exceeded == std::vector<std::uint64_t>{1});
  CHECK(tracker.pending().empty());
  CHECK(tracker.next_deadline() == 0);
}

TEST_CASE("backoff sets each redelivery's wait by its count") {
  AckTracker tracker = explicit_tracker(kSecond, 5, {kSecond, 3 * kSecond, 10 * kSecond});
  deliver_new(tracker, 1, 1, 0);
  CHECK(tracker.next_deadline() == kSecond);
  std::vector<std::uint64_t> exceeded;
  std::int64_t now = kSecond;
  const std::int64_t expected_waits[] = {3 * kSecond, 10 * kSecond, 10 * kSecond};
  for (const std::int64_t wait : expected_waits) {
    tracker.expire(now);
    REQUIRE(tracker.next_redelivery(exceeded));
    tracker.record_delivery(1, now);
    CHECK(tracker.next_deadline() == now + wait);
    now += wait;
  }
}

TEST_CASE("a NAK redelivers at once, a NAK with a delay after it") {
  AckTracker tracker = explicit_tracker(30 * kSecond);
  deliver_new(tracker, 1, 2, 0);
  CHECK(tracker.nak(1, 1, 0, kSecond));
  CHECK(drain_redeliveries(tracker) == std::vector<std::uint64_t>{1});
  tracker.record_delivery(1, kSecond);
  // -NAK {"delay": 5s}: due 5 s from now (nats-server sets the timestamp to now - ack_wait + delay).
  CHECK(tracker.nak(2, 2, 5 * kSecond, 2 * kSecond));
  CHECK_FALSE(tracker.has_redeliveries());
  tracker.expire(7 * kSecond - 1);
  CHECK_FALSE(tracker.has_redeliveries());
  tracker.expire(7 * kSecond);
  CHECK(drain_redeliveries(tracker) == std::vector<std::uint64_t>{2});
  // A NAK below the ack floor or past what was delivered is ignored.
  std::vector<std::uint64_t> settled;
  tracker.ack(1, 3, settled);
  CHECK_FALSE(tracker.nak(1, 1, 0, 8 * kSecond));
  CHECK_FALSE(tracker.nak(9, 9, 0, 8 * kSecond));
}

TEST_CASE("+WPI restarts the ack wait") {
  AckTracker tracker = explicit_tracker(10 * kSecond);
  deliver_new(tracker, 1, 1, 0);
  tracker.progress(1, 8 * kSecond);
  tracker.expire(10 * kSecond);
  CHECK_FALSE(tracker.has_redeliveries());
  tracker.expire(18 * kSecond);
  CHECK(drain_redeliveries(tracker) == std::vector<std::uint64_t>{1});
}

TEST_CASE("ack all settles everything up to the acknowledged message") {
  AckTracker::Settings settings;
  settings.ack_policy = AckPolicy::kAll;
  AckTracker tracker(settings);
  tracker.start_at(1);
  deliver_new(tracker, 1, 5, 0);
  std::vector<std::uint64_t> settled;
  tracker.ack(3, 3, settled);
  CHECK(settled == std::vector<std::uint64_t>{3, 2, 1});
  CHECK(tracker.pending().size() == 2);
  CHECK(tracker.ack_floor_stream_seq() == 3);
  settled.clear();
  tracker.ack(2, 2, settled);  // Below the floor: nothing.
  CHECK(settled.empty());
}

TEST_CASE("ack none tracks nothing and keeps the floor at the last delivery") {
  AckTracker::Settings settings;
  settings.ack_policy = AckPolicy::kNone;
  AckTracker tracker(settings);
  tracker.start_at(10);
  deliver_new(tracker, 10, 12, 0);
  CHECK(tracker.pending().empty());
  CHECK(tracker.ack_floor_consumer_seq() == 3);
  CHECK(tracker.ack_floor_stream_seq() == 12);
  CHECK(tracker.next_deadline() == 0);
}

TEST_CASE("max_ack_pending holds new deliveries until an ack") {
  AckTracker tracker = explicit_tracker(30 * kSecond, -1, {}, 2);
  deliver_new(tracker, 1, 2, 0);
  CHECK(tracker.at_max_ack_pending());
  std::vector<std::uint64_t> settled;
  tracker.ack(1, 1, settled);
  CHECK_FALSE(tracker.at_max_ack_pending());
}

TEST_CASE("a purge forgets what was below the new first sequence") {
  AckTracker tracker = explicit_tracker(kSecond);
  deliver_new(tracker, 1, 4, 0);
  tracker.expire(kSecond);
  tracker.purge_below(3);
  CHECK(tracker.pending().size() == 2);
  CHECK(drain_redeliveries(tracker) == std::vector<std::uint64_t>{3, 4});
  CHECK(tracker.ack_floor_stream_seq() == 2);
}

TEST_CASE("a new consumer's ack floor is 0/0 wherever it starts, as nats-server reports it") {
  AckTracker tracker = explicit_tracker();
  tracker.start_at(5);
  CHECK(tracker.ack_floor_consumer_seq() == 0);
  CHECK(tracker.ack_floor_stream_seq() == 0);
  deliver_new(tracker, 5, 6, 0);
  std::vector<std::uint64_t> settled;
  tracker.ack(5, 1, settled);
  CHECK(tracker.ack_floor_consumer_seq() == 1);
  CHECK(tracker.ack_floor_stream_seq() == 5);
}

TEST_CASE("an undone redelivery goes back to the head with its count") {
  AckTracker tracker = explicit_tracker(kSecond);
  deliver_new(tracker, 1, 2, 0);
  tracker.expire(kSecond);
  std::vector<std::uint64_t> exceeded;
  auto first = tracker.next_redelivery(exceeded);
  REQUIRE(first);
  tracker.undo_redelivery(first->stream_seq);
  auto again = tracker.next_redelivery(exceeded);
  REQUIRE(again);
  CHECK(again->stream_seq == 1);
  CHECK(again->delivery_count == 2);
}

TEST_CASE("a restored state re-arms the deadlines of what was pending") {
  AckTracker tracker = explicit_tracker(kSecond);
  tracker.restore(11, 8, 5, 7, {{8, {6, 100}}, {10, {7, 200}}}, {{10, 1}, {3, 2}});
  CHECK(tracker.next_stream_seq() == 11);
  CHECK(tracker.next_consumer_seq() == 8);
  CHECK(tracker.redelivered().size() == 1);  // The count below the floor is dropped.
  CHECK(tracker.next_deadline() == 100 + kSecond);
  tracker.expire(200 + kSecond);
  CHECK(drain_redeliveries(tracker) == std::vector<std::uint64_t>{8, 10});
}

TEST_CASE("the deadline heap stays proportional to what is pending") {
  AckTracker tracker = explicit_tracker(30 * kSecond);
  std::vector<std::uint64_t> settled;
  for (std::uint64_t seq = 1; seq <= 100'000; ++seq) {
    tracker.advance_past(seq);
    tracker.record_delivery(seq, static_cast<std::int64_t>(seq));
    tracker.ack(seq, seq, settled);
  }
  CHECK(tracker.pending().empty());
  CHECK(tracker.deadline_entries() <= 1025);
  // Every entry is stale; expire() discards them and finds nothing.
  tracker.expire(31 * kSecond + 100'000);
  CHECK(tracker.next_deadline() == 0);
}
