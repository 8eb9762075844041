// Many clients at once send garbage, truncated frames and mangled ops while a few good clients exchange
// numbered messages on the same server. Every bad client must get exactly what nats-server 2.9.10 sends
// for the same bytes (the reference error, or a close), and the good clients must not notice anything.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "tests/stress/stress_support.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"

using tern::stress::Connection;
using tern::stress::Loop;
using tern::stress::Millis;
using tern::stress::SequenceTracker;
using tern::test::ServerProcess;

namespace {

// A name no other client's can become through one mangled byte.
std::string unique_token(std::mt19937& rng) {
  std::string token;
  for (int i = 0; i < 12; ++i)
    token.push_back(static_cast<char>('a' + rng() % 26));
  return token;
}

// The bytes bad client `i` sends. Subjects are private to the client, so that what it gets back depends
// on its own bytes only.
std::string bad_input(std::size_t i, std::mt19937& rng) {
  const std::string own = "bad." + unique_token(rng);
  const std::string valid_prefix = "SUB " + own + " 1\r\nPUB " + own + " 5\r\nhello\r\nPING\r\n";
  switch (i % 10) {
    case 0: {  // Random bytes after a letter that starts no op.
      std::string bytes = "X";
      for (int k = 0; k < 64; ++k)
        bytes.push_back(static_cast<char>(rng() % 256));
      return bytes;
    }
    case 1:
      return valid_prefix + "PUB " + own + " 2\r\nhello\r\n";  // Payload longer than declared.
    case 2:
      return valid_prefix + "PUB " + own + " 2000000\r\n";  // Past max_payload.
    case 3:
      return valid_prefix + "SUB " + std::string(5000, 'a') + " 1\r\n";  // Past max_control_line.
    case 4:
      return valid_prefix + "PUB " + own + " x\r\n";  // Bad size: a silent close.
    case 5:
      return valid_prefix + "PUB " + own + " 10\r\nabc";  // Truncated payload; the client then goes.
    case 6:
      return valid_prefix + "HPUB " + own + " 12 14\r\nNATS/1.0\r\n\r\nhi\r\n";  // HPUB without headers.
    case 7:
      return valid_prefix + "CONNECT {\"verbose\":\r\n";  // Invalid CONNECT JSON.
    default: {                                            // A valid stream with a few bytes mangled.
      std::string bytes = valid_prefix + "UNSUB 1\r\nSUB " + own + ".x q 2\r\nPUB " + own + ".x " + own +
                          " 3\r\nabc\r\nPING\r\n";
      for (int k = 0; k < 3; ++k) {
        char replacement = static_cast<char>(rng() % 256);
        // No wildcards: a mangled subject must not start to match other clients' subjects.
        if (replacement == '*' || replacement == '>') replacement = '?';
        bytes[rng() % bytes.size()] = replacement;
      }
      return bytes;
    }
  }
}

struct BadRun {
  std::vector<std::string> replies;  // Everything after INFO.
  std::vector<bool> closed_by_server;
};

// Sends every input from its own connection, all at once, and collects the replies until each connection
// is closed or quiet. Good clients, when given, keep exchanging messages meanwhile.
BadRun run_bad_clients(int port, const std::vector<std::string>& inputs,
                       const std::function<void(Loop&)>& during) {
  Loop loop;
  std::vector<Connection*> bad;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    bad.push_back(&loop.connect(port, /*raw_mode=*/true));
  loop.run_until(
      [&] {
        for (auto* c : bad)
          if (!c->got_info() && !c->closed()) return false;
        return true;
      },
      Millis(20000));
  for (std::size_t i = 0; i < inputs.size(); ++i)
    bad[i]->send(inputs[i]);
  if (during) during(loop);
  // Replies come at once; a connection left open is given a moment more, then closed by us.
  loop.run_until(
      [&] {
        for (auto* c : bad)
          if (!c->closed()) return false;
        return true;
      },
      Millis(1500));
  BadRun run;
  for (auto* c : bad) {
    run.replies.push_back(c->raw());
    run.closed_by_server.push_back(c->closed_by_peer());
  }
  return run;
}

}  // namespace

