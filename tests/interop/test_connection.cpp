// libnats connecting to the server: the handshake, what the client learns from INFO, flush and close.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "tests/interop/libnats_fixture.h"

using namespace tern::interop;

TEMPLATE_TEST_CASE("libnats connects and closes", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  Client client(*server);
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  natsConnection* connection = client.connection();

  CHECK(natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED);
  CHECK_FALSE(natsConnection_IsClosed(connection));
  // A round trip proves the server accepted libnats's CONNECT (sent with verbose off and pedantic off).
  CHECK(natsConnection_FlushTimeout(connection, kWaitMillis) == NATS_OK);

  natsConnection_Close(connection);
  CHECK(natsConnection_IsClosed(connection));
  CHECK(natsConnection_Status(connection) == NATS_CONN_STATUS_CLOSED);
  CHECK(client.wait_closed(std::chrono::milliseconds(kWaitMillis)));
  // A clean close is not an error: libnats saw no -ERR and no broken socket.
  CHECK(client.async_errors().empty());
}

TEMPLATE_TEST_CASE("libnats reports what the server announced", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  Client client(*server);
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  natsConnection* connection = client.connection();

  CHECK(natsConnection_GetMaxPayload(connection) == 1048576);
  CHECK(natsConnection_HasHeaderSupport(connection) == NATS_OK);

  char server_id[256] = {};
  REQUIRE(natsConnection_GetConnectedServerId(connection, server_id, sizeof(server_id)) == NATS_OK);
  const std::string id(server_id);
  CHECK(id.size() == 56);
  CHECK(id.rfind('N', 0) == 0);

  char url[256] = {};
  REQUIRE(natsConnection_GetConnectedUrl(connection, url, sizeof(url)) == NATS_OK);
  CHECK(std::string(url) == server->url());

  char* client_ip = nullptr;
  REQUIRE(natsConnection_GetClientIP(connection, &client_ip) == NATS_OK);
  REQUIRE(client_ip != nullptr);
  CHECK(std::string(client_ip) == "127.0.0.1");
  // libnats allocates the string with malloc and leaves freeing it to the caller.
  std::free(client_ip);

  std::int64_t round_trip_nanos = -1;
  CHECK(natsConnection_GetRTT(connection, &round_trip_nanos) == NATS_OK);
  CHECK(round_trip_nanos >= 0);
}

TEMPLATE_TEST_CASE("libnats sees client ids numbered as nats-server numbers them", "[interop][connection]",
                   Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  Client first(*server);
  Client second(*server);
  REQUIRE(first.status() == NATS_OK);
  REQUIRE(second.status() == NATS_OK);
  // nats-server numbers client connections from 4 (1 to 3 are its internal clients), one per accepted
  // connection; libnats shows the number it was given in INFO's client_id.
  std::uint64_t first_client_id = 0;
  std::uint64_t second_client_id = 0;
  REQUIRE(natsConnection_GetClientID(first.connection(), &first_client_id) == NATS_OK);
  REQUIRE(natsConnection_GetClientID(second.connection(), &second_client_id) == NATS_OK);
  CHECK(first_client_id == 4);
  CHECK(second_client_id == first_client_id + 1);
}

TEMPLATE_TEST_CASE("libnats honours max_payload from a config file", "[interop][connection]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>({}, "max_payload: 1000\n");
  Client client(*server);
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  natsConnection* connection = client.connection();
  CHECK(natsConnection_GetMaxPayload(connection) == 1000);

  const auto subscription = subscribe_sync(connection, "limits.payload");

  // libnats checks the announced limit itself, so an oversized publish never reaches the server.
  CHECK(publish(connection, "limits.payload", std::string(1001, 'x')) == NATS_MAX_PAYLOAD);
  const std::string largest(1000, 'y');
  REQUIRE(publish(connection, "limits.payload", largest) == NATS_OK);

  CHECK(message_data(require_next_message(subscription.get()).get()) == largest);
  CHECK(natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED);
}

TEMPLATE_TEST_CASE("libnats flushes against the server", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  Client client(*server);
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  natsConnection* connection = client.connection();

  CHECK(natsConnection_FlushTimeout(connection, kWaitMillis) == NATS_OK);
  // A flush after a burst of publishes returns only once the server has processed all of them (its PONG
  // follows them), so it must still succeed within the bound.
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(publish(connection, "flush.burst", "payload-" + std::to_string(i)) == NATS_OK);
  }
  CHECK(natsConnection_FlushTimeout(connection, kWaitMillis) == NATS_OK);
  CHECK(natsConnection_Buffered(connection) == 0);
  CHECK(natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED);
}

TEMPLATE_TEST_CASE("libnats reports a server that is gone", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  server->stop();
  Client client(*server);
  CHECK(client.status() == NATS_NO_SERVER);
  CHECK(client.connection() == nullptr);
}

TEMPLATE_TEST_CASE("libnats works with verbose and pedantic on", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  // With verbose on the server acknowledges every operation with +OK, which libnats reads and discards;
  // an +OK out of place or missing would break the PING/PONG matching of its flushes.
  Client client(*server, [](natsOptions* options) {
    natsOptions_SetVerbose(options, true);
    natsOptions_SetPedantic(options, true);
  });
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  natsConnection* connection = client.connection();

  const auto subscription = subscribe_sync(connection, "verbose.topic");
  publish_numbered(connection, "verbose.topic", 50);
  require_flush(connection);
  std::vector<std::string> data;
  for (int i = 0; i < 50; ++i)
    data.push_back(message_data(require_next_message(subscription.get()).get()));
  check_numbered(data, 50);
  REQUIRE(natsSubscription_Unsubscribe(subscription.get()) == NATS_OK);
  CHECK(natsConnection_FlushTimeout(connection, kWaitMillis) == NATS_OK);
  CHECK(natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED);
  CHECK(client.async_errors().empty());
}

TEMPLATE_TEST_CASE("libnats keep-alive pings are answered", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  // libnats pings every 50 ms and gives up after two unanswered pings, so a server that ignored its
  // PINGs would have the connection closed as stale well within the window below.
  Client client(*server, [](natsOptions* options) {
    natsOptions_SetPingInterval(options, 50);
    natsOptions_SetMaxPingsOut(options, 2);
  });
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  // Letting time pass is the point of this test, not a wait for a condition: nothing else would make
  // libnats send its keep-alive pings.
  CHECK_FALSE(client.wait_closed(std::chrono::milliseconds(500)));
  CHECK(natsConnection_Status(client.connection()) == NATS_CONN_STATUS_CONNECTED);
  CHECK(natsConnection_FlushTimeout(client.connection(), kWaitMillis) == NATS_OK);
}

TEMPLATE_TEST_CASE("libnats notices the server shutting down", "[interop][connection]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  Client client(*server);
  INFO(client.last_error());
  REQUIRE(client.status() == NATS_OK);
  require_flush(client.connection());
  // SIGTERM: the server closes its client connections as it exits; with reconnecting off, libnats then
  // closes the connection and calls the closed callback.
  server->stop();
  CHECK(client.wait_closed(std::chrono::milliseconds(kWaitMillis)));
  CHECK(natsConnection_IsClosed(client.connection()));
}
