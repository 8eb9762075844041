// Consuming with tern::client::jetstream against ternd and nats-server: pull fetches, the ack methods,
// push and ordered consumers, and a fetch loop that lives through a server restart.
#include <atomic>
#include <mutex>
#include <set>

#include "tests/client/jetstream_test_support.h"

using namespace std::chrono_literals;
namespace js = tern::client::jetstream;
using tern::client::Expected;
using tern::client_test::connect_to;
using tern::client_test::expiring;
using tern::client_test::JetStreamServer;
using tern::client_test::js_options;
using tern::client_test::no_wait;
using tern::client_test::stream_config;
using tern::client_test::wait_until;

namespace {

void publish_numbers(js::JetStream& jets, const std::string& subject, int from, int to) {
  for (int i = from; i <= to; ++i)
    REQUIRE(jets.publish(subject, std::to_string(i)));
}

js::ConsumerConfig durable(std::string name) {
  js::ConsumerConfig config;
  config.durable_name = std::move(name);
  return config;
}

}  // namespace

TERN_CLIENT_TEST(jetstream_pull_fetch_batches_and_acks, "[client][jetstream][consumers]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("Q", {"q"})));
  publish_numbers(jets, "q", 1, 25);
  auto consumer = jets.create_pull_consumer("Q", durable("w"));
  REQUIRE(consumer);
  CHECK(consumer->name() == "w");

  auto batch = consumer->fetch(10);
  REQUIRE(batch);
  REQUIRE(batch->size() == 10);
  for (std::size_t i = 0; i < batch->size(); ++i) {
    js::Message& m = (*batch)[i];
    CHECK(m.data() == std::to_string(i + 1));
    REQUIRE(m.metadata());
    CHECK(m.metadata()->stream == "Q");
    CHECK(m.metadata()->consumer == "w");
    CHECK(m.metadata()->stream_sequence == i + 1);
    CHECK(m.metadata()->consumer_sequence == i + 1);
    CHECK(m.metadata()->num_delivered == 1);
    CHECK(m.metadata()->num_pending == 25 - (i + 1));
    CHECK_FALSE(m.ack());
    CHECK(m.ack() == js::Errc::kAlreadyAcked);
  }
  REQUIRE_FALSE((*batch)[9].ack_sync() != js::Errc::kAlreadyAcked);

  // The rest: 15 messages in a batch of 20 that expires, then nothing with no_wait.
  auto rest = consumer->fetch(20, expiring(300ms));
  REQUIRE(rest);
  REQUIRE(rest->size() == 15);
  CHECK_FALSE(rest->back().ack_sync());  // Ack-all is not set: each is acked on its own.
  for (std::size_t i = 0; i + 1 < rest->size(); ++i)
    CHECK_FALSE((*rest)[i].ack());
  auto none = consumer->fetch(5, no_wait());
  REQUIRE(none);
  CHECK(none->empty());
  auto expired = consumer->fetch(5, expiring(100ms));
  REQUIRE(expired);
  CHECK(expired->empty());

  REQUIRE(wait_until([&] {
    auto info = consumer->info();
    return info && info->num_ack_pending == 0 && info->ack_floor.stream_seq == 25;
  }));
  auto info = consumer->info();
  REQUIRE(info);
  CHECK(info->delivered.stream_seq == 25);
  CHECK(info->num_pending == 0);
}

TERN_CLIENT_TEST(jetstream_message_nak_progress_term, "[client][jetstream][consumers]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("N", {"n"})));
  publish_numbers(jets, "n", 1, 3);
  js::ConsumerConfig config = durable("w");
  config.ack_wait = 30s;
  auto consumer = jets.create_pull_consumer("N", config);
  REQUIRE(consumer);

  auto first = consumer->fetch(3);
  REQUIRE(first);
  REQUIRE(first->size() == 3);
  CHECK_FALSE((*first)[0].nak());          // Redelivered at once.
  CHECK_FALSE((*first)[1].in_progress());  // Still ours.
  CHECK_FALSE((*first)[1].in_progress());
  CHECK_FALSE((*first)[2].term());  // Never again.
  CHECK((*first)[2].nak() == js::Errc::kAlreadyAcked);

  auto again = consumer->fetch(3, expiring(300ms));
  REQUIRE(again);
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].data() == "1");
  CHECK((*again)[0].metadata()->num_delivered == 2);
  CHECK_FALSE((*again)[0].nak(200ms));  // Due again after the delay.
  auto delayed = consumer->fetch(1, expiring(5s));
  REQUIRE(delayed);
  REQUIRE(delayed->size() == 1);
  CHECK((*delayed)[0].data() == "1");
  CHECK((*delayed)[0].metadata()->num_delivered == 3);
  CHECK_FALSE((*delayed)[0].ack_sync());
  CHECK_FALSE((*first)[1].ack_sync());

  auto info = consumer->info();
  REQUIRE(info);
  CHECK(info->num_ack_pending == 0);
  CHECK(info->num_redelivered == 0);

  tern::client::Message plain;
  plain.subject = "n";
  js::Message not_js(plain, nullptr);
  CHECK(not_js.ack() == js::Errc::kNotJetStreamMessage);
}

