// Request/reply through the connection's inbox subscription, and draining.
#include <mutex>
#include <thread>
#include <vector>

#include "tests/client/client_test_support.h"

using namespace std::chrono_literals;
using tern::client::Client;
using tern::client::Errc;
using tern::client::Expected;
using tern::client::Headers;
using tern::client::Message;
using tern::client_test::connect_to;
using tern::client_test::start_server;
using tern::client_test::wait_until;

namespace {

// Answers every request on `subject` with "re:" and the request's data, echoing a header if present.
tern::client::Subscription serve_echo(Client& service, const std::string& subject) {
  auto sub = service.subscribe(subject, [&service](Message m) {
    if (m.reply.empty()) return;
    if (m.has_headers) {
      Headers headers;
      headers.add("Echo", std::string(m.headers.get("Ask").value_or("")));
      service.publish(m.reply, headers, "re:" + m.data);
    } else {
      service.publish(m.reply, "re:" + m.data);
    }
  });
  REQUIRE(sub);
  REQUIRE_FALSE(service.flush());
  return std::move(*sub);
}

}  // namespace

TERN_CLIENT_TEST(request_gets_reply, "[client][request]") {
  auto server = start_server(kind);
  Client service = connect_to(server.port());
  Client requester = connect_to(server.port());
  auto sub = serve_echo(service, "svc.echo");
  auto reply = requester.request("svc.echo", "ping", 10000ms).get();
  REQUIRE(reply);
  CHECK(reply->data == "re:ping");
  CHECK(reply->subject.starts_with("_INBOX."));
  Headers ask;
  ask.add("Ask", "42");
  auto with_headers = requester.request("svc.echo", ask, "h", 10000ms).get();
  REQUIRE(with_headers);
  CHECK(with_headers->data == "re:h");
  CHECK(with_headers->headers.get("Echo") == "42");
}

TERN_CLIENT_TEST(request_to_own_service_on_the_same_client, "[client][request]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  auto sub = serve_echo(client, "self.svc");
  auto reply = client.request("self.svc", "x", 10000ms).get();
  REQUIRE(reply);
  CHECK(reply->data == "re:x");
}

TERN_CLIENT_TEST(many_concurrent_requests_share_one_inbox, "[client][request]") {
  auto server = start_server(kind);
  Client service = connect_to(server.port());
  Client requester = connect_to(server.port());
  auto sub = serve_echo(service, "svc.many");
  std::vector<std::future<Expected<Message>>> futures;
  for (int i = 0; i < 200; ++i)
    futures.push_back(requester.request("svc.many", std::to_string(i), 5000ms));
  for (int i = 0; i < 200; ++i) {
    auto reply = futures[static_cast<std::size_t>(i)].get();
    REQUIRE(reply);
    CHECK(reply->data == "re:" + std::to_string(i));
  }
}

TERN_CLIENT_TEST(request_without_responders_fails_fast, "[client][request]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  // kNoResponders alone shows the request did not wait for its timeout (which gives kTimeout), so no
  // clock is read; the timeout is long so that a busy machine cannot turn the 503 into a timeout.
  auto reply = client.request("nobody.home", "x", 30000ms).get();
  REQUIRE_FALSE(reply);
  CHECK(reply.error() == Errc::kNoResponders);
  CHECK_THROWS_AS(reply.value(), tern::client::BadExpectedAccess);
}

TERN_CLIENT_TEST(request_times_out_when_nobody_answers, "[client][request]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  auto silent = client.subscribe("silent", [](Message) {});
  REQUIRE(silent);
  REQUIRE_FALSE(client.flush());
  const auto start = std::chrono::steady_clock::now();
  auto reply = client.request("silent", "x", 300ms).get();
  REQUIRE_FALSE(reply);
  CHECK(reply.error() == Errc::kTimeout);
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  // A late reply to a timed-out request is dropped quietly, and the connection keeps working.
  auto sub = serve_echo(client, "alive");
  auto next = client.request("alive", "y", 10000ms).get();
  REQUIRE(next);
  CHECK(next->data == "re:y");
}

