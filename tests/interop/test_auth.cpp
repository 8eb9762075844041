// libnats authenticating: token and user/password, right and wrong. nats-server refuses bad credentials
// with `-ERR 'Authorization Violation'`, which libnats 3.4.1 reports from natsConnection_Connect as
// NATS_CONNECTION_AUTH_FAILED (observed against nats-server 2.9.10), so that is the status expected here.
#include <catch2/catch.hpp>

#include <string>

#include "tests/interop/libnats_fixture.h"

using namespace tern::interop;

namespace {

// A connection that authenticated must be usable, not only accepted: one message round trip proves it.
void check_usable(natsConnection* connection) {
  const auto subscription = subscribe_sync(connection, "auth.check");
  REQUIRE(publish(connection, "auth.check", "authenticated") == NATS_OK);
  CHECK(message_data(require_next_message(subscription.get()).get()) == "authenticated");
}

}  // namespace

TEMPLATE_TEST_CASE("libnats token authentication", "[interop][auth]", Ternd, NatsServer) {
  const auto server = start_server<TestType>({"--auth", "s3cr3t-token"});

  SECTION("the right token connects") {
    Client client(*server, [](natsOptions* options) { natsOptions_SetToken(options, "s3cr3t-token"); });
    INFO(client.last_error());
    REQUIRE(client.status() == NATS_OK);
    check_usable(client.connection());
  }
  SECTION("a wrong token is refused") {
    Client client(*server, [](natsOptions* options) { natsOptions_SetToken(options, "wrong-token"); });
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
  SECTION("no token is refused") {
    Client client(*server);
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
  SECTION("user and password instead of the token are refused") {
    Client client(*server,
                  [](natsOptions* options) { natsOptions_SetUserInfo(options, "s3cr3t-token", "x"); });
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
}

TEMPLATE_TEST_CASE("libnats user and password authentication", "[interop][auth]", Ternd, NatsServer) {
  const auto server = start_server<TestType>({"--user", "alice", "--pass", "wonderland"});

  SECTION("the right user and password connect") {
    Client client(*server,
                  [](natsOptions* options) { natsOptions_SetUserInfo(options, "alice", "wonderland"); });
    INFO(client.last_error());
    REQUIRE(client.status() == NATS_OK);
    check_usable(client.connection());
  }
  SECTION("credentials in the URL connect") {
    const std::string url = "nats://alice:wonderland@127.0.0.1:" + std::to_string(server->port());
    Client client(*server, [&url](natsOptions* options) { natsOptions_SetURL(options, url.c_str()); });
    INFO(client.last_error());
    REQUIRE(client.status() == NATS_OK);
    check_usable(client.connection());
  }
  SECTION("a wrong password is refused") {
    Client client(*server,
                  [](natsOptions* options) { natsOptions_SetUserInfo(options, "alice", "looking-glass"); });
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
  SECTION("an unknown user is refused") {
    Client client(*server,
                  [](natsOptions* options) { natsOptions_SetUserInfo(options, "bob", "wonderland"); });
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
  SECTION("no credentials are refused") {
    Client client(*server);
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
}

TEMPLATE_TEST_CASE("libnats authentication configured in a file", "[interop][auth]", Ternd, NatsServer) {
  const auto server =
      start_server<TestType>({}, "authorization {\n  user: carol\n  password: \"p4ss w0rd\"\n}\n");

  SECTION("the right user and password connect") {
    Client client(*server,
                  [](natsOptions* options) { natsOptions_SetUserInfo(options, "carol", "p4ss w0rd"); });
    INFO(client.last_error());
    REQUIRE(client.status() == NATS_OK);
    check_usable(client.connection());
  }
  SECTION("a wrong password is refused") {
    Client client(*server, [](natsOptions* options) { natsOptions_SetUserInfo(options, "carol", "p4ss"); });
    INFO(client.last_error());
    CHECK(client.status() == NATS_CONNECTION_AUTH_FAILED);
  }
}
