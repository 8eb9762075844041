// Ordering at sustained load: every publisher-subscriber pair sees the publisher's sequence numbers in
// order with no gap and no duplicate, for plain subscribers (with and without headers) and, within each
// member, for a queue group, whose members together get every message exactly once.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/stress/stress_support.h"
#include "tests/support/server_process.h"

using tern::stress::Connection;
using tern::stress::Loop;
using tern::stress::Millis;
using tern::stress::SequenceTracker;
using tern::test::ServerProcess;

TEST_CASE("per publisher-subscriber pair, sequence numbers arrive in order with no gaps at sustained load",
          "[stress][ordering]") {
  constexpr std::size_t kPublishers = 8;
  constexpr std::size_t kSubscribers = 8;
  constexpr std::size_t kQueueMembers = 4;
  const std::uint64_t messages = tern::stress::scaled(250000, 5000);
  ServerProcess server(tern::stress::ternd_launch());
  Loop loop;

  std::vector<std::unique_ptr<SequenceTracker>> trackers;
  tern::stress::Flood flood;
  for (std::size_t s = 0; s < kSubscribers; ++s) {
    auto& tracker = trackers.emplace_back(std::make_unique<SequenceTracker>(kPublishers));
    Connection& c = loop.connect(server.port());
    tern::stress::track_messages(c, *tracker);
    // Half the subscribers take headers (HMSG); the others get the same messages as MSG, headers stripped.
    c.send(std::string("CONNECT {\"verbose\":false,\"headers\":") + (s % 2 == 0 ? "true" : "false") +
           "}\r\nSUB ord.* 1\r\nPING\r\n");
    flood.readers.push_back(tracker.get());
  }

  // The queue group: per member, each publisher's numbers only increase; together, each arrives once.
  struct Member {
    std::vector<std::int64_t> last = std::vector<std::int64_t>(kPublishers, -1);
    std::uint64_t backwards = 0;
    std::uint64_t received = 0;
  };
  std::vector<Member> members(kQueueMembers);
  std::vector<std::vector<std::uint8_t>> deliveries(kPublishers, std::vector<std::uint8_t>(messages, 0));
  std::uint64_t queue_malformed = 0;
  for (std::size_t m = 0; m < kQueueMembers; ++m) {
    Connection& c = loop.connect(server.port());
    c.on_op = [&, m](Connection&, const tern::protocol::Op& op) {
      std::size_t publisher = 0;
      std::uint64_t sequence = 0;
      if (!tern::stress::parse_sequenced_payload(tern::stress::message_body(op), publisher, sequence) ||
          publisher >= kPublishers || sequence >= messages) {
        ++queue_malformed;
        return;
      }
      auto& member = members[m];
      if (static_cast<std::int64_t>(sequence) <= member.last[publisher]) ++member.backwards;
      member.last[publisher] = static_cast<std::int64_t>(sequence);
      ++member.received;
      if (deliveries[publisher][sequence] < 255) ++deliveries[publisher][sequence];
    };
    c.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB ord.> workers 1\r\nPING\r\n");
  }
  for (std::size_t p = 0; p < kPublishers; ++p) {
    Connection& c = loop.connect(server.port());
    c.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nPING\r\n");
    flood.publishers.push_back(&c);
    flood.subjects.push_back("ord." + std::to_string(p));
  }
  REQUIRE(loop.run_until(
      [&] {
        for (auto& c : loop.connections())
          if (c->pongs() < 1) return false;
        return true;
      },
      Millis(10000)));

  flood.messages_per_publisher = messages;
  flood.payload_size = 128;
  flood.window = 512;
  flood.headers = true;
  const auto start = tern::stress::Clock::now();
  const bool delivered = tern::stress::run_flood(loop, flood, Millis(180000));
  const auto elapsed = std::chrono::duration_cast<Millis>(tern::stress::Clock::now() - start);
  // The queue members may still be reading the last messages.
  std::uint64_t queue_total = 0;
  loop.run_until(
      [&] {
        queue_total = 0;
        for (const auto& member : members)
          queue_total += member.received;
        return queue_total >= kPublishers * messages;
      },
      Millis(20000));

  std::uint64_t checked = queue_total;
  for (const auto& tracker : trackers)
    checked += tracker->received;
  WARN("publishers: " << kPublishers << ", subscribers: " << kSubscribers << " plain + " << kQueueMembers
                      << " in a queue group, messages checked: " << checked << " in " << elapsed.count()
                      << " ms ("
                      << (elapsed.count() > 0 ? checked * 1000 / static_cast<std::uint64_t>(elapsed.count())
                                              : 0)
                      << " deliveries/s)");
  CHECK(delivered);
  for (std::size_t s = 0; s < kSubscribers; ++s) {
    INFO("subscriber " << s);
    CHECK(trackers[s]->received == kPublishers * messages);
    CHECK(trackers[s]->out_of_order == 0);
    CHECK(trackers[s]->malformed == 0);
  }
  std::uint64_t not_exactly_once = 0;
  for (const auto& per_publisher : deliveries)
    for (auto count : per_publisher)
      not_exactly_once += count == 1 ? 0 : 1;
  CHECK(queue_malformed == 0);
  CHECK(not_exactly_once == 0);
  for (const auto& member : members) {
    CHECK(member.backwards == 0);
    CHECK(member.received > 0);  // The group's choice is random, so every member gets a share.
  }
  for (auto& c : loop.connections())
    CHECK_FALSE(c->closed());
  CHECK(tern::stress::stop_and_collect_sanitizer_reports(server).empty());
}
