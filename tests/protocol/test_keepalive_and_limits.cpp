// ternd's keep-alive, slow-consumer and shutdown behaviour over real sockets. These cases depend on
// timing or on flooding, so they run against ternd alone and assert outcomes, not durations.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "protocol/parser.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"

using tern::test::Millis;
using tern::test::RawConnection;
using tern::test::ServerLaunch;
using tern::test::ServerProcess;

namespace {

ServerLaunch ternd(std::string config = {}) {
  ServerLaunch launch;
  launch.executable = TERN_TERND_PATH;
  launch.config_text = std::move(config);
  return launch;
}

// A blocking TCP socket connected to 127.0.0.1:port, or -1.
int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads the INFO line and whatever follows up to and including a PONG. Precondition: nothing but INFO
// and PONG is due on the socket.
bool read_until_pong(int fd) {
  std::string seen;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (seen.find("PONG\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd waiter{fd, POLLIN, 0};
    if (::poll(&waiter, 1, 200) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    seen.append(buffer, static_cast<std::size_t>(n));
  }
  return seen.size() >= 6 && seen.compare(seen.size() - 6, 6, "PONG\r\n") == 0;
}

// Counts MSG frames on a raw socket until `count` arrived, the peer closed or the time is up. It reads
// large chunks and parses them with the protocol parser, so that it keeps up with a flooding publisher.
std::size_t count_messages(int fd, std::size_t count, std::chrono::milliseconds timeout) {
  tern::protocol::Parser parser(tern::protocol::Direction::kFromServer, {1 << 20, 0});
  std::vector<char> buffer(256 * 1024);
  std::size_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (seen < count && std::chrono::steady_clock::now() < deadline) {
    pollfd waiter{fd, POLLIN, 0};
    if (::poll(&waiter, 1, 200) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) break;
    parser.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    tern::protocol::Op op;
    tern::protocol::ParseStatus status;
    while ((status = parser.next(op)) == tern::protocol::ParseStatus::kOp) {
      if (op.kind == tern::protocol::OpKind::kMsg) ++seen;
    }
    if (status == tern::protocol::ParseStatus::kError) break;
  }
  return seen;
}

// True once the server's log has a line holding both `a` and `b`, looked for until `timeout` passes.
bool log_has_line_with(const ServerProcess& server, std::string_view a, std::string_view b, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string text = server.log_text();
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string_view line(text.data() + start, end - start);
      if (line.find(a) != std::string_view::npos && line.find(b) != std::string_view::npos) return true;
      start = end + 1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

TEST_CASE("an idle client that never answers PING is closed as stale", "[keepalive]") {
  ServerProcess server(ternd("ping_interval: \"200ms\"\nping_max: 2\n"));
  RawConnection conn(server.port());
  conn.read_info_line();
  REQUIRE(conn.send("CONNECT {\"verbose\":false}\r\n"));
  auto result = conn.expect("PING\r\nPING\r\n-ERR 'Stale Connection'\r\n", Millis(5000));
  INFO(result.describe());
  CHECK(result.matched);
  CHECK(conn.expect_closed(Millis(2000)).closed);
}

TEST_CASE("a client that answers PING is kept", "[keepalive]") {
  // Three unanswered PINGs are allowed, so a client slowed down by a loaded machine still keeps up.
  ServerProcess server(ternd("ping_interval: \"200ms\"\nping_max: 3\n"));
  RawConnection conn(server.port());
  conn.read_info_line();
  REQUIRE(conn.send("CONNECT {\"verbose\":false}\r\n"));
  for (int i = 0; i < 5; ++i) {
    auto ping = conn.expect("PING\r\n", Millis(3000));
    INFO(ping.describe());
    REQUIRE(ping.matched);
    REQUIRE(conn.send("PONG\r\n"));
  }
  REQUIRE(conn.send("PING\r\n"));
  auto pong = conn.expect_any({"PONG\r\n", "PING\r\nPONG\r\n"}, Millis(3000));
  CHECK(pong.matched);
}

TEST_CASE("authentication times out", "[keepalive][auth]") {
  ServerProcess server(ternd("authorization { user: a, password: b, timeout: 0.3 }\n"));
  RawConnection conn(server.port());
  conn.read_info_line();
  auto result = conn.expect("-ERR 'Authentication Timeout'\r\n", Millis(5000));
  INFO(result.describe());
  CHECK(result.matched);
  CHECK(conn.expect_closed(Millis(2000)).closed);
}

TEST_CASE("a subscriber that never reads is cut, and the publisher and a healthy subscriber lose nothing",
          "[slow-consumer]") {
  ServerProcess server(ternd("max_pending: 8MB\n"));
  const std::size_t kPayload = 1024;
  // 40 MiB in all: far past the stuck subscriber's 8 MiB budget plus what its socket buffers hold.
  const std::size_t kMessages = 40000;

  RawConnection stuck(server.port());
  stuck.read_info_line();
  REQUIRE(stuck.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n"));
  REQUIRE(stuck.expect("PONG\r\n", Millis(5000)).matched);

  // The healthy subscriber reads on a plain socket of its own, in large chunks.
  const int healthy = connect_loopback(server.port());
  REQUIRE(healthy >= 0);
  const std::string subscribe = "CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n";
  REQUIRE(::send(healthy, subscribe.data(), subscribe.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(subscribe.size()));
  REQUIRE(read_until_pong(healthy));

  std::atomic<std::size_t> received{0};
  std::thread reader([&] { received = count_messages(healthy, kMessages, Millis(30000)); });

  RawConnection publisher(server.port());
  publisher.read_info_line();
  REQUIRE(publisher.send("CONNECT {\"verbose\":false}\r\n"));
  const std::string frame =
      "PUB flood " + std::to_string(kPayload) + "\r\n" + std::string(kPayload, 'x') + "\r\n";
  std::string batch;
  for (int i = 0; i < 50; ++i)
    batch += frame;
  for (std::size_t sent = 0; sent < kMessages; sent += 50) {
    if (!publisher.send(batch)) {
      reader.join();
      ::close(healthy);
      FAIL("the publisher's connection failed; server log:\n" << server.log_text());
    }
  }
  REQUIRE(publisher.send("PING\r\n"));
  auto pong = publisher.expect("PONG\r\n", Millis(20000));
  INFO(pong.describe());
  CHECK(pong.matched);

  reader.join();
  ::close(healthy);
  INFO("server log:\n" << server.log_text());
  CHECK(received == kMessages);
  // The stuck subscriber's connection is closed once its socket is drained.
  std::string drained = stuck.read_for(Millis(2000));
  auto closed = stuck.expect_closed(Millis(10000));
  CHECK(closed.closed);
  CHECK(server.log_text().find("Slow Consumer Detected") != std::string::npos);
}

TEST_CASE("SIGTERM flushes, closes clients and removes the pid and ports files", "[shutdown]") {
  const auto dir = tern::test::make_temp_dir("ternd-shutdown");
  const auto pid_file = dir / "ternd.pid";
  ServerLaunch launch = ternd();
  launch.extra_args = {"-P", pid_file.string()};
  ServerProcess server(launch);
  REQUIRE(std::filesystem::exists(pid_file));

  RawConnection conn(server.port());
  conn.read_info_line();
  REQUIRE(conn.send("CONNECT {\"verbose\":false}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n"));
  REQUIRE(conn.expect("MSG a 1 2\r\nhi\r\nPONG\r\n", Millis(5000)).matched);

  REQUIRE(::kill(server.pid(), SIGTERM) == 0);
  CHECK(conn.expect_closed(Millis(5000)).closed);
  server.stop();
  INFO("server log:\n" << server.log_text());
  CHECK_FALSE(std::filesystem::exists(pid_file));
  CHECK(server.log_text().find("Server Exiting") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a bcrypt check runs off the loop, and the ops sent with CONNECT wait for it", "[auth]") {
  // The hash of "s3cret" at cost 4.
  ServerProcess server(
      ternd("authorization { user: alice, password: "
            "\"$2a$04$/k.nxUCo0yhTY/rMRsAaoeJoRfbt.fNkzD/YIJ0b.gZGG23FSgAb6\" }\n"));
  RawConnection conn(server.port());
  conn.read_info_line();
  REQUIRE(
      conn.send("CONNECT {\"user\":\"alice\",\"pass\":\"s3cret\",\"verbose\":false}\r\nSUB a 1\r\nPUB a "
                "2\r\nhi\r\nPING\r\n"));
  auto result = conn.expect("MSG a 1 2\r\nhi\r\nPONG\r\n", Millis(5000));
  INFO(result.describe());
  CHECK(result.matched);

  RawConnection wrong(server.port());
  wrong.read_info_line();
  REQUIRE(wrong.send("CONNECT {\"user\":\"alice\",\"pass\":\"nope\"}\r\nPING\r\n"));
  auto refused = wrong.expect("-ERR 'Authorization Violation'\r\n", Millis(5000));
  INFO(refused.describe());
  CHECK(refused.matched);
  CHECK(wrong.expect_closed(Millis(2000)).closed);
}

TEST_CASE("SIGTERM lets a subscriber take what is queued for it before closing", "[shutdown]") {
  ServerProcess server(ternd());
  const std::size_t kPayload = 1000;
  const std::size_t kMessages = 20000;  // About 20 MB: far more than the socket buffers hold at once.

  const int subscriber = connect_loopback(server.port());
  REQUIRE(subscriber >= 0);
  const std::string subscribe = "CONNECT {\"verbose\":false}\r\nSUB q 1\r\nPING\r\n";
  REQUIRE(::send(subscriber, subscribe.data(), subscribe.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(subscribe.size()));
  REQUIRE(read_until_pong(subscriber));

  RawConnection publisher(server.port());
  publisher.read_info_line();
  REQUIRE(publisher.send("CONNECT {\"verbose\":false}\r\n"));
  const std::string frame =
      "PUB q " + std::to_string(kPayload) + "\r\n" + std::string(kPayload, 'y') + "\r\n";
  std::string batch;
  for (int i = 0; i < 100; ++i)
    batch += frame;
  for (std::size_t sent = 0; sent < kMessages; sent += 100)
    REQUIRE(publisher.send(batch));
  REQUIRE(publisher.send("PING\r\n"));
  REQUIRE(publisher.expect("PONG\r\n", Millis(10000)).matched);

  // Everything is queued in ternd (or in the socket) before the subscriber reads a byte.
  REQUIRE(::kill(server.pid(), SIGTERM) == 0);
  CHECK(count_messages(subscriber, kMessages, Millis(10000)) == kMessages);
  ::close(subscriber);
  server.stop();
  INFO("server log:\n" << server.log_text());
  CHECK(server.log_text().find("Server Exiting") != std::string::npos);
}

TEST_CASE("a subscriber whose socket stays full past the write deadline is cut", "[slow-consumer]") {
  // A budget far larger than the flood, so that only the deadline can act.
  ServerProcess server(ternd("write_deadline: \"300ms\"\n"));
  RawConnection stuck(server.port());
  stuck.read_info_line();
  REQUIRE(stuck.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n"));
  REQUIRE(stuck.expect("PONG\r\n", Millis(5000)).matched);

  RawConnection publisher(server.port());
  publisher.read_info_line();
  REQUIRE(publisher.send("CONNECT {\"verbose\":false}\r\n"));
  // 16 MiB: more than the stuck client's socket buffers take, so a write stays pending in ternd.
  const std::string frame = "PUB flood 4096\r\n" + std::string(4096, 'z') + "\r\n";
  std::string batch;
  for (int i = 0; i < 64; ++i)
    batch += frame;
  for (int i = 0; i < 64; ++i)
    REQUIRE(publisher.send(batch));
  REQUIRE(publisher.send("PING\r\n"));
  REQUIRE(publisher.expect("PONG\r\n", Millis(10000)).matched);

  // Within a few housekeeping ticks of the deadline, the stuck client is closed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.log_text().find("WriteDeadline") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(Millis(50));
  }
  INFO("server log:\n" << server.log_text());
  CHECK(server.log_text().find("Slow Consumer Detected: WriteDeadline") != std::string::npos);
  stuck.read_for(Millis(200));
  CHECK(stuck.expect_closed(Millis(10000)).closed);
}

TEST_CASE("SIGHUP reloads the configuration file, and a broken file changes nothing", "[reload]") {
  const auto dir = tern::test::make_temp_dir("ternd-reload");
  const auto config = dir / "ternd.conf";
  std::ofstream(config) << "max_payload: 1000\n";
  ServerLaunch launch = ternd();
  launch.extra_args = {"-c", config.string()};
  ServerProcess server(launch);
  const auto info_max_payload = [&] {
    RawConnection conn(server.port());
    const auto fields = tern::test::parse_info_fields(conn.read_info_line());
    return tern::test::info_field(fields, "max_payload").value_or("");
  };
  const auto wait_for_log = [&](std::string_view text, std::size_t occurrences) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      const std::string log = server.log_text();
      std::size_t found = 0;
      for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
        ++found;
      if (found >= occurrences || std::chrono::steady_clock::now() > deadline) return found >= occurrences;
      std::this_thread::sleep_for(Millis(20));
    }
  };
  CHECK(info_max_payload() == "1000");

  std::ofstream(config, std::ios::trunc) << "max_payload: 2000\nauthorization { token: s3cret }\n";
  REQUIRE(::kill(server.pid(), SIGHUP) == 0);
  REQUIRE(wait_for_log("Reloaded server configuration", 1));
  CHECK(info_max_payload() == "2000");
  RawConnection refused(server.port());
  refused.read_info_line();
  REQUIRE(refused.send("CONNECT {\"auth_token\":\"wrong\"}\r\n"));
  CHECK(refused.expect("-ERR 'Authorization Violation'\r\n", Millis(5000)).matched);

  std::ofstream(config, std::ios::trunc) << "max_payload: \"not a size\"\n";
  REQUIRE(::kill(server.pid(), SIGHUP) == 0);
  REQUIRE(wait_for_log("Failed to reload", 1));
  CHECK(info_max_payload() == "2000");
  // The port, host and files cannot move while running (the port and host here come from flags,
  // which win over the file, so the pid file stands for them).
  std::ofstream(config, std::ios::trunc) << "pid_file: \"" << (dir / "other.pid").string() << "\"\n";
  REQUIRE(::kill(server.pid(), SIGHUP) == 0);
  REQUIRE(wait_for_log("config reload not supported for pid_file", 1));
  CHECK(server.running());
  std::filesystem::remove_all(dir);
}

TEST_CASE("SIGUSR2: lame-duck mode tells clients, stops accepting, closes them and exits", "[lame-duck]") {
  ServerProcess server(ternd("lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"300ms\"\n"));
  RawConnection modern(server.port());
  modern.read_info_line();
  REQUIRE(modern.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"));
  REQUIRE(modern.expect("PONG\r\n", Millis(5000)).matched);
  // A client of protocol 0 takes no INFO updates; it is only closed.
  RawConnection old(server.port());
  old.read_info_line();
  REQUIRE(old.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  REQUIRE(old.expect("PONG\r\n", Millis(5000)).matched);

  REQUIRE(::kill(server.pid(), SIGUSR2) == 0);
  const auto line = modern.read_line(Millis(5000));
  REQUIRE(line.has_value());
  const auto fields = tern::test::parse_info_fields(*line + "\r\n");
  CHECK(tern::test::info_field(fields, "ldm") == std::optional<std::string>("true"));
  CHECK(modern.expect_closed(Millis(10000)).closed);
  CHECK(old.expect_closed(Millis(10000)).closed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(Millis(20));
  CHECK_FALSE(server.running());
  const std::string log = server.log_text();
  INFO(log);
  CHECK(log.find("Entering lame duck mode, stop accepting new clients") != std::string::npos);
  CHECK(log.find("Closing existing clients") != std::string::npos);
  CHECK(log.find("Server Exiting") != std::string::npos);
}

TEST_CASE("a subscriber that reads slowly for a while, then catches up, gets every message",
          "[slow-consumer][backpressure]") {
  // A small budget: without backpressure, the slow phase alone would put the subscriber 8 times over it.
  ServerProcess server(ternd("max_pending: 2MB\n"));
  const std::size_t kPayload = 1024;
  const std::size_t kMessages = 20000;  // About 21 MB.

  const int subscriber = connect_loopback(server.port());
  REQUIRE(subscriber >= 0);
  // A small receive buffer, so that the server's queue, not the kernel's, holds the backlog.
  const int small = 64 * 1024;
  REQUIRE(::setsockopt(subscriber, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
  const std::string subscribe = "CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n";
  REQUIRE(::send(subscriber, subscribe.data(), subscribe.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(subscribe.size()));
  REQUIRE(read_until_pong(subscriber));

  // The publisher floods as fast as TCP lets it, from its own thread: backpressure blocks its sends.
  std::atomic<bool> publisher_ok{true};
  std::thread publisher([&] {
    RawConnection pub(server.port());
    pub.read_info_line();
    if (!pub.send("CONNECT {\"verbose\":false}\r\n")) publisher_ok = false;
    const std::string frame =
        "PUB flood " + std::to_string(kPayload) + "\r\n" + std::string(kPayload, 'x') + "\r\n";
    std::string batch;
    for (int i = 0; i < 50; ++i)
      batch += frame;
    for (std::size_t sent = 0; sent < kMessages && publisher_ok; sent += 50) {
      if (!pub.send(batch)) publisher_ok = false;
    }
    if (publisher_ok && !pub.send("PING\r\n")) publisher_ok = false;
    if (publisher_ok && !pub.expect("PONG\r\n", Millis(60000)).matched) publisher_ok = false;
  });

  // The slow phase: about 1.6 MB/s for a second (16 KiB every 10 ms); this paces the reader, it does not
  // wait for anything.
  tern::protocol::Parser parser(tern::protocol::Direction::kFromServer, {1 << 20, 0});
  std::size_t seen = 0;
  bool closed = false;
  const auto count_from = [&](const char* data, std::size_t n) {
    parser.feed(std::string_view(data, n));
    tern::protocol::Op op;
    while (parser.next(op) == tern::protocol::ParseStatus::kOp) {
      if (op.kind == tern::protocol::OpKind::kMsg) ++seen;
    }
  };
  std::vector<char> buffer(256 * 1024);
  const auto slow_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < slow_until && !closed) {
    const ssize_t n = ::recv(subscriber, buffer.data(), 16 * 1024, MSG_DONTWAIT);
    if (n == 0) closed = true;
    if (n > 0) count_from(buffer.data(), static_cast<std::size_t>(n));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Then as fast as it can.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (seen < kMessages && !closed && std::chrono::steady_clock::now() < deadline) {
    pollfd waiter{subscriber, POLLIN, 0};
    if (::poll(&waiter, 1, 200) <= 0) continue;
    const ssize_t n = ::recv(subscriber, buffer.data(), buffer.size(), 0);
    if (n <= 0) {
      closed = true;
      break;
    }
    count_from(buffer.data(), static_cast<std::size_t>(n));
  }
  publisher.join();
  ::close(subscriber);
  INFO("server log:\n" << server.log_text());
  CHECK_FALSE(closed);
  CHECK(seen == kMessages);
  CHECK(publisher_ok);
  CHECK(server.log_text().find("Slow Consumer Detected") == std::string::npos);
}

TEST_CASE("only the publisher that feeds a congested receiver is paused", "[slow-consumer][backpressure]") {
  // -D logs each pause with the paused publisher's name.
  auto launch = ternd("max_pending: 2MB\n");
  launch.extra_args = {"-D"};
  ServerProcess server(launch);
  // A subscriber on "slow" that never reads.
  RawConnection stuck(server.port());
  stuck.read_info_line();
  REQUIRE(stuck.send("CONNECT {\"verbose\":false}\r\nSUB slow 1\r\nPING\r\n"));
  REQUIRE(stuck.expect("PONG\r\n", Millis(5000)).matched);

  RawConnection slow_publisher(server.port());
  slow_publisher.read_info_line();
  REQUIRE(slow_publisher.send("CONNECT {\"verbose\":false,\"name\":\"feeds-slow\"}\r\n"));
  const std::string frame = "PUB slow 1024\r\n" + std::string(1024, 's') + "\r\n";
  std::string batch;
  for (int i = 0; i < 64; ++i)
    batch += frame;
  // 8 MiB: past half of the stuck subscriber's budget once its socket buffers are full. Sent from a
  // thread, since its sends block once the server pauses this publisher.
  std::thread flood([&] {
    for (int i = 0; i < 128; ++i)
      if (!slow_publisher.send(batch)) break;
  });
  REQUIRE(log_has_line_with(server, "feeds-slow", "Stalled for a slow receiver", Millis(20000)));

  // Meanwhile another publisher and its subscriber exchange messages; every PING is answered, so the
  // server read and routed everything sent before it.
  RawConnection healthy_sub(server.port());
  healthy_sub.read_info_line();
  REQUIRE(healthy_sub.send("CONNECT {\"verbose\":false}\r\nSUB fast 1\r\nPING\r\n"));
  REQUIRE(healthy_sub.expect("PONG\r\n", Millis(5000)).matched);
  RawConnection fast(server.port());
  fast.read_info_line();
  REQUIRE(fast.send("CONNECT {\"verbose\":false,\"name\":\"feeds-fast\"}\r\n"));
  for (int round = 0; round < 20; ++round) {
    REQUIRE(fast.send("PUB fast 5\r\nhello\r\nPING\r\n"));
    REQUIRE(fast.expect("PONG\r\n", Millis(5000)).matched);
    REQUIRE(healthy_sub.expect("MSG fast 1 5\r\nhello\r\n", Millis(5000)).matched);
  }
  stuck.close();
  flood.join();
  INFO("server log:\n" << server.log_text());
  CHECK_FALSE(log_has_line_with(server, "feeds-fast", "Stalled", Millis(0)));
}