TEST_CASE("garbage and truncated frames from many clients get the reference replies, good clients unaffected",
          "[stress][garbage]") {
  const std::size_t bad_count = tern::stress::scaled(1000, 100);
  tern::stress::raise_fd_limit(4096);
  std::mt19937 rng(7);
  std::vector<std::string> inputs;
  for (std::size_t i = 0; i < bad_count; ++i)
    inputs.push_back(bad_input(i, rng));

  // The reference: nats-server, given the same bytes the same way.
  tern::test::ServerLaunch reference_launch;
  reference_launch.executable = TERN_NATS_SERVER_PATH;
  // Without nats-server, configure leaves the path empty or "NATS_SERVER_BIN-NOTFOUND".
  if (::access(reference_launch.executable.c_str(), X_OK) != 0)
    TERN_SKIP("nats-server is not installed: nothing to compare with");
  BadRun expected;
  {
    ServerProcess reference(reference_launch);
    expected = run_bad_clients(reference.port(), inputs, {});
  }

  ServerProcess server(tern::stress::ternd_launch());
  constexpr std::size_t kGood = 8;
  const std::uint64_t messages = tern::stress::scaled(5000, 500);
  std::vector<std::unique_ptr<SequenceTracker>> trackers;
  bool good_delivered = false;
  std::size_t good_open_at_end = 0;
  const BadRun actual = run_bad_clients(server.port(), inputs, [&](Loop& loop) {
    // Good clients, connected while the garbage flows: each subscribes to "good" and publishes numbered
    // messages there, so every good client checks every other one's sequence.
    tern::stress::Flood flood;
    std::vector<Connection*> good;
    for (std::size_t i = 0; i < kGood; ++i) {
      auto& tracker = trackers.emplace_back(std::make_unique<SequenceTracker>(kGood));
      Connection& c = loop.connect(server.port());
      tern::stress::track_messages(c, *tracker);
      c.send("CONNECT {\"verbose\":false}\r\nSUB good 1\r\nPING\r\n");
      good.push_back(&c);
      flood.publishers.push_back(&c);
      flood.subjects.emplace_back("good");
      flood.readers.push_back(tracker.get());
    }
    loop.run_until(
        [&] {
          for (auto* c : good)
            if (c->pongs() < 1) return false;
          return true;
        },
        Millis(10000));
    flood.messages_per_publisher = messages;
    flood.payload_size = 100;
    good_delivered = tern::stress::run_flood(loop, flood, Millis(60000));
    for (auto* c : good)
      c->send("PING\r\n");
    loop.run_until(
        [&] {
          for (auto* c : good)
            if (c->pongs() < 2) return false;
          return true;
        },
        Millis(10000));
    for (auto* c : good)
      good_open_at_end += c->closed() ? 0 : 1;
  });

  std::size_t mismatches = 0;
  std::size_t closed = 0;
  for (std::size_t i = 0; i < bad_count; ++i) {
    closed += actual.closed_by_server[i] ? 1 : 0;
    if (actual.replies[i] == expected.replies[i] &&
        actual.closed_by_server[i] == expected.closed_by_server[i])
      continue;
    if (++mismatches <= 5) {
      UNSCOPED_INFO("bad client " << i << " sent " << tern::test::escape_bytes(inputs[i])
                                  << "\n  ternd: " << tern::test::escape_bytes(actual.replies[i])
                                  << (actual.closed_by_server[i] ? " <close>" : "")
                                  << "\n  nats-server: " << tern::test::escape_bytes(expected.replies[i])
                                  << (expected.closed_by_server[i] ? " <close>" : ""));
    }
  }
  WARN("bad clients: " << bad_count << " (closed by ternd: " << closed << "), good clients: " << kGood
                       << ", messages checked: " << kGood * kGood * messages);
  CHECK(mismatches == 0);
  CHECK(good_delivered);
  for (std::size_t i = 0; i < kGood; ++i) {
    CHECK(trackers[i]->received == kGood * messages);
    CHECK(trackers[i]->out_of_order == 0);
  }
  CHECK(good_open_at_end == kGood);
  CHECK(server.running());
  CHECK(tern::stress::stop_and_collect_sanitizer_reports(server).empty());
}
