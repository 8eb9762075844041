// A server that stops reading: the client must still close in bounded time, bound what it buffers,
// and keep what it accepted when the connection then drops.
#include <chrono>

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
  options.connect_timeout = 500ms;
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
  const auto started = std::chrono::steady_clock::now();
  client.reset();
  CHECK(std::chrono::steady_clock::now() - started < 5s);
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
  int accepted = 0;
  std::error_code error;
  // 64 MiB in all if nothing stops it; the limit must stop it at 1 MiB.
  for (int i = 0; i < 1024 && !error; ++i) {
    error = client->publish("stalled", payload);
    if (!error) ++accepted;
  }
  CHECK(error == Errc::kOutboundFull);
  CHECK(error.message().find("not reading fast enough") != std::string::npos);
  CHECK(accepted <= 16);
  // The PING either finds no room or is never answered.
  const std::error_code flushed = client->flush(500ms);
  CHECK((flushed == Errc::kOutboundFull || flushed == Errc::kTimeout));
}
