// libnats draining: a subscription or a whole connection stops taking new messages but handles every
// message already on its way, and a draining connection still delivers what it had published.
#include <catch2/catch.hpp>

#include <string>

#include "tests/interop/libnats_fixture.h"

using namespace tern::interop;

namespace {

constexpr std::size_t kMessages = 500;

}  // namespace

TEMPLATE_TEST_CASE("libnats subscription drain loses no message in flight", "[interop][drain]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  natsConnection* subscriber = clients.subscriber.connection();
  natsConnection* publisher = clients.publisher.connection();
  AsyncCollector collector;
  REQUIRE(collector.subscribe(subscriber, "drain.sub") == NATS_OK);
  require_flush(subscriber);

  publish_numbered(publisher, "drain.sub", kMessages);
  require_flush(publisher);
  // The server has taken every message by now, but the subscriber may not have read or handled them:
  // the drain must wait for all of them.
  REQUIRE(natsSubscription_Drain(collector.subscription()) == NATS_OK);
  INFO(clients.subscriber.last_error());
  REQUIRE(natsSubscription_WaitForDrainCompletion(collector.subscription(), kWaitMillis) == NATS_OK);
  CHECK(natsSubscription_DrainCompletionStatus(collector.subscription()) == NATS_OK);
  check_numbered(collector.payloads(), kMessages);

  // After the drain the server no longer delivers to the subscription.
  const std::uint64_t received_before = messages_received_by(subscriber);
  publish_numbered(publisher, "drain.sub", 10);
  require_flush(publisher);
  require_flush(subscriber);
  CHECK(messages_received_by(subscriber) == received_before);
  CHECK(natsConnection_Status(subscriber) == NATS_CONN_STATUS_CONNECTED);
}

TEMPLATE_TEST_CASE("libnats connection drain loses no message in flight", "[interop][drain]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  AsyncCollector first;
  AsyncCollector second;
  REQUIRE(first.subscribe(clients.subscriber.connection(), "drain.conn.a") == NATS_OK);
  REQUIRE(second.subscribe(clients.subscriber.connection(), "drain.conn.b") == NATS_OK);
  require_flush(clients.subscriber.connection());

  publish_numbered(clients.publisher.connection(), "drain.conn.a", kMessages);
  publish_numbered(clients.publisher.connection(), "drain.conn.b", kMessages);
  require_flush(clients.publisher.connection());

  REQUIRE(natsConnection_DrainTimeout(clients.subscriber.connection(), kWaitMillis) == NATS_OK);
  INFO(clients.subscriber.last_error());
  // A connection drain ends by closing the connection.
  REQUIRE(clients.subscriber.wait_closed(std::chrono::milliseconds(kWaitMillis)));
  check_numbered(first.payloads(), kMessages);
  check_numbered(second.payloads(), kMessages);
}

TEMPLATE_TEST_CASE("libnats connection drain delivers what it published", "[interop][drain]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  // Here the publisher is the one that drains.
  SubscriberAndPublisher clients(*server);
  AsyncCollector collector;
  REQUIRE(collector.subscribe(clients.subscriber.connection(), "drain.pub") == NATS_OK);
  require_flush(clients.subscriber.connection());

  // No flush: the publishes may still sit in libnats's buffer when the drain starts, and the drain must
  // send them and wait for the server to confirm before it closes.
  publish_numbered(clients.publisher.connection(), "drain.pub", kMessages);
  REQUIRE(natsConnection_DrainTimeout(clients.publisher.connection(), kWaitMillis) == NATS_OK);
  REQUIRE(clients.publisher.wait_closed(std::chrono::milliseconds(kWaitMillis)));

  CHECK(collector.wait_for(kMessages, std::chrono::milliseconds(kWaitMillis)) == kMessages);
  check_numbered(collector.payloads(), kMessages);
}
