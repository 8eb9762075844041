// Publishing to streams with tern::client::jetstream: PubAcks, duplicates, expectations, and the
// bounded window of asynchronous publishes, against ternd and nats-server.
#include <atomic>
#include <mutex>

#include "tests/client/jetstream_test_support.h"

using namespace std::chrono_literals;
namespace js = tern::client::jetstream;
using tern::client::Expected;
using tern::client_test::connect_to;
using tern::client_test::JetStreamServer;
using tern::client_test::js_options;
using tern::client_test::publish_options;
using tern::client_test::stream_config;
using tern::client_test::wait_until;

TERN_CLIENT_TEST(jetstream_publish_with_expectations, "[client][jetstream]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("EVENTS", {"events.>"})));

  auto first = jets.publish("events.a", "one", publish_options([](auto& o) { o.msg_id = "m-1"; }));
  REQUIRE(first);
  CHECK(first->sequence == 1);
  CHECK_FALSE(first->duplicate);
  auto again = jets.publish("events.a", "one", publish_options([](auto& o) { o.msg_id = "m-1"; }));
  REQUIRE(again);
  CHECK(again->sequence == 1);
  CHECK(again->duplicate);

  tern::client::Headers headers{{"Kind", "created"}};
  auto with_headers = jets.publish("events.b", headers, "two",
                                   publish_options([](auto& o) { o.expected_last_sequence = 1; }));
  REQUIRE(with_headers);
  CHECK(with_headers->sequence == 2);
  auto stored = jets.get_message("EVENTS", 2);
  REQUIRE(stored);
  CHECK(stored->headers.get("Kind") == "created");

  auto stale =
      jets.publish("events.c", "three", publish_options([](auto& o) { o.expected_last_sequence = 1; }));
  REQUIRE_FALSE(stale);
  CHECK(stale.error() == js::ApiErrc::kStreamWrongLastSequence);
  CHECK(js::last_api_error() == "wrong last sequence: 2");
  CHECK(
      jets.publish("events.a", "x", publish_options([](auto& o) { o.expected_last_subject_sequence = 1; })));
  CHECK(jets.publish("events.a", "x", publish_options([](auto& o) { o.expected_last_subject_sequence = 1; }))
            .error() == js::ApiErrc::kStreamWrongLastSequence);
  CHECK(jets.publish("events.a", "x", publish_options([](auto& o) { o.expected_stream = "OTHER"; }))
            .error()
            .value() == 10060);
  CHECK(jets.publish("events.a", "x", publish_options([](auto& o) { o.expected_last_msg_id = "m-2"; }))
            .error() == js::ApiErrc::kStreamWrongLastMsgId);
  CHECK(jets.publish("nowhere", "x").error() == js::Errc::kNoStreamResponse);
  CHECK(jets.stream_info("EVENTS")->state.messages == 3);
}

TERN_CLIENT_TEST(jetstream_publish_async_window, "[client][jetstream]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client, js_options(5s, 64, 5000ms));
  REQUIRE(jets.add_stream(stream_config("BULK", {"bulk"})));

  // Futures: every publish acknowledged, in order, never more than the window outstanding.
  constexpr int kCount = 2000;
  std::vector<std::future<Expected<js::PubAck>>> acks;
  std::size_t most_pending = 0;
  for (int i = 0; i < kCount; ++i) {
    acks.push_back(jets.publish_async("bulk", std::to_string(i)));
    most_pending = std::max(most_pending, jets.pending_acks());
  }
  CHECK(most_pending <= 64);
  for (int i = 0; i < kCount; ++i) {
    Expected<js::PubAck> ack = acks[static_cast<std::size_t>(i)].get();
    REQUIRE(ack);
    CHECK(ack->sequence == static_cast<std::uint64_t>(i + 1));
  }

  // Handlers: run on the I/O thread, errors included.
  std::mutex mu;
  std::vector<std::uint64_t> sequences;
  std::atomic<int> failures{0};
  for (int i = 0; i < 100; ++i) {
    jets.publish_async(i == 50 ? "nowhere" : "bulk", {}, "h", {}, [&](Expected<js::PubAck> ack) {
      if (!ack) {
        failures += ack.error() == js::Errc::kNoStreamResponse ? 1 : 100;
        return;
      }
      std::lock_guard lock(mu);
      sequences.push_back(ack->sequence);
    });
  }
  REQUIRE_FALSE(jets.wait_for_pending_acks(10s));
  CHECK(jets.pending_acks() == 0);
  CHECK(failures == 1);
  std::lock_guard lock(mu);
  REQUIRE(sequences.size() == 99);
  CHECK(sequences.front() == kCount + 1);
  CHECK(sequences.back() == kCount + 99);
}

TERN_CLIENT_TEST(jetstream_publish_async_window_full_fails_after_stall_wait, "[client][jetstream]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  // Nothing answers `silent.x`... except a subscriber that never replies: the PubAcks never come.
  auto sink = client.subscribe("silent.x", [](tern::client::Message) {});
  REQUIRE(sink);
  REQUIRE_FALSE(client.flush());
  js::JetStream jets(client, js_options(60s, 2, 50ms));
  auto a = jets.publish_async("silent.x", "1");
  auto b = jets.publish_async("silent.x", "2");
  auto c = jets.publish_async("silent.x", "3");
  CHECK(c.get().error() == js::Errc::kTooManyPendingAcks);
  CHECK(jets.pending_acks() == 2);
  CHECK(jets.wait_for_pending_acks(10ms) == tern::client::Errc::kTimeout);
  client.close();
  CHECK(a.get().error() == tern::client::Errc::kConnectionClosed);
  CHECK(b.get().error() == tern::client::Errc::kConnectionClosed);
  // A place is given back just after its future is made ready.
  CHECK_FALSE(jets.wait_for_pending_acks(10s));
  CHECK(jets.pending_acks() == 0);
}
