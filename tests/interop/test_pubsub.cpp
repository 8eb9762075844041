// libnats publishing and subscribing: sync and async subscriptions, ordering, wildcards, queue groups,
// unsubscribing, echo and large payloads.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "tests/interop/libnats_fixture.h"

using namespace tern::interop;

namespace {

// A payload whose every byte depends on its position, so a corrupted or truncated copy cannot pass.
std::string patterned_payload(std::size_t size) {
  std::string payload(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    payload[i] = static_cast<char>((i * 31 + i / 251) % 256);
  return payload;
}

// Takes every message already queued on a synchronous subscription and returns their payloads (or,
// with `subjects`, their subjects).
std::vector<std::string> take_queued(natsSubscription* subscription, bool subjects = false) {
  std::vector<std::string> taken;
  while (queued_messages(subscription) > 0) {
    const auto message = require_next_message(subscription);
    taken.push_back(subjects ? std::string(natsMsg_GetSubject(message.get())) : message_data(message.get()));
  }
  return taken;
}

}  // namespace

TEMPLATE_TEST_CASE("libnats sync subscription receives a message", "[interop][pubsub]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  const auto subscription = subscribe_sync(clients.subscriber.connection(), "greetings.hello");
  // The subscriber's flush makes sure the server has registered the SUB before anyone publishes.
  require_flush(clients.subscriber.connection());

  natsConnection* publisher = clients.publisher.connection();
  REQUIRE(publish(publisher, "greetings.hello", "hello world") == NATS_OK);
  REQUIRE(natsConnection_PublishRequestString(publisher, "greetings.hello", "greetings.answer",
                                              "with reply") == NATS_OK);
  REQUIRE(publish(publisher, "greetings.hello", "") == NATS_OK);
  require_flush(publisher);

  auto message = require_next_message(subscription.get());
  CHECK(std::string(natsMsg_GetSubject(message.get())) == "greetings.hello");
  CHECK(natsMsg_GetReply(message.get()) == nullptr);
  CHECK(message_data(message.get()) == "hello world");

  message = require_next_message(subscription.get());
  REQUIRE(natsMsg_GetReply(message.get()) != nullptr);
  CHECK(std::string(natsMsg_GetReply(message.get())) == "greetings.answer");
  CHECK(message_data(message.get()) == "with reply");

  message = require_next_message(subscription.get());
  CHECK(natsMsg_GetDataLength(message.get()) == 0);

  // Nothing else was published, so nothing else may be queued.
  require_flush(clients.subscriber.connection());
  CHECK(queued_messages(subscription.get()) == 0);
}

TEMPLATE_TEST_CASE("libnats async subscription counts every message", "[interop][pubsub]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  AsyncCollector collector;
  REQUIRE(collector.subscribe(clients.subscriber.connection(), "counter.events") == NATS_OK);
  require_flush(clients.subscriber.connection());

  constexpr std::size_t kMessages = 200;
  publish_numbered(clients.publisher.connection(), "counter.events", kMessages);
  require_flush(clients.publisher.connection());

  CHECK(collector.wait_for(kMessages, std::chrono::milliseconds(kWaitMillis)) == kMessages);
  // Flushing the subscriber after the publisher has flushed puts every delivery ahead of its PONG, so
  // libnats's inbound count now includes any extra (duplicated) message the server sent.
  require_flush(clients.subscriber.connection());
  CHECK(messages_received_by(clients.subscriber.connection()) == kMessages);
  std::vector<std::string> data;
  for (const auto& received : collector.received()) {
    CHECK(received.subject == "counter.events");
    data.push_back(received.data);
  }
  check_numbered(data, kMessages);
}

TEMPLATE_TEST_CASE("libnats receives many messages in publish order", "[interop][pubsub]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  const auto subscription = subscribe_sync(clients.subscriber.connection(), "ordered.stream");
  require_flush(clients.subscriber.connection());

  constexpr std::size_t kMessages = 5000;
  publish_numbered(clients.publisher.connection(), "ordered.stream", kMessages);
  require_flush(clients.publisher.connection());

  std::vector<std::string> data;
  for (std::size_t i = 0; i < kMessages; ++i) {
    INFO("message " << i);
    data.push_back(message_data(require_next_message(subscription.get()).get()));
  }
  check_numbered(data, kMessages);
}

TEMPLATE_TEST_CASE("libnats wildcard subscriptions match", "[interop][pubsub]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  Client client(*server);
  REQUIRE(client.status() == NATS_OK);
  natsConnection* connection = client.connection();
  const auto one_token = subscribe_sync(connection, "sensors.*.temperature");
  const auto any_tail = subscribe_sync(connection, "sensors.>");

  REQUIRE(publish(connection, "sensors.kitchen.temperature", "21") == NATS_OK);
  REQUIRE(publish(connection, "sensors.kitchen.humidity", "40") == NATS_OK);
  REQUIRE(publish(connection, "sensors.garden.soil.temperature", "12") == NATS_OK);
  REQUIRE(publish(connection, "sensors", "none") == NATS_OK);
  require_flush(connection);

  CHECK(take_queued(one_token.get(), true) == std::vector<std::string>{"sensors.kitchen.temperature"});
  CHECK(take_queued(any_tail.get(), true) == std::vector<std::string>{"sensors.kitchen.temperature",
                                                                      "sensors.kitchen.humidity",
                                                                      "sensors.garden.soil.temperature"});
}

TEMPLATE_TEST_CASE("libnats many subscriptions on one connection", "[interop][pubsub]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  constexpr int kSubjects = 500;
  const auto subject_of = [](int index) { return "fanout.subject." + std::to_string(index); };
  std::vector<SubscriptionPtr> subscriptions;
  for (int i = 0; i < kSubjects; ++i) {
    subscriptions.push_back(subscribe_sync(clients.subscriber.connection(), subject_of(i).c_str()));
  }
  require_flush(clients.subscriber.connection());

  // Published in reverse order, so that a server routing by subscription id rather than subject shows.
  for (int i = kSubjects - 1; i >= 0; --i) {
    REQUIRE(publish(clients.publisher.connection(), subject_of(i).c_str(), std::to_string(i)) == NATS_OK);
  }
  require_flush(clients.publisher.connection());
  require_flush(clients.subscriber.connection());

  int correct = 0;
  for (int i = 0; i < kSubjects; ++i) {
    if (take_queued(subscriptions[static_cast<std::size_t>(i)].get()) == std::vector{std::to_string(i)})
      ++correct;
  }
  CHECK(correct == kSubjects);
  CHECK(messages_received_by(clients.subscriber.connection()) == static_cast<std::uint64_t>(kSubjects));
}

TEMPLATE_TEST_CASE("libnats queue subscribers share the messages", "[interop][pubsub][queue]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  constexpr int kMembers = 3;
  constexpr int kMessages = 300;
  std::vector<std::unique_ptr<Client>> member_clients;
  std::vector<SubscriptionPtr> members;
  for (int i = 0; i < kMembers; ++i) {
    member_clients.push_back(std::make_unique<Client>(*server));
    REQUIRE(member_clients.back()->status() == NATS_OK);
    members.push_back(subscribe_sync(member_clients.back()->connection(), "jobs.render", "renderers"));
    require_flush(member_clients.back()->connection());
  }
  // A plain subscriber next to the group gets its own copy of every message.
  SubscriberAndPublisher clients(*server);
  const auto observer = subscribe_sync(clients.subscriber.connection(), "jobs.render");
  require_flush(clients.subscriber.connection());

  publish_numbered(clients.publisher.connection(), "jobs.render", kMessages);
  require_flush(clients.publisher.connection());

  const auto total_queued = [&] {
    std::uint64_t total = 0;
    for (const auto& member : members)
      total += queued_messages(member.get());
    return total;
  };
  CHECK(eventually([&] { return total_queued() >= kMessages; }));
  // Each member's flush returns after everything the server had sent it, so a message delivered to two
  // members would show up in the count now.
  for (const auto& member_client : member_clients)
    require_flush(member_client->connection());
  require_flush(clients.subscriber.connection());
  CHECK(total_queued() == kMessages);
  CHECK(queued_messages(observer.get()) == kMessages);

  std::map<std::string, int> deliveries;
  std::vector<std::size_t> per_member;
  for (const auto& member : members) {
    const auto taken = take_queued(member.get());
    for (const auto& data : taken)
      ++deliveries[data];
    per_member.push_back(taken.size());
  }
  CAPTURE(per_member);
  CHECK(deliveries.size() == static_cast<std::size_t>(kMessages));
  int duplicated = 0;
  for (const auto& [data, count] : deliveries) {
    if (count != 1) ++duplicated;
  }
  CHECK(duplicated == 0);
  // With a random choice per message, a member left without any of 300 messages means the server is not
  // spreading the load (the chance of that by luck is about 3 * (2/3)^300).
  for (const std::size_t taken : per_member)
    CHECK(taken > 0);
}

TEMPLATE_TEST_CASE("libnats unsubscribe stops delivery at the server", "[interop][pubsub]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  const auto kept = subscribe_sync(clients.subscriber.connection(), "news.today");
  const auto dropped = subscribe_sync(clients.subscriber.connection(), "news.today");
  REQUIRE(natsSubscription_Unsubscribe(dropped.get()) == NATS_OK);
  require_flush(clients.subscriber.connection());

  publish_numbered(clients.publisher.connection(), "news.today", 10);
  require_flush(clients.publisher.connection());
  require_flush(clients.subscriber.connection());

  CHECK(queued_messages(kept.get()) == 10);
  // libnats would silently drop messages for the removed subscription; its inbound counter shows whether
  // the server still sent them.
  CHECK(messages_received_by(clients.subscriber.connection()) == 10);
  CHECK_FALSE(natsSubscription_IsValid(dropped.get()));
}

TEMPLATE_TEST_CASE("libnats auto-unsubscribe after N messages", "[interop][pubsub]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  const auto subscription = subscribe_sync(clients.subscriber.connection(), "limited.feed");
  REQUIRE(natsSubscription_AutoUnsubscribe(subscription.get(), 5) == NATS_OK);
  require_flush(clients.subscriber.connection());

  publish_numbered(clients.publisher.connection(), "limited.feed", 12);
  require_flush(clients.publisher.connection());
  require_flush(clients.subscriber.connection());

  std::vector<std::string> data;
  for (int i = 0; i < 5; ++i)
    data.push_back(message_data(require_next_message(subscription.get()).get()));
  check_numbered(data, 5);
  natsStatus status = NATS_OK;
  const auto past_the_maximum = next_message(subscription.get(), status, 100);
  CHECK(status == NATS_MAX_DELIVERED_MSGS);
  CHECK_FALSE(natsSubscription_IsValid(subscription.get()));
  // libnats sent `UNSUB <sid> 5`; the server must stop after 5, not rely on the client to drop the rest.
  CHECK(messages_received_by(clients.subscriber.connection()) == 5);
}

TEMPLATE_TEST_CASE("libnats with echo off does not get its own messages", "[interop][pubsub]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  Client quiet(*server, [](natsOptions* options) { natsOptions_SetNoEcho(options, true); });
  Client other(*server);
  REQUIRE(quiet.status() == NATS_OK);
  REQUIRE(other.status() == NATS_OK);
  const auto quiet_subscription = subscribe_sync(quiet.connection(), "echo.check");
  const auto other_subscription = subscribe_sync(other.connection(), "echo.check");
  require_flush(quiet.connection());
  require_flush(other.connection());

  REQUIRE(publish(quiet.connection(), "echo.check", "from quiet") == NATS_OK);
  require_flush(quiet.connection());
  require_flush(other.connection());
  CHECK(queued_messages(quiet_subscription.get()) == 0);
  CHECK(messages_received_by(quiet.connection()) == 0);
  CHECK(queued_messages(other_subscription.get()) == 1);

  // Echo off only hides a connection's own messages; it still hears everyone else.
  REQUIRE(publish(other.connection(), "echo.check", "from other") == NATS_OK);
  require_flush(other.connection());
  CHECK(message_data(require_next_message(quiet_subscription.get()).get()) == "from other");
}

TEMPLATE_TEST_CASE("libnats round-trips large messages", "[interop][pubsub]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  const auto subscription = subscribe_sync(clients.subscriber.connection(), "bulk.data");
  require_flush(clients.subscriber.connection());

  // 512 KiB, then exactly the default max_payload (1 MiB), which the server must accept.
  for (const std::size_t size : {std::size_t{512} * 1024, std::size_t{1024} * 1024}) {
    INFO("payload size " << size << "; " << clients.publisher.last_error());
    const std::string payload = patterned_payload(size);
    REQUIRE(publish(clients.publisher.connection(), "bulk.data", payload) == NATS_OK);
    const auto message = require_next_message(subscription.get());
    REQUIRE(static_cast<std::size_t>(natsMsg_GetDataLength(message.get())) == size);
    CHECK(message_data(message.get()) == payload);
  }
  CHECK(natsConnection_Status(clients.publisher.connection()) == NATS_CONN_STATUS_CONNECTED);
}

TEMPLATE_TEST_CASE("libnats streams a burst of medium messages intact", "[interop][pubsub]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  const auto subscription = subscribe_sync(clients.subscriber.connection(), "bulk.burst");
  require_flush(clients.subscriber.connection());

  // 16 MiB in 256 messages: far more than one socket buffer, so the server has to cope with partial
  // reads of the publisher's stream and partial writes to the subscriber, with messages cut at any byte.
  constexpr int kMessages = 256;
  const std::string base = patterned_payload(64 * 1024);
  const auto payload_for = [&base](int index) {
    std::string payload = base;
    const std::string tag = std::to_string(index) + ":";
    payload.replace(0, tag.size(), tag);
    return payload;
  };
  for (int i = 0; i < kMessages; ++i) {
    REQUIRE(publish(clients.publisher.connection(), "bulk.burst", payload_for(i)) == NATS_OK);
  }
  require_flush(clients.publisher.connection());

  int intact = 0;
  for (int i = 0; i < kMessages; ++i) {
    INFO("message " << i);
    if (message_data(require_next_message(subscription.get()).get()) != payload_for(i)) {
      FAIL_CHECK("message " << i << " differs from what was published");
      break;
    }
    ++intact;
  }
  CHECK(intact == kMessages);
  CHECK(clients.subscriber.async_errors().empty());
}
