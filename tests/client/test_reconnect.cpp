// Reconnecting: the server is stopped and started again on the same port; the client notices,
// buffers publishes, reconnects, re-subscribes and sends what it buffered.
#include <uv.h>

#include <mutex>
#include <optional>
#include <vector>

#include "tests/client/client_test_support.h"

using namespace std::chrono_literals;
using tern::client::Client;
using tern::client::Errc;
using tern::client::Message;
using tern::client_test::connect_to;
using tern::client_test::options_for;
using tern::client_test::server_launch;
using tern::client_test::start_server;
using tern::client_test::wait_until;

namespace {

struct EventCounts {
  std::atomic<int> disconnected{0};
  std::atomic<int> reconnected{0};
  std::atomic<int> closed{0};

  tern::client::Options attach(tern::client::Options options) {
    options.events.on_disconnected = [this] { ++disconnected; };
    options.events.on_reconnected = [this] { ++reconnected; };
    options.events.on_closed = [this](std::error_code) { ++closed; };
    return options;
  }
};

}  // namespace

TERN_CLIENT_TEST(reconnect_resubscribes_and_sends_buffered_publishes, "[client][reconnect]") {
  std::optional<tern::test::ServerProcess> server;
  server.emplace(server_launch(kind));
  const int port = server->port();
  EventCounts events;
  Client client = connect_to(port, events.attach(options_for(port)));
  std::mutex mu;
  std::vector<std::string> received;
  auto sub = client.subscribe("r.*", [&](Message m) {
    std::lock_guard lock(mu);
    received.push_back(m.data);
  });
  std::atomic<int> limited{0};
  auto counted = client.subscribe("limited", [&](Message) { ++limited; });
  REQUIRE((sub && counted));
  REQUIRE_FALSE(counted->auto_unsubscribe(5));
  REQUIRE_FALSE(client.publish("r.before", "before"));
  REQUIRE_FALSE(client.publish("limited", "1"));
  REQUIRE_FALSE(client.publish("limited", "2"));
  REQUIRE_FALSE(client.flush());
  REQUIRE(limited == 2);

  server->stop();
  server.reset();
  REQUIRE(wait_until([&] { return events.disconnected == 1; }));
  CHECK(client.status() == tern::client::Status::kReconnecting);
  for (int i = 0; i < 100; ++i)
    REQUIRE_FALSE(client.publish("r.buffered", std::to_string(i)));
  for (int i = 0; i < 10; ++i)
    REQUIRE_FALSE(client.publish("limited", "more"));

  server.emplace(server_launch(kind, {"-p", std::to_string(port)}));
  REQUIRE(server->port() == port);
  REQUIRE(wait_until([&] { return events.reconnected == 1; }));
  REQUIRE_FALSE(client.flush());
  REQUIRE(wait_until([&] {
    std::lock_guard lock(mu);
    return received.size() == 101;
  }));
  {
    std::lock_guard lock(mu);
    CHECK(received[0] == "before");
    for (int i = 0; i < 100; ++i)
      CHECK(received[static_cast<std::size_t>(i) + 1] == std::to_string(i));
  }
  // The auto-unsubscribe limit carried over: 2 before, 3 after.
  CHECK(limited == 5);
  CHECK(client.statistics().reconnects == 1);
  REQUIRE_FALSE(client.publish("r.after", "after"));
  REQUIRE_FALSE(client.flush());
  CHECK(events.closed == 0);
}

TERN_CLIENT_TEST(auto_unsubscribe_after_a_reconnect_counts_from_the_new_connection, "[client][reconnect]") {
  std::optional<tern::test::ServerProcess> server;
  server.emplace(server_launch(kind));
  const int port = server->port();
  EventCounts events;
  Client client = connect_to(port, events.attach(options_for(port)));
  std::atomic<int> limited{0};
  auto sub = client.subscribe("limited", [&](Message) { ++limited; });
  REQUIRE(sub);
  REQUIRE_FALSE(client.publish("limited", "1"));
  REQUIRE_FALSE(client.publish("limited", "2"));
  REQUIRE_FALSE(client.flush());
  server->stop();
  server.reset();
  REQUIRE(wait_until([&] { return events.disconnected == 1; }));
  server.emplace(server_launch(kind, {"-p", std::to_string(port)}));
  REQUIRE(wait_until([&] { return events.reconnected == 1; }));
  // Two delivered before, so the new server must stop after three more.
  REQUIRE_FALSE(sub->auto_unsubscribe(5));
  for (int i = 0; i < 3; ++i)
    REQUIRE_FALSE(client.publish("limited", "more"));
  REQUIRE_FALSE(client.flush());
  CHECK(limited == 5);
  // The server dropped the subscription, so a request on its subject finds no responder.
  auto reply = client.request("limited", "anyone?", 10000ms).get();
  CHECK(reply.error() == Errc::kNoResponders);
}

TERN_CLIENT_TEST(reconnect_buffer_is_bounded, "[client][reconnect]") {
  std::optional<tern::test::ServerProcess> server;
  server.emplace(server_launch(kind));
  const int port = server->port();
  EventCounts events;
  auto options = events.attach(options_for(port));
  options.reconnect_buffer_size = 4096;
  Client client = connect_to(port, options);
  server->stop();
  REQUIRE(wait_until([&] { return events.disconnected == 1; }));
  const std::string chunk(1000, 'b');
  int accepted = 0;
  std::error_code error;
  while (!(error = client.publish("full", chunk)))
    ++accepted;
  CHECK(error == Errc::kReconnectBufferFull);
  CHECK(accepted == 4);
}