TERN_CLIENT_TEST(request_callback_runs_on_io_thread_without_blocking, "[client][request]") {
  auto server = start_server(kind);
  Client service = connect_to(server.port());
  Client requester = connect_to(server.port());
  auto sub = serve_echo(service, "cb.svc");
  std::mutex mu;
  std::vector<std::string> results;
  std::atomic<int> done{0};
  auto record = [&](Expected<Message> reply) {
    std::lock_guard lock(mu);
    results.push_back(reply ? reply->data : reply.error().message());
    ++done;
  };
  requester.request("cb.svc", "a", 10000ms, record);
  requester.request("nobody", "b", 10000ms, record);
  // A request issued from inside a callback: chaining works because nothing blocks the I/O thread.
  requester.request("cb.svc", "first", 10000ms, [&](Expected<Message> reply) {
    REQUIRE(reply);
    requester.request("cb.svc", reply->data, 10000ms, record);
  });
  REQUIRE(wait_until([&] { return done == 3; }));
  std::lock_guard lock(mu);
  std::sort(results.begin(), results.end());
  CHECK(results == std::vector<std::string>{"no responders", "re:a", "re:re:first"});
}

TERN_CLIENT_TEST(close_fails_pending_requests, "[client][request]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  auto silent = client.subscribe("hold", [](Message) {});
  REQUIRE_FALSE(client.flush());
  auto pending = client.request("hold", "x", 10000ms);
  std::thread closer([&] { client.close(); });
  auto reply = pending.get();
  closer.join();
  REQUIRE_FALSE(reply);
  CHECK(reply.error() == Errc::kConnectionClosed);
  CHECK(client.request("hold", "x", 100ms).get().error() == Errc::kConnectionClosed);
}

TERN_CLIENT_TEST(blocking_calls_on_the_io_thread_are_refused, "[client][request]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  std::atomic<int> seen{0};
  std::error_code flush_error;
  std::error_code drain_error;
  auto sub = client.subscribe("io", [&](Message) {
    flush_error = client.flush(100ms);
    drain_error = client.drain(100ms);
    ++seen;
  });
  REQUIRE_FALSE(client.publish("io", "x"));
  REQUIRE(wait_until([&] { return seen == 1; }));
  CHECK(flush_error == Errc::kWouldDeadlock);
  CHECK(drain_error == Errc::kWouldDeadlock);
}

TERN_CLIENT_TEST(drain_delivers_messages_in_flight, "[client][drain]") {
  auto server = start_server(kind);
  Client publisher = connect_to(server.port());
  Client subscriber = connect_to(server.port());
  std::atomic<int> received{0};
  std::atomic<int> closed{0};
  auto sub = subscriber.subscribe("drain.me", [&](Message) { ++received; });
  REQUIRE(sub);
  REQUIRE_FALSE(subscriber.flush());
  constexpr int kCount = 20000;
  for (int i = 0; i < kCount; ++i)
    REQUIRE_FALSE(publisher.publish("drain.me", std::string(64, 'd')));
  // Once the publisher's PONG is back the server has queued every message to the subscriber; most
  // are still in flight when the drain starts.
  REQUIRE_FALSE(publisher.flush(10000ms));
  const int before = received;
  REQUIRE_FALSE(subscriber.drain(10000ms));
  INFO("received before the drain started: " << before);
  CHECK(received == kCount);
  CHECK(subscriber.is_closed());
  CHECK_FALSE(subscriber.close_reason());
  CHECK(subscriber.subscribe("x", [](Message) {}).error() == Errc::kConnectionClosed);
  (void)closed;
}

TERN_CLIENT_TEST(drain_flushes_publishes_made_by_handlers, "[client][drain]") {
  auto server = start_server(kind);
  Client service = connect_to(server.port());
  Client watcher = connect_to(server.port());
  std::atomic<int> answers{0};
  auto watch = watcher.subscribe("answers", [&](Message) { ++answers; });
  REQUIRE_FALSE(watcher.flush());
  auto sub = service.subscribe("questions", [&](Message) { service.publish("answers", "a"); });
  REQUIRE_FALSE(service.flush());
  for (int i = 0; i < 500; ++i)
    REQUIRE_FALSE(watcher.publish("questions", "q"));
  REQUIRE_FALSE(watcher.flush());
  REQUIRE_FALSE(service.drain(10000ms));
  REQUIRE(wait_until([&] { return answers == 500; }));
}
