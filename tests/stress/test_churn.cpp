// Connection churn: thousands of connect/subscribe/disconnect cycles, many of them ending abruptly in the
// middle of a frame. Afterwards no subscription may be left (publishing with a reply reaches nobody, so
// ternd answers "no responders") and ternd's RSS must be back within a small margin of where it was.
#include <catch2/catch.hpp>

#include <cstdlib>

#include <random>
#include <string>
#include <vector>

#include "tests/stress/stress_support.h"
#include "tests/support/server_process.h"

using tern::stress::Connection;
using tern::stress::Loop;
using tern::stress::Millis;
using tern::test::ServerProcess;

namespace {

constexpr std::size_t kWave = 100;  // Connections alive at once.
constexpr std::size_t kSubjectFamilies = 50;

// How a churning client ends.
enum class Ending { kUnsubscribeAndClose, kClose, kReset, kMidPayload, kMidControlLine, kWhileReceiving };

// One wave: connect, subscribe (plain, queue and wildcard subscriptions), exchange a little traffic, end.
void run_wave(Loop& loop, int port, std::size_t wave, std::mt19937& rng) {
  std::vector<Connection*> wave_connections;
  for (std::size_t i = 0; i < kWave; ++i) {
    Connection& c = loop.connect(port);
    const std::string family = std::to_string(rng() % kSubjectFamilies);
    c.send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB churn." + family + ".a 1\r\nSUB churn." +
           family + ".* 2\r\nSUB churn." + family + ".a workers 3\r\nSUB churn.> 4\r\nSUB churn." + family +
           ".b " + std::to_string(wave % 7) + "q 5\r\nPUB churn." + family + ".a 5\r\nhello\r\nPING\r\n");
    wave_connections.push_back(&c);
  }
  loop.run_until(
      [&] {
        for (auto* c : wave_connections)
          if (c->pongs() < 1 && !c->closed()) return false;
        return true;
      },
      Millis(10000));
  for (Connection* c : wave_connections) {
    switch (static_cast<Ending>(rng() % 6)) {
      case Ending::kUnsubscribeAndClose:
        c->send("UNSUB 1\r\nUNSUB 2\r\nUNSUB 3 1\r\n");
        c->close();
        break;
      case Ending::kClose:
        c->close();
        break;
      case Ending::kReset:
        c->close(/*reset=*/true);
        break;
      case Ending::kMidPayload:
        c->send("PUB churn.x 100\r\nonly part of the payl");
        c->close(rng() % 2 == 0);
        break;
      case Ending::kMidControlLine:
        c->send("SUB churn.half-a-subj");
        c->close(rng() % 2 == 0);
        break;
      case Ending::kWhileReceiving:
        // Stop reading, have ternd queue a burst for us, and go.
        c->pause_reading(true);
        for (int k = 0; k < 50; ++k)
          c->send("PUB churn.0.a 1000\r\n" + std::string(1000, 'z') + "\r\n");
        c->close(/*reset=*/true);
        break;
    }
  }
}

// Waits until ternd holds no more descriptors than it did before any client came: it has then seen every
// close so far and released those connections. Without it, how many connections ternd holds at once
// would depend on how fast the machine lets it run, and its tables (and so its RSS) grow to that peak.
bool wait_until_ternd_released_all(Loop& loop, pid_t pid, std::size_t idle_fds) {
  return loop.run_until([&] { return tern::stress::open_fd_count(pid) <= idle_fds; }, Millis(30000));
}

// Publishes to subjects every churned subscription covered, with a reply subject the probe listens on.
// With headers and no_responders declared, each publish that reaches nobody comes back as a 503 status.
std::size_t count_no_responders(Loop& loop, int port) {
  std::size_t answers = 0;
  std::size_t deliveries = 0;
  Connection& probe = loop.connect(port);
  probe.on_op = [&](Connection&, const tern::protocol::Op& op) {
    if (op.kind == tern::protocol::OpKind::kHmsg && op.payload.find("503") != std::string_view::npos) {
      ++answers;
    } else {
      ++deliveries;
    }
  };
  std::string frames =
      "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB probe.inbox 1\r\n";
  for (std::size_t family = 0; family < kSubjectFamilies; ++family) {
    const std::string f = std::to_string(family);
    for (const char* leaf : {"a", "b", "c"})
      frames += "PUB churn." + f + "." + leaf + " probe.inbox 2\r\nhi\r\n";
  }
  frames += "PING\r\n";
  probe.send(frames);
  loop.run_until([&] { return probe.pongs() > 0 || probe.closed(); }, Millis(10000));
  probe.close();
  return deliveries == 0 ? answers : 0;
}

}  // namespace