TERN_CLIENT_TEST(requests_and_flushes_survive_a_reconnect, "[client][reconnect]") {
  std::optional<tern::test::ServerProcess> server;
  server.emplace(server_launch(kind));
  const int port = server->port();
  EventCounts events;
  Client client = connect_to(port, events.attach(options_for(port)));
  auto service = client.subscribe("svc", [&](Message m) { client.publish(m.reply, "pong"); });
  REQUIRE(service);
  REQUIRE(client.request("svc", "ping", 10000ms).get());
  server->stop();
  server.reset();
  REQUIRE(wait_until([&] { return events.disconnected == 1; }));
  // Made while disconnected: the request and the PING wait in the buffer for the new connection.
  auto pending = client.request("svc", "ping", 10000ms);
  std::future<std::error_code> flushed =
      std::async(std::launch::async, [&] { return client.flush(10000ms); });
  server.emplace(server_launch(kind, {"-p", std::to_string(port)}));
  auto reply = pending.get();
  REQUIRE(reply);
  CHECK(reply->data == "pong");
  CHECK_FALSE(flushed.get());
}

TERN_CLIENT_TEST(gives_up_after_max_reconnect_attempts, "[client][reconnect]") {
  std::optional<tern::test::ServerProcess> server;
  server.emplace(server_launch(kind));
  const int port = server->port();
  EventCounts events;
  auto options = events.attach(options_for(port));
  options.max_reconnect_attempts = 3;
  options.reconnect_wait = 10ms;
  options.reconnect_wait_max = 20ms;
  Client client = connect_to(port, options);
  server->stop();
  REQUIRE(wait_until([&] { return events.closed == 1; }));
  CHECK(client.is_closed());
  CHECK(client.close_reason() == Errc::kConnectionFailed);
  CHECK(client.publish("x", "y") == Errc::kConnectionClosed);
}

TEST_CASE("connect fails clearly", "[client][connect]") {
  SECTION("nobody listening") {
    auto result = Client::connect("nats://127.0.0.1:1");
    REQUIRE_FALSE(result);
    CHECK(result.error() == Errc::kConnectionFailed);
  }
  SECTION("malformed URL") {
    auto result = Client::connect("http://127.0.0.1:4222");
    REQUIRE_FALSE(result);
    CHECK(result.error() == Errc::kInvalidUrl);
  }
}

TERN_CLIENT_TEST(authorization, "[client][connect]") {
  auto server = start_server(kind, {"--user", "alice", "--pass", "secret"});
  const std::string port = std::to_string(server.port());
  auto refused = Client::connect("nats://alice:wrong@127.0.0.1:" + port);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == Errc::kAuthorizationViolation);
  auto anonymous = Client::connect("nats://127.0.0.1:" + port);
  REQUIRE_FALSE(anonymous);
  CHECK(anonymous.error() == Errc::kAuthorizationViolation);
  auto accepted = Client::connect("nats://alice:secret@127.0.0.1:" + port);
  REQUIRE(accepted);
  REQUIRE_FALSE(accepted->flush());
  auto options = options_for(server.port());
  options.user = "alice";
  options.password = "secret";
  auto from_options = Client::connect(options);
  REQUIRE(from_options);

  // The server's -ERR line reaches the async error callback with its text.
  std::mutex mu;
  std::string error_text;
  std::error_code error_code;
  options.password = "wrong";
  options.events.on_error = [&](std::error_code code, std::string_view text) {
    std::lock_guard lock(mu);
    error_code = code;
    error_text = text;
  };
  CHECK(Client::connect(options).error() == Errc::kAuthorizationViolation);
  std::lock_guard lock(mu);
  CHECK(error_code == Errc::kAuthorizationViolation);
  CHECK(error_text == "Authorization Violation");
}

TERN_CLIENT_TEST(token_authorization, "[client][connect]") {
  auto server = start_server(kind, {"--auth", "s3cr3t"});
  const std::string port = std::to_string(server.port());
  CHECK(Client::connect("nats://wrong@127.0.0.1:" + port).error() == Errc::kAuthorizationViolation);
  auto accepted = Client::connect("nats://s3cr3t@127.0.0.1:" + port);
  REQUIRE(accepted);
  CHECK_FALSE(accepted->flush());
}

TERN_CLIENT_TEST(client_on_an_attached_loop, "[client][loop]") {
  auto server = start_server(kind);
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  std::optional<Client> client;
  std::optional<tern::client::Subscription> sub;
  std::string got;
  auto options = options_for(server.port());
  options.loop = &loop;
  options.events.on_connected = [&] {
    auto created = client->subscribe("loop", [&](Message m) {
      got = m.data;
      client->close();
    });
    REQUIRE(created);
    sub.emplace(std::move(*created));
    client->publish("loop", "on the caller's loop");
  };
  auto connected = Client::connect(options);
  REQUIRE(connected);
  client.emplace(std::move(*connected));
  uv_run(&loop, UV_RUN_DEFAULT);  // Returns once the client closed its handles.
  CHECK(got == "on the caller's loop");
  sub.reset();
  client.reset();
  CHECK(uv_loop_close(&loop) == 0);
}
