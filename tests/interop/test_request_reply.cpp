// libnats request/reply: a responder on another connection, no responders, and a plain timeout.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "tests/interop/libnats_fixture.h"

using namespace tern::interop;

namespace {

// Answers each request on the subscribed subject with "echo: <request data>" to its reply subject.
void answer_with_echo(natsConnection* connection, natsSubscription* /*subscription*/, natsMsg* request,
                      void* /*closure*/) {
  const std::string answer = "echo: " + message_data(request);
  if (natsMsg_GetReply(request) != nullptr) {
    natsConnection_Publish(connection, natsMsg_GetReply(request), answer.data(),
                           static_cast<int>(answer.size()));
  }
  natsMsg_Destroy(request);
}

void check_requests_answered(const TestServer& server, const Client::Customise& customise_requester) {
  Client responder(server);
  Client requester(server, customise_requester);
  REQUIRE(responder.status() == NATS_OK);
  REQUIRE(requester.status() == NATS_OK);

  natsSubscription* raw_subscription = nullptr;
  REQUIRE(natsConnection_QueueSubscribe(&raw_subscription, responder.connection(), "service.echo", "echoers",
                                        answer_with_echo, nullptr) == NATS_OK);
  const SubscriptionPtr subscription(raw_subscription);
  require_flush(responder.connection());

  // Several requests in a row, so that the requester's inbox handling is exercised more than once.
  for (int i = 0; i < 20; ++i) {
    const std::string question = "question " + std::to_string(i);
    natsMsg* raw_reply = nullptr;
    const natsStatus status =
        natsConnection_Request(&raw_reply, requester.connection(), "service.echo", question.data(),
                               static_cast<int>(question.size()), kWaitMillis);
    const MessagePtr reply(raw_reply);
    INFO("request " << i << ": " << requester.last_error());
    REQUIRE(status == NATS_OK);
    CHECK(message_data(reply.get()) == "echo: " + question);
    CHECK_FALSE(natsMsg_IsNoResponders(reply.get()));
  }
  // The responder's callbacks use no state of this test, so unsubscribing is enough to stop them.
  natsSubscription_Unsubscribe(subscription.get());
}

// A request whose outcome and duration the test checks.
struct TimedRequest {
  TimedRequest(natsConnection* connection, const char* subject, std::int64_t timeout_millis) {
    const auto started = std::chrono::steady_clock::now();
    natsMsg* raw_reply = nullptr;
    status = natsConnection_RequestString(&raw_reply, connection, subject, "anyone?", timeout_millis);
    reply.reset(raw_reply);
    elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  }
  natsStatus status = NATS_ERR;
  MessagePtr reply;
  std::chrono::milliseconds elapsed{0};
};

}  // namespace

TEMPLATE_TEST_CASE("libnats request gets the responder's reply", "[interop][request]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  // The default style: one wildcard subscription `_INBOX.<id>.*` serves every request, and each reply
  // goes to `_INBOX.<id>.<n>`.
  check_requests_answered(*server, {});
}

TEMPLATE_TEST_CASE("libnats old-style request gets the responder's reply", "[interop][request]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  // The old style: a fresh inbox subscription per request, auto-unsubscribed after one message
  // (`UNSUB <sid> 1` right after the SUB).
  check_requests_answered(*server,
                          [](natsOptions* options) { natsOptions_UseOldRequestStyle(options, true); });
}

TEMPLATE_TEST_CASE("libnats request without responders fails fast", "[interop][request]", Ternd, NatsServer) {
  const auto server = start_server<TestType>();
  // Both request styles: the shared wildcard inbox and a fresh inbox subscription per request.
  const bool old_request_style = GENERATE(false, true);
  CAPTURE(old_request_style);
  Client requester(*server, [old_request_style](natsOptions* options) {
    natsOptions_UseOldRequestStyle(options, old_request_style);
  });
  REQUIRE(requester.status() == NATS_OK);

  // libnats 3.4 asks for no_responders in CONNECT when INFO announces headers, so the server answers a
  // request nobody listens to with a 503 status message, and libnats turns that into NATS_NO_RESPONDERS.
  // That status alone shows the request did not wait for its timeout (which gives NATS_TIMEOUT), so no
  // clock is read; the timeout is long so that a busy machine cannot turn the 503 into a timeout.
  constexpr std::int64_t kTimeoutMillis = 30000;
  const TimedRequest request(requester.connection(), "service.nobody", kTimeoutMillis);
  INFO(requester.last_error());
  CHECK(request.status == NATS_NO_RESPONDERS);
  // The 503 is not an error on the connection.
  CHECK(natsConnection_Status(requester.connection()) == NATS_CONN_STATUS_CONNECTED);
}

TEMPLATE_TEST_CASE("libnats request times out when no_responders is disabled", "[interop][request]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  Client requester(*server, [](natsOptions* options) { natsOptions_DisableNoResponders(options, true); });
  REQUIRE(requester.status() == NATS_OK);

  constexpr std::int64_t kTimeoutMillis = 300;
  const TimedRequest request(requester.connection(), "service.nobody", kTimeoutMillis);
  INFO(requester.last_error());
  CHECK(request.status == NATS_TIMEOUT);
  // A little slack below the timeout: libnats measures it with its own clock.
  CHECK(request.elapsed >= std::chrono::milliseconds(kTimeoutMillis - 50));
  CHECK(natsConnection_Status(requester.connection()) == NATS_CONN_STATUS_CONNECTED);
}

TEMPLATE_TEST_CASE("libnats request answered with headers", "[interop][request][headers]", Ternd,
                   NatsServer) {
  const auto server = start_server<TestType>();
  Client responder(*server);
  Client requester(*server);
  REQUIRE(responder.status() == NATS_OK);
  REQUIRE(requester.status() == NATS_OK);
  const auto subscription = subscribe_sync(responder.connection(), "service.meta");
  require_flush(responder.connection());

  const auto request = make_message("service.meta", "ping");
  REQUIRE(natsMsgHeader_Set(request.get(), "Request-Id", "42") == NATS_OK);

  // The responder is a sync subscription served from this thread, and libnats's request call blocks, so
  // the request runs on a thread of its own (joined when it goes out of scope, even if a check throws).
  natsMsg* raw_reply = nullptr;
  natsStatus request_status = NATS_ERR;
  std::jthread requesting([&] {
    request_status =
        natsConnection_RequestMsg(&raw_reply, requester.connection(), request.get(), kWaitMillis);
  });

  const auto received = require_next_message(subscription.get());
  CHECK(header_value(received.get(), "Request-Id") == "42");
  CHECK(message_data(received.get()) == "ping");
  const auto answer = make_message(natsMsg_GetReply(received.get()), "pong");
  REQUIRE(natsMsgHeader_Set(answer.get(), "Served-By", "responder") == NATS_OK);
  REQUIRE(natsConnection_PublishMsg(responder.connection(), answer.get()) == NATS_OK);

  requesting.join();
  const MessagePtr reply(raw_reply);
  INFO(requester.last_error());
  REQUIRE(request_status == NATS_OK);
  CHECK(message_data(reply.get()) == "pong");
  CHECK(header_value(reply.get(), "Served-By") == "responder");
}
