// Shared helpers for the client tests: each test body runs once against ternd and once against
// nats-server, waits by polling with a deadline (never by sleeping a fixed time), and builds client
// options for a server started on a random port.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "client/client.h"
#include "tests/support/server_process.h"

namespace tern::client_test {

enum class ServerKind { kTernd, kNatsServer };

inline const char* server_path(ServerKind kind) {
  return kind == ServerKind::kTernd ? TERN_TERND_PATH : TERN_NATS_SERVER_PATH;
}

inline test::ServerLaunch server_launch(ServerKind kind, std::vector<std::string> extra_args = {}) {
  test::ServerLaunch launch;
  launch.executable = server_path(kind);
  launch.extra_args = std::move(extra_args);
  return launch;
}

inline test::ServerProcess start_server(ServerKind kind, std::vector<std::string> extra_args = {}) {
  return test::ServerProcess(server_launch(kind, std::move(extra_args)));
}

inline std::string url_of(int port) {
  return "nats://127.0.0.1:" + std::to_string(port);
}

inline client::Options options_for(int port) {
  client::Options options;
  options.servers = {url_of(port)};
  options.name = "tern-client-test";
  options.reconnect_wait = std::chrono::milliseconds(20);
  options.reconnect_wait_max = std::chrono::milliseconds(200);
  return options;
}

inline client::Client connect_to(int port, client::Options options) {
  options.servers = {url_of(port)};
  auto connected = client::Client::connect(std::move(options));
  if (!connected) FAIL("connect to port " << port << " failed: " << connected.error().message());
  return std::move(*connected);
}

inline client::Client connect_to(int port) {
  return connect_to(port, options_for(port));
}

// Polls `condition` until it holds or the deadline passes; returns its last value.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace tern::client_test

// Defines a test body `name(ServerKind kind)` and two Catch2 test cases that run it, one per server.
// `ternd_tags` lets a test be marked [!mayfail] against ternd alone when ternd has a known bug.
#define TERN_CLIENT_TEST_TAGGED(name, tags, ternd_tags)     \
  static void name(::tern::client_test::ServerKind kind);   \
  TEST_CASE(#name " (ternd)", tags "[ternd]" ternd_tags) {  \
    name(::tern::client_test::ServerKind::kTernd);          \
  }                                                         \
  TEST_CASE(#name " (nats-server)", tags "[nats-server]") { \
    name(::tern::client_test::ServerKind::kNatsServer);     \
  }                                                         \
  static void name([[maybe_unused]] ::tern::client_test::ServerKind kind)

#define TERN_CLIENT_TEST(name, tags) TERN_CLIENT_TEST_TAGGED(name, tags, "")
