// Publish/subscribe through the client library: plain and queue subscriptions, headers, flush,
// auto-unsubscribe, concurrent publishers, and unsubscribing while messages arrive.
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/client/client_test_support.h"

using namespace std::chrono_literals;
using tern::client::Client;
using tern::client::Errc;
using tern::client::Headers;
using tern::client::Message;
using tern::client_test::connect_to;
using tern::client_test::start_server;
using tern::client_test::wait_until;

namespace {

// Messages received on the I/O thread, read by the test thread.
class Inbox {
 public:
  tern::client::MessageHandler handler() {
    return [this](Message m) {
      std::lock_guard lock(mu_);
      messages_.push_back(std::move(m));
    };
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }
  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Message> messages_;
};

}  // namespace

TERN_CLIENT_TEST(publish_reaches_subscriber, "[client][pubsub]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  REQUIRE(client.is_connected());
  Inbox inbox;
  auto sub = client.subscribe("greet.*", inbox.handler());
  REQUIRE(sub);
  REQUIRE_FALSE(client.flush());
  REQUIRE_FALSE(client.publish("greet.joe", "hello"));
  REQUIRE_FALSE(client.publish("greet.ann", "_INBOX.reply", "hi"));
  REQUIRE_FALSE(client.publish("other", "not for us"));
  REQUIRE(wait_until([&] { return inbox.size() == 2; }));
  REQUIRE_FALSE(client.flush());
  const auto messages = inbox.messages();
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].subject == "greet.joe");
  CHECK(messages[0].data == "hello");
  CHECK(messages[0].reply.empty());
  CHECK(messages[1].subject == "greet.ann");
  CHECK(messages[1].reply == "_INBOX.reply");
  CHECK(messages[1].data == "hi");
  CHECK(client.statistics().in_msgs == 2);
}

TERN_CLIENT_TEST(publish_between_two_clients_and_empty_payload, "[client][pubsub]") {
  auto server = start_server(kind);
  Client publisher = connect_to(server.port());
  Client subscriber = connect_to(server.port());
  Inbox inbox;
  auto sub = subscriber.subscribe("data", inbox.handler());
  REQUIRE(sub);
  REQUIRE_FALSE(subscriber.flush());
  const std::string big(100000, 'x');
  REQUIRE_FALSE(publisher.publish("data", ""));
  REQUIRE_FALSE(publisher.publish("data", big));
  REQUIRE(wait_until([&] { return inbox.size() == 2; }));
  CHECK(inbox.messages()[0].data.empty());
  CHECK(inbox.messages()[1].data == big);
}

TERN_CLIENT_TEST(invalid_arguments_are_errors, "[client][pubsub]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  CHECK(client.publish("", "x") == Errc::kInvalidSubject);
  CHECK(client.publish("a b", "x") == Errc::kInvalidSubject);
  CHECK(client.publish("a..b", "x") == Errc::kInvalidSubject);
  CHECK(client.subscribe("a.>.b", [](Message) {}).error() == Errc::kInvalidSubject);
  CHECK(client.queue_subscribe("a", "bad queue", [](Message) {}).error() == Errc::kInvalidArgument);
  const std::string too_big(static_cast<std::size_t>(client.server_info().max_payload) + 1, 'x');
  CHECK(client.publish("big", too_big) == Errc::kMaxPayloadExceeded);
  Headers bad;
  bad.add("bad key", "v");
  CHECK(client.publish("a", bad, "x") == Errc::kInvalidHeader);
  client.close();
  CHECK(client.is_closed());
  CHECK(client.publish("a", "x") == Errc::kConnectionClosed);
  CHECK(client.flush() == Errc::kConnectionClosed);
  CHECK(client.subscribe("a", [](Message) {}).error() == Errc::kConnectionClosed);
}

