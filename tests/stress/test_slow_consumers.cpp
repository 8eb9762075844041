// Slow consumers under a flood: subscribers that stop reading are cut once their queue passes max_pending,
// ternd's memory stays within what the limits allow, and the subscribers that keep reading lose nothing.
#include <catch2/catch.hpp>

#include <algorithm>
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

TEST_CASE("slow consumers are cut within max_pending and healthy subscribers lose nothing",
          "[stress][slow]") {
  constexpr long kMaxPending = 1024 * 1024;
  constexpr std::size_t kPublishers = 4;
  constexpr std::size_t kHealthy = 4;
  constexpr std::size_t kPayload = 512;
  const std::size_t slow_count = tern::stress::scaled(20, 4);
  // Enough that each slow consumer would need far more than the kernel's socket buffers and max_pending.
  const std::uint64_t messages = tern::stress::scaled(50000, 10000);
  tern::stress::raise_fd_limit(4096);
  ServerProcess server(
      tern::stress::ternd_launch("max_pending: " + std::to_string(kMaxPending) + "\nmax_payload: 65536\n"));
  Loop loop;

  std::vector<std::unique_ptr<SequenceTracker>> healthy_trackers;
  std::vector<Connection*> healthy;
  for (std::size_t i = 0; i < kHealthy; ++i) {
    auto& tracker = healthy_trackers.emplace_back(std::make_unique<SequenceTracker>(kPublishers));
    Connection& c = loop.connect(server.port());
    tern::stress::track_messages(c, *tracker);
    c.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n");
    healthy.push_back(&c);
  }
  std::vector<Connection*> slow;
  for (std::size_t i = 0; i < slow_count; ++i) {
    Connection& c = loop.connect(server.port());
    c.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n");
    slow.push_back(&c);
  }
  tern::stress::Flood flood;
  for (std::size_t p = 0; p < kPublishers; ++p) {
    Connection& c = loop.connect(server.port());
    c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
    flood.publishers.push_back(&c);
    flood.subjects.emplace_back("flood");
  }
  REQUIRE(loop.run_until(
      [&] {
        for (auto& c : loop.connections())
          if (c->pongs() < 1) return false;
        return true;
      },
      Millis(10000)));
  for (Connection* c : slow)
    c->pause_reading(true);
  const long baseline_rss = tern::stress::rss_kib(server.pid());

  for (const auto& tracker : healthy_trackers)
    flood.readers.push_back(tracker.get());
  flood.messages_per_publisher = messages;
  flood.payload_size = kPayload;
  flood.window = 128;  // 128 x 512 B x 4 publishers in flight: well under max_pending for a healthy reader.
  long peak_rss = baseline_rss;
  auto last_sample = tern::stress::Clock::now();
  const bool delivered = tern::stress::run_flood(loop, flood, Millis(120000), [&] {
    if (tern::stress::Clock::now() - last_sample < Millis(10)) return;
    last_sample = tern::stress::Clock::now();
    peak_rss = std::max(peak_rss, tern::stress::rss_kib(server.pid()));
  });

  // Now read what the slow consumers were sent: each must end in a close from ternd.
  for (Connection* c : slow)
    c->pause_reading(false);
  loop.run_until([&] { return std::all_of(slow.begin(), slow.end(), [](auto* c) { return c->closed(); }); },
                 Millis(20000));
  const auto cut = std::count_if(slow.begin(), slow.end(), [](auto* c) { return c->closed_by_peer(); });

  const std::uint64_t per_subscriber = kPublishers * messages;
  // The budget: every connection's queue within max_pending, twice over for allocator slack, plus 16 MiB.
  const long budget =
      baseline_rss + static_cast<long>(loop.connections().size()) * 2 * kMaxPending / 1024 + 16384;
  WARN("slow consumers: " << slow_count << " (cut: " << cut << "), healthy subscribers: " << kHealthy
                          << ", messages each: " << per_subscriber << " (checked "
                          << per_subscriber * kHealthy << "), ternd RSS before " << baseline_rss
                          << " KiB, peak during the flood " << peak_rss << " KiB, budget " << budget
                          << " KiB, without limits " << slow_count * per_subscriber * kPayload / 1024
                          << " KiB");
  CHECK(delivered);
  for (std::size_t i = 0; i < kHealthy; ++i) {
    INFO("healthy subscriber " << i);
    CHECK(healthy_trackers[i]->received == per_subscriber);
    CHECK(healthy_trackers[i]->out_of_order == 0);
    CHECK(healthy_trackers[i]->malformed == 0);
    CHECK_FALSE(healthy[i]->closed());
  }
  CHECK(static_cast<std::size_t>(cut) == slow_count);
  CHECK(peak_rss <= budget);
  for (Connection* p : flood.publishers)
    CHECK_FALSE(p->closed());
  CHECK(tern::stress::stop_and_collect_sanitizer_reports(server).empty());
}