TEST_CASE("connection churn leaves no subscription behind and RSS where it was", "[stress][churn]") {
  const std::size_t waves = tern::stress::scaled(60, 4);  // 100 connections each: 6,000 cycles.
  tern::stress::raise_fd_limit(4096);
  // mimalloc keeps freed pages for reuse, and how much it keeps after bursts varies from run to run by
  // up to 10 MiB, which hid nothing but made the RSS check flaky. Told to give pages back at once (in
  // this test only), ternd's RSS measures what it holds, so a leak shows as growth.
  ::setenv("MIMALLOC_PAGE_RESET", "1", 1);
  ::setenv("MIMALLOC_RESET_DELAY", "0", 1);
  // Closed connections are kept for /connz?state=closed; a small ring fills up during the warm-up, so
  // the growth checked below is what ternd leaks, not what it keeps on purpose (and the ring's bound is
  // checked along the way).
  ServerProcess server(tern::stress::ternd_launch("max_closed_clients: 100\n"));
  ::unsetenv("MIMALLOC_PAGE_RESET");
  ::unsetenv("MIMALLOC_RESET_DELAY");
  std::mt19937 rng(20240601);
  Loop loop;
  const std::size_t idle_fds = tern::stress::open_fd_count(server.pid());
  REQUIRE(idle_fds > 0);

  // Warm up with a third of the work, so that the baseline includes the pools and tables that grow to
  // their working size in the first cycles. Each wave is released by ternd before the next begins, so
  // that it never holds more than one wave.
  const std::size_t warm_up = std::max<std::size_t>(2, waves / 3);
  for (std::size_t wave = 0; wave < warm_up; ++wave) {
    run_wave(loop, server.port(), wave, rng);
    REQUIRE(wait_until_ternd_released_all(loop, server.pid(), idle_fds));
  }
  REQUIRE(count_no_responders(loop, server.port()) == 3 * kSubjectFamilies);
  REQUIRE(wait_until_ternd_released_all(loop, server.pid(), idle_fds));
  const long baseline_rss = tern::stress::rss_kib(server.pid());

  for (std::size_t wave = 0; wave < waves; ++wave) {
    run_wave(loop, server.port(), wave, rng);
    REQUIRE(wait_until_ternd_released_all(loop, server.pid(), idle_fds));
  }
  CHECK(server.running());

  // Every subject any churned client subscribed to now reaches nobody.
  CHECK(count_no_responders(loop, server.port()) == 3 * kSubjectFamilies);
  REQUIRE(wait_until_ternd_released_all(loop, server.pid(), idle_fds));
  const long final_rss = tern::stress::rss_kib(server.pid());
  const long peak_rss = tern::stress::peak_rss_kib(server.pid());
  WARN("churn cycles: " << waves * kWave << " (plus " << warm_up * kWave
                        << " warming up), ternd RSS after warm-up " << baseline_rss << " KiB, after churn "
                        << final_rss << " KiB, peak " << peak_rss << " KiB");
  // What ternd keeps after the churn depends on how much of the fan-out bursts (kWhileReceiving) it held
  // at once, which depends on scheduling: with each wave released before the next, the final RSS was
  // seen from 1.9 MiB below to 6.4 MiB above the baseline on a busy machine (ctest -j4 next to other
  // builds), so 4 MiB + 10% failed now and then. The margin is 16 MiB: it still catches the bursts'
  // buffers or the connections of the churn being kept (tens of MiB). A leak of a few hundred bytes per
  // connection is below what RSS can tell; LeakSanitizer finds it exactly (the asan preset, below).
  // AddressSanitizer's quarantine holds freed memory on purpose; RSS says nothing about leaks there.
  if (!tern::stress::sanitized()) CHECK(final_rss <= baseline_rss + 16 * 1024);
  CHECK(tern::stress::stop_and_collect_sanitizer_reports(server).empty());
}