TERN_CLIENT_TEST(queue_subscribers_share_the_messages, "[client][pubsub]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  Inbox first;
  Inbox second;
  Inbox plain;
  auto a = client.queue_subscribe("work", "workers", first.handler());
  auto b = client.queue_subscribe("work", "workers", second.handler());
  auto c = client.subscribe("work", plain.handler());
  REQUIRE((a && b && c));
  REQUIRE_FALSE(client.flush());
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i)
    REQUIRE_FALSE(client.publish("work", std::to_string(i)));
  REQUIRE_FALSE(client.flush());
  REQUIRE(wait_until([&] { return plain.size() == kCount && first.size() + second.size() == kCount; }));
  std::set<std::string> seen;
  for (const auto& m : first.messages())
    seen.insert(m.data);
  for (const auto& m : second.messages())
    seen.insert(m.data);
  CHECK(seen.size() == kCount);  // Each message went to exactly one member.
  CHECK(first.size() > 0);
  CHECK(second.size() > 0);
}

TERN_CLIENT_TEST(headers_round_trip, "[client][headers]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  Inbox inbox;
  auto sub = client.subscribe("h", inbox.handler());
  REQUIRE(sub);
  Headers headers;
  headers.add("Trace-Id", "abc123");
  headers.add("Multi", "one");
  headers.add("Multi", "two");
  headers.add("empty", "");
  REQUIRE_FALSE(client.publish("h", headers, "body"));
  REQUIRE_FALSE(client.publish("h", "_INBOX.x", Headers{}, ""));
  REQUIRE(wait_until([&] { return inbox.size() == 2; }));
  const auto messages = inbox.messages();
  const Message& m = messages[0];
  CHECK(m.has_headers);
  CHECK(m.data == "body");
  CHECK(m.headers.get("Trace-Id") == "abc123");
  CHECK(m.headers.get_all("Multi") == std::vector<std::string_view>{"one", "two"});
  CHECK(m.headers.get("empty") == "");
  CHECK(m.headers.status() == 0);
  CHECK(m.headers == headers);
  CHECK(messages[1].has_headers);
  CHECK(messages[1].headers.empty());
  CHECK(messages[1].reply == "_INBOX.x");
}

TERN_CLIENT_TEST(flush_is_a_barrier, "[client][flush]") {
  auto server = start_server(kind);
  Client publisher = connect_to(server.port());
  Client subscriber = connect_to(server.port());
  std::atomic<int> received{0};
  auto sub = subscriber.subscribe("f", [&](Message) { ++received; });
  REQUIRE(sub);
  REQUIRE_FALSE(subscriber.flush());
  for (int i = 0; i < 1000; ++i)
    REQUIRE_FALSE(publisher.publish("f", "x"));
  REQUIRE_FALSE(publisher.flush(5000ms));
  // The server has routed every message once the publisher's PONG arrived; the subscriber's own
  // round trip then proves they were all read.
  REQUIRE_FALSE(subscriber.flush(5000ms));
  CHECK(received == 1000);
  std::atomic<int> async_done{0};
  publisher.flush(10000ms, [&](std::error_code error) { async_done = error ? 2 : 1; });
  REQUIRE(wait_until([&] { return async_done != 0; }));
  CHECK(async_done == 1);
}

TERN_CLIENT_TEST(auto_unsubscribe_after_n_messages, "[client][pubsub]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  Inbox inbox;
  auto sub = client.subscribe("auto", inbox.handler());
  REQUIRE(sub);
  REQUIRE_FALSE(sub->auto_unsubscribe(3));
  for (int i = 0; i < 10; ++i)
    REQUIRE_FALSE(client.publish("auto", std::to_string(i)));
  REQUIRE_FALSE(client.flush());
  REQUIRE_FALSE(client.flush());
  CHECK(inbox.size() == 3);
  // A second subscriber shows the server kept routing: only ours stopped.
  Inbox later;
  auto other = client.subscribe("auto", later.handler());
  REQUIRE_FALSE(client.publish("auto", "again"));
  REQUIRE_FALSE(client.flush());
  CHECK(later.size() == 1);
  CHECK(inbox.size() == 3);
}