TERN_CLIENT_TEST(jetstream_push_consumer_callback, "[client][jetstream][consumers]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("P", {"p.*"})));
  publish_numbers(jets, "p.a", 1, 50);

  std::mutex mu;
  std::vector<std::uint64_t> sequences;
  js::ConsumerConfig config = durable("pusher");
  config.flow_control = true;
  config.idle_heartbeat = 1s;
  auto consumer = jets.subscribe("P", config, [&](js::Message m) {
    CHECK_FALSE(m.ack());
    std::lock_guard lock(mu);
    sequences.push_back(m.metadata()->stream_sequence);
  });
  REQUIRE(consumer);
  CHECK(consumer->name() == "pusher");
  publish_numbers(jets, "p.b", 51, 100);
  REQUIRE(wait_until([&] {
    std::lock_guard lock(mu);
    return sequences.size() >= 100;
  }));
  {
    std::lock_guard lock(mu);
    REQUIRE(sequences.size() == 100);
    for (std::size_t i = 0; i < sequences.size(); ++i)
      CHECK(sequences[i] == i + 1);
  }
  REQUIRE(wait_until([&] {
    auto info = consumer->info();
    return info && info->ack_floor.stream_seq == 100;
  }));

  // An ephemeral push consumer is deleted with its handle.
  std::string ephemeral_name;
  {
    auto ephemeral = jets.subscribe("P", {}, [](js::Message) {});
    REQUIRE(ephemeral);
    ephemeral_name = ephemeral->name();
    CHECK(jets.consumer_info("P", ephemeral_name));
  }
  REQUIRE(wait_until([&] { return !jets.consumer_info("P", ephemeral_name); }));
  CHECK(jets.consumer_info("P", ephemeral_name).error() == js::ApiErrc::kConsumerNotFound);
}

TERN_CLIENT_TEST(jetstream_ordered_consumer_replays_in_order_and_recovers, "[client][jetstream][consumers]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("LOG", {"log.>"})));
  publish_numbers(jets, "log.x", 1, 300);

  std::mutex mu;
  std::vector<std::uint64_t> sequences;
  js::OrderedOptions replay;
  replay.heartbeat = 200ms;
  auto ordered = jets.ordered_consumer("LOG", replay, [&](js::Message m) {
    std::lock_guard lock(mu);
    sequences.push_back(m.metadata()->stream_sequence);
  });
  REQUIRE(ordered);
  CHECK(ordered->initial_pending() == 300);
  REQUIRE(wait_until([&] {
    std::lock_guard lock(mu);
    return sequences.size() == 300;
  }));

  // The consumer vanishes (deleted behind its back): heartbeats stop, and a new consumer picks up after
  // the last sequence seen, so what is published next arrives once and in order.
  auto names = jets.consumer_names("LOG");
  REQUIRE(names);
  REQUIRE(names->size() == 1);
  REQUIRE_FALSE(jets.delete_consumer("LOG", names->front()));
  REQUIRE(wait_until([&] { return ordered->resets() >= 1; }));
  publish_numbers(jets, "log.y", 301, 400);
  REQUIRE(wait_until([&] {
    std::lock_guard lock(mu);
    return sequences.size() >= 400;
  }));
  std::lock_guard lock(mu);
  REQUIRE(sequences.size() == 400);
  for (std::size_t i = 0; i < sequences.size(); ++i)
    REQUIRE(sequences[i] == i + 1);
}

TERN_CLIENT_TEST(jetstream_fetch_loop_survives_server_restart, "[client][jetstream][consumers]") {
  JetStreamServer server(kind);
  auto options = tern::client_test::options_for(server.port());
  options.max_reconnect_attempts = -1;
  auto client = connect_to(server.port(), options);
  js::JetStream jets(client, js_options(2s));
  REQUIRE(jets.add_stream(stream_config("WORK", {"work"})));
  publish_numbers(jets, "work", 1, 200);
  js::ConsumerConfig config = durable("loop");
  config.ack_wait = 2s;
  REQUIRE(jets.add_consumer("WORK", config));
  auto consumer = jets.pull_consumer("WORK", "loop");
  REQUIRE(consumer);

  // Work through the backlog acking each message synchronously; restart the server half way. A message
  // whose ack the server confirmed never comes again, and every message is seen and in the end acked.
  std::set<std::string> seen;
  std::set<std::string> confirmed;
  bool restarted = false;
  auto work = [&](std::chrono::milliseconds expires) {
    auto batch = consumer->fetch(10, expiring(expires));
    if (!batch) return;  // The connection is down or coming back: ask again.
    for (js::Message& m : *batch) {
      CHECK(confirmed.count(m.data()) == 0);
      seen.insert(m.data());
      if (!m.ack_sync(2s)) confirmed.insert(m.data());
    }
  };
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (seen.size() < 200 && std::chrono::steady_clock::now() < deadline) {
    if (!restarted && confirmed.size() >= 100) {
      server.stop();
      server.start_again();
      restarted = true;
    }
    work(500ms);
  }
  CHECK(restarted);
  CHECK(seen.size() == 200);
  // An ack sent while the connection was down may have been lost with it: its message comes again
  // after ack_wait and is acked then.
  REQUIRE(wait_until(
      [&] {
        auto info = consumer->info();
        if (info && info->ack_floor.stream_seq == 200 && info->num_ack_pending == 0) return true;
        work(200ms);
        return false;
      },
      30s));
}
