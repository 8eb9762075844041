// A server that stops reading: the client must still close in bounded time, bound what it buffers,
// and keep what it accepted when the connection then drops.
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <string_view>

#include "tests/client/client_test_support.h"
#include "tests/client/fake_server.h"

using namespace std::chrono_literals;
using tern::client::Client;
using tern::client::Errc;
using tern::client_test::StallingServer;
using tern::client_test::url_of;

namespace {

tern::client::Options stalled_options(int port) {
  tern::client::Options options;
  options.servers = {url_of(port)};
  // It bounds the handshake as well as the close: short enough to keep the closes quick, long enough
  // for a handshake on a busy machine.
  options.connect_timeout = 2000ms;
  options.allow_reconnect = false;
  return options;
}

}  // namespace

TEST_CASE("destroying a client whose server stopped reading returns in bounded time", "[client][stalled]") {
  StallingServer server;
  auto connected = Client::connect(stalled_options(server.port()));
  REQUIRE(connected);
  std::optional<Client> client(std::move(*connected));
  // Far more than the socket buffers hold, so that a write stays in flight.
  const std::string payload(64 * 1024, 'x');
  for (int i = 0; i < 128; ++i)
    REQUIRE_FALSE(client->publish("stalled", payload));
  // The server reads nothing before the client is gone, so the destructor returning at all shows that
  // the close does not wait for it (its wait is bounded by connect_timeout). Were it unbounded, the
  // test would hang until ctest's timeout: no clock is read here, as a busy machine would fail one.
  client.reset();
  // The socket was closed, not leaked: the server sees the end of the stream.
  CHECK(server.wait_for_client_close(10s));
}

TEST_CASE("publishing to a server that stopped reading fails once max_pending_bytes is reached",
          "[client][stalled]") {
  StallingServer server;
  auto options = stalled_options(server.port());
  options.max_pending_bytes = 1024 * 1024;
  auto client = Client::connect(options);
  REQUIRE(client);
  const std::string payload(64 * 1024, 'x');
  const std::uint64_t frame = std::string_view("PUB stalled 65536\r\n").size() + payload.size() + 2;
  std::uint64_t accepted = 0;
  std::error_code error;
  // 64 MiB in all if nothing stops it; the limit must stop it after about 1 MiB more than the kernel's
  // socket buffers take.
  for (int i = 0; i < 1024 && !error; ++i) {
    error = client->publish("stalled", payload);
    if (!error) ++accepted;
  }
  CHECK(error == Errc::kOutboundFull);
  CHECK(error.message().find("not reading fast enough") != std::string::npos);
  CHECK(accepted < 1024);
  // The socket buffers take as many publishes as they hold, however the writes were timed; every other
  // accepted byte is held by the client, which never holds more than max_pending_bytes.
  const std::uint64_t written = client->statistics().written_bytes;
  INFO("accepted " << accepted << " frames of " << frame << " bytes; written " << written << " bytes");
  CHECK(accepted * frame <= options.max_pending_bytes + written);
  // The count is not inflated: nothing but the handshake (CONNECT and PING, well under 1 KiB) and the
  // accepted frames was written.
  CHECK(written <= accepted * frame + 1024);
  // The PING either finds no room or is never answered.
  const std::error_code flushed = client->flush(500ms);
  CHECK((flushed == Errc::kOutboundFull || flushed == Errc::kTimeout));
}

TEST_CASE("publishes queued behind a stuck write survive the reconnect", "[client][stalled][reconnect]") {
  std::optional<StallingServer> stalling(std::in_place);
  const int port = stalling->port();
  auto options = tern::client_test::options_for(port);
  std::atomic<int> reconnected{0};
  options.events.on_reconnected = [&] { ++reconnected; };
  auto connected = Client::connect(options);
  REQUIRE(connected);
  Client& client = *connected;
  // The client's own subscription sees what reaches the real server: subscriptions are re-sent before
  // the buffered publishes, so nothing races the reconnect.
  std::atomic<int> received{0};
  auto sub = client.subscribe("seq", [&](tern::client::Message) { ++received; });
  REQUIRE(sub);
  // One frame larger than the socket buffers: the write carrying it stays in flight, so the
  // publishes after it wait in the client's buffer.
  REQUIRE_FALSE(client.publish("bulk", std::string(16 * 1024 * 1024, 'b')));
  // Once the server holds its first bytes, the write carrying the frame has started.
  REQUIRE(stalling->wait_for_unread("PUB bulk", 10s));
  for (int i = 0; i < 10; ++i)
    REQUIRE_FALSE(client.publish("seq", std::to_string(i)));
  // The premise, checked rather than assumed: the kernel did not take the whole frame (its send buffer
  // is at most tcp_wmem's maximum, 4 MiB by default), so its write has not completed and the publishes
  // above are still the client's.
  REQUIRE(client.statistics().written_bytes < 16 * 1024 * 1024);
  // Its PING waits in the buffer too, so the PONG of the new server answers it.
  std::promise<std::error_code> flushed;
  client.flush(10000ms, [&](std::error_code error) { flushed.set_value(error); });
  stalling->drop();
  auto launch =
      tern::client_test::server_launch(tern::client_test::ServerKind::kTernd, {"-p", std::to_string(port)});
  launch.config_text = "max_payload: 33554432\nmax_pending: 134217728\n";
  tern::test::ServerProcess server(launch);
  REQUIRE(server.port() == port);
  REQUIRE(tern::client_test::wait_until([&] { return reconnected == 1; }));
  CHECK(tern::client_test::wait_until([&] { return received == 10; }));
  CHECK_FALSE(flushed.get_future().get());
  CHECK(received == 10);
}

TEST_CASE("a message larger than the server's max_payload is a protocol error", "[client][stalled]") {
  StallingServer server(4096, 1024);
  auto options = stalled_options(server.port());
  std::mutex mu;
  std::error_code error;
  options.events.on_error = [&](std::error_code code, std::string_view) {
    std::lock_guard lock(mu);
    error = code;
  };
  auto client = Client::connect(options);
  REQUIRE(client);
  std::atomic<int> received{0};
  auto sub = client->subscribe("big", [&](tern::client::Message) { ++received; });
  REQUIRE(sub);
  server.send("MSG big " + std::to_string(sub->sid()) + " 4096\r\n" + std::string(4096, 'x') + "\r\n");
  CHECK(tern::client_test::wait_until([&] {
    std::lock_guard lock(mu);
    return error == Errc::kProtocolError;
  }));
  CHECK(received == 0);
}