TERN_CLIENT_TEST(publish_from_several_threads, "[client][threads]") {
  auto server = start_server(kind);
  Client publisher = connect_to(server.port());
  Client subscriber = connect_to(server.port());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::mutex mu;
  std::vector<std::vector<int>> seen(kThreads);
  std::atomic<int> corrupt{0};
  auto sub = subscriber.subscribe("mt.*", [&](Message m) {
    // Subject mt.<thread>, payload "<thread>:<seq>:" followed by a filler derived from both.
    const int thread = std::stoi(m.subject.substr(3));
    const auto colon = m.data.find(':');
    const auto second = m.data.find(':', colon + 1);
    if (colon == std::string::npos || second == std::string::npos) {
      ++corrupt;
      return;
    }
    const int from = std::stoi(m.data.substr(0, colon));
    const int seq = std::stoi(m.data.substr(colon + 1, second - colon - 1));
    const std::string filler(static_cast<std::size_t>(seq % 97), static_cast<char>('a' + from));
    if (from != thread || m.data.substr(second + 1) != filler) ++corrupt;
    std::lock_guard lock(mu);
    seen[static_cast<std::size_t>(from)].push_back(seq);
  });
  REQUIRE(sub);
  REQUIRE_FALSE(subscriber.flush());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string subject = "mt." + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string payload = std::to_string(t) + ":" + std::to_string(i) + ":" +
                                    std::string(static_cast<std::size_t>(i % 97), static_cast<char>('a' + t));
        if (publisher.publish(subject, payload)) ++failures;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(failures == 0);
  REQUIRE_FALSE(publisher.flush(10000ms));
  REQUIRE_FALSE(subscriber.flush(10000ms));
  CHECK(corrupt == 0);
  std::lock_guard lock(mu);
  for (int t = 0; t < kThreads; ++t) {
    const auto& got = seen[static_cast<std::size_t>(t)];
    REQUIRE(got.size() == kPerThread);
    // One publisher thread's messages arrive in the order it published them.
    for (int i = 0; i < kPerThread; ++i)
      REQUIRE(got[static_cast<std::size_t>(i)] == i);
  }
}

TERN_CLIENT_TEST(destroying_a_subscription_while_messages_arrive, "[client][threads]") {
  auto server = start_server(kind);
  Client publisher = connect_to(server.port());
  Client subscriber = connect_to(server.port());
  std::atomic<bool> stop{false};
  std::thread flood([&] {
    while (!stop)
      publisher.publish("flood", "payload");
  });
  for (int round = 0; round < 20; ++round) {
    std::atomic<bool> destroyed{false};
    std::atomic<int> after_destruction{0};
    std::atomic<int> received{0};
    {
      auto sub = subscriber.subscribe("flood", [&](Message) {
        if (destroyed) ++after_destruction;
        ++received;
      });
      REQUIRE(sub);
      REQUIRE(wait_until([&] { return received > 10; }));
    }
    destroyed = true;
    REQUIRE_FALSE(subscriber.flush());
    CHECK(after_destruction == 0);
  }
  stop = true;
  flood.join();
}

TERN_CLIENT_TEST(a_handler_may_destroy_its_own_subscription, "[client][threads]") {
  auto server = start_server(kind);
  Client client = connect_to(server.port());
  std::atomic<int> calls{0};
  std::optional<tern::client::Subscription> sub;
  std::mutex mu;
  {
    std::lock_guard lock(mu);
    auto created = client.subscribe("self", [&](Message) {
      ++calls;
      std::lock_guard inner(mu);
      sub.reset();
    });
    REQUIRE(created);
    sub.emplace(std::move(*created));
  }
  for (int i = 0; i < 5; ++i)
    REQUIRE_FALSE(client.publish("self", "x"));
  REQUIRE_FALSE(client.flush());
  REQUIRE_FALSE(client.flush());
  CHECK(calls == 1);
}

TERN_CLIENT_TEST(echo_off_skips_own_messages, "[client][pubsub]") {
  auto server = start_server(kind);
  auto options = tern::client_test::options_for(server.port());
  options.echo = false;
  Client quiet = connect_to(server.port(), options);
  Client other = connect_to(server.port());
  Inbox own;
  Inbox others;
  auto a = quiet.subscribe("echo", own.handler());
  auto b = other.subscribe("echo", others.handler());
  REQUIRE_FALSE(quiet.flush());
  REQUIRE_FALSE(other.flush());
  REQUIRE_FALSE(quiet.publish("echo", "x"));
  REQUIRE_FALSE(quiet.flush());
  REQUIRE(wait_until([&] { return others.size() == 1; }));
  REQUIRE_FALSE(quiet.flush());
  CHECK(own.size() == 0);
}
