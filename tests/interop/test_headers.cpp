// libnats message headers: HPUB from the publisher, HMSG to the subscriber, parsed back into headers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/interop/libnats_fixture.h"

using namespace tern::interop;

namespace {

std::vector<std::string> header_values(natsMsg* message, const char* key) {
  const char** values = nullptr;
  int count = 0;
  if (natsMsgHeader_Values(message, key, &values, &count) != NATS_OK) return {};
  std::vector<std::string> result(values, values + count);
  // The array belongs to the caller, the strings in it to the message.
  std::free(static_cast<void*>(values));
  return result;
}

std::vector<std::string> header_keys(natsMsg* message) {
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(message, &keys, &count) != NATS_OK) return {};
  std::vector<std::string> result(keys, keys + count);
  std::free(static_cast<void*>(keys));
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace

TEMPLATE_TEST_CASE("libnats headers survive the round trip", "[interop][headers]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  SubscriberAndPublisher clients(*server);
  natsConnection* publisher = clients.publisher.connection();
  const auto subscription = subscribe_sync(clients.subscriber.connection(), "headers.demo");
  require_flush(clients.subscriber.connection());

  const auto sent = make_message("headers.demo", "the body");
  REQUIRE(natsMsgHeader_Set(sent.get(), "Content-Type", "text/plain") == NATS_OK);
  REQUIRE(natsMsgHeader_Set(sent.get(), "Trace-Id", "abc-123") == NATS_OK);
  REQUIRE(natsMsgHeader_Add(sent.get(), "Tag", "first") == NATS_OK);
  REQUIRE(natsMsgHeader_Add(sent.get(), "Tag", "second") == NATS_OK);
  REQUIRE(natsConnection_PublishMsg(publisher, sent.get()) == NATS_OK);

  // A header-only message: the payload is empty, so the total size equals the header size.
  const auto header_only = make_message("headers.demo", "");
  REQUIRE(natsMsgHeader_Set(header_only.get(), "Only", "headers") == NATS_OK);
  REQUIRE(natsConnection_PublishMsg(publisher, header_only.get()) == NATS_OK);

  // A plain message after the header ones: a subscriber may see both kinds on one subscription.
  REQUIRE(publish(publisher, "headers.demo", "plain") == NATS_OK);
  require_flush(publisher);

  const auto received = require_next_message(subscription.get());
  CHECK(message_data(received.get()) == "the body");
  CHECK(header_value(received.get(), "Content-Type") == "text/plain");
  CHECK(header_value(received.get(), "Trace-Id") == "abc-123");
  CHECK(header_values(received.get(), "Tag") == std::vector<std::string>{"first", "second"});
  CHECK(header_keys(received.get()) == std::vector<std::string>{"Content-Type", "Tag", "Trace-Id"});

  const auto received_header_only = require_next_message(subscription.get());
  CHECK(natsMsg_GetDataLength(received_header_only.get()) == 0);
  CHECK(header_value(received_header_only.get(), "Only") == "headers");

  const auto received_plain = require_next_message(subscription.get());
  CHECK(message_data(received_plain.get()) == "plain");
  const char* absent = nullptr;
  CHECK(natsMsgHeader_Get(received_plain.get(), "Content-Type", &absent) == NATS_NOT_FOUND);
}
