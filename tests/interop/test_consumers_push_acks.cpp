// libnats push consumers (async, sync, rate limit, queue groups) and the ack protocol (ack, AckSync,
// nak, nak with delay, in progress, term), redelivery by ack_wait, max_deliver and backoff, and a work
// queue whose worker dies with unacked tasks, against ternd and nats-server.
// Every case is tagged [consumers] and runs against ternd and nats-server 2.9.10; the nats-server instance
// shows that the expected figures are nats-server's. Waits are for events (a delivery, a fetch's end, a
// status) and bounded by kWaitMillis. Where a case shows that something does NOT happen, it waits a
// multiple of the relevant interval for it, and says so; no case asserts an upper bound on how long a
// delivery took.
#include <nats/nats.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "tests/interop/consumer_fixture.h"

using namespace tern::interop;

// ---- push consumers ---------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("consumers push: async durable and sync ephemeral subscriptions get every message",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "PUSH", "push.>");
  publish_count(js, "push.a", 1, 50);

  // Async, durable: libnats acks each message after the callback.
  {
    JsCollector collector;
    auto options = sub_options();
    options.Config.Durable = "pusher";
    const auto subscription = subscribe_async_js(js, "push.a", collector, &options);
    publish_count(js, "push.a", 51, 50);
    REQUIRE(collector.wait_for(100, std::chrono::milliseconds(kWaitMillis)) == 100);
    CHECK(collector.seqs() == range(1, 100));
    const auto info = require_consumer_info(js, "PUSH", "pusher");
    CHECK(info->PushBound);
    REQUIRE(info->Config->DeliverSubject != nullptr);
    CHECK(settled_figures(js, "PUSH", "pusher", ConsumerFigures{100, 100, 100, 100, 0, 0, 0}) ==
          ConsumerFigures{100, 100, 100, 100, 0, 0, 0});
    stop(subscription);
  }
  // Sync, ephemeral: the test acks.
  {
    auto options = sub_options();
    const auto subscription = subscribe_sync_js(js, "push.a", &options);
    auto messages = next_messages(subscription.get(), 100);
    CHECK(stream_seqs_of(messages) == range(1, 100));
    CHECK(meta_of(messages[0].get()) == Meta{1, 1, 1, 99});
    for (const auto& message : messages)
      natsMsg_Ack(message.get(), nullptr);
    const auto info = require_subscription_info(subscription.get());
    CHECK(info->Config->Durable == nullptr);
    CHECK(info->Config->AckPolicy == js_AckExplicit);
    eventually(
        [&] { return figures_of(*require_subscription_info(subscription.get())).ack_floor_stream == 100; });
    CHECK(figures_of(*require_subscription_info(subscription.get())) ==
          ConsumerFigures{100, 100, 100, 100, 0, 0, 0});
  }
}

TEMPLATE_TEST_CASE("consumers push: rate_limit_bps paces deliveries", "[interop][jetstream][consumers]",
                   Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  // The limiter's burst is the stream's max_msg_size: 600 bytes, so ten 500-byte messages at 10,000
  // bytes a second cannot all leave in under 0.44 s. Only that lower bound is asserted: a busy machine
  // can only make it slower.
  std::vector<const char*> subjects{"rate.>"};
  auto stream = stream_config("RATE", subjects, js_FileStorage);
  stream.MaxMsgSize = 600;
  require_add_stream(js, stream);
  publish_count(js, "rate.a", 1, 10, std::string(500, 'r'));
  auto options = sub_options();
  options.Config.Durable = "paced";
  options.Config.RateLimit = 80'000;
  options.Config.AckPolicy = js_AckNone;
  const auto started = std::chrono::steady_clock::now();
  const auto subscription = subscribe_sync_js(js, "rate.a", &options);
  const auto messages = next_messages(subscription.get(), 10);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(stream_seqs_of(messages) == range(1, 10));
  CHECK(elapsed >= std::chrono::milliseconds(400));
}

TEMPLATE_TEST_CASE("consumers push: a deliver group gives every message to exactly one member",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "GRP", "grp.>");
  Client second_client(*setup->server);
  REQUIRE(second_client.status() == NATS_OK);
  const auto second_js = require_jetstream(second_client.connection());

  JsCollector first;
  JsCollector second;
  auto options = sub_options();
  options.Queue = "workers";
  options.Config.Durable = "workers";
  const auto first_sub = subscribe_async_js(js, "grp.>", first, &options);
  const auto second_sub = subscribe_async_js(second_js.get(), "grp.>", second, &options);
  {
    const auto info = require_consumer_info(js, "GRP", "workers");
    REQUIRE(info->Config->DeliverGroup != nullptr);
    CHECK(std::string(info->Config->DeliverGroup) == "workers");
  }
  constexpr std::uint64_t kTasks = 200;
  publish_count(js, "grp.task", 1, kTasks);
  REQUIRE(eventually([&] { return first.seqs().size() + second.seqs().size() >= kTasks; }));
  std::vector<std::uint64_t> all = first.seqs();
  const std::vector<std::uint64_t> theirs = second.seqs();
  all.insert(all.end(), theirs.begin(), theirs.end());
  std::sort(all.begin(), all.end());
  CHECK(all == range(1, kTasks));
  INFO("first member " << first.seqs().size() << ", second " << theirs.size());
  // Every message delivered once, all acked, none redelivered.
  CHECK(settled_figures(js, "GRP", "workers", ConsumerFigures{kTasks, kTasks, kTasks, kTasks, 0, 0, 0}) ==
        ConsumerFigures{kTasks, kTasks, kTasks, kTasks, 0, 0, 0});
  stop(first_sub);
  stop(second_sub);
}

// ---- acks and redelivery ----------------------------------------------------------------------------

TEMPLATE_TEST_CASE("consumers acks: nak, nak with delay, in progress and term",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "ACKS", "acks.>");
  // One consumer per kind of ack, each filtered to a subject of its own. An ack travels apart from the
  // pull requests that follow it (nats-server applies acks from a queue of its own), so each case has
  // just the messages whose order it can tell.
  const auto consumer = [&](const char* name, const char* subject, std::int64_t ack_wait_millis) {
    auto options = sub_options();
    options.Config.AckWait = ack_wait_millis * kMillisToNanos;
    return pull_subscribe(js, subject, name, &options);
  };

  SECTION("nak: redelivered at once with a new consumer sequence and a delivery count of 2") {
    publish_count(js, "acks.nak", 1, 1);
    const auto subscription = consumer("naker", "acks.nak", 30000);
    Fetched fetched = fetch(subscription.get(), 1);
    REQUIRE(fetched.messages.size() == 1);
    CHECK(meta_of(fetched.messages[0].get()) == Meta{1, 1, 1, 0});
    REQUIRE(natsMsg_Nak(fetched.messages[0].get(), nullptr) == NATS_OK);
    Fetched again = fetch(subscription.get(), 1);
    REQUIRE(again.messages.size() == 1);
    CHECK(meta_of(again.messages[0].get()) == Meta{1, 2, 2, 0});
    require_ack_sync(again.messages[0].get());
    CHECK(figures_of(*require_consumer_info(js, "ACKS", "naker")) == ConsumerFigures{2, 1, 2, 1, 0, 0, 0});
  }
  SECTION("nak with a delay: the next message comes first, the nak'd one after the delay") {
    publish_count(js, "acks.delay", 1, 2);
    const auto subscription = consumer("delayer", "acks.delay", 30000);
    Fetched fetched = fetch(subscription.get(), 1);
    REQUIRE(fetched.messages.size() == 1);
    CHECK(meta_of(fetched.messages[0].get()).stream_seq == 1);
    // libnats takes the delay in milliseconds.
    REQUIRE(natsMsg_NakWithDelay(fetched.messages[0].get(), 1000, nullptr) == NATS_OK);
    Fetched next = fetch(subscription.get(), 1);
    REQUIRE(next.messages.size() == 1);
    CHECK(meta_of(next.messages[0].get()) == Meta{2, 2, 1, 0});
    require_ack_sync(next.messages[0].get());
    Fetched delayed = fetch(subscription.get(), 1);
    REQUIRE(delayed.messages.size() == 1);
    CHECK(meta_of(delayed.messages[0].get()) == Meta{1, 3, 2, 0});
    require_ack_sync(delayed.messages[0].get());
    CHECK(figures_of(*require_consumer_info(js, "ACKS", "delayer")) == ConsumerFigures{3, 2, 3, 2, 0, 0, 0});
  }
  SECTION("term: never redelivered, and no longer pending") {
    publish_count(js, "acks.term", 1, 1);
    const auto subscription = consumer("terminator", "acks.term", 300);
    Fetched fetched = fetch(subscription.get(), 1);
    REQUIRE(fetched.messages.size() == 1);
    REQUIRE(natsMsg_Term(fetched.messages[0].get(), nullptr) == NATS_OK);
    // Five ack_waits pass without a redelivery.
    Fetched after = fetch(subscription.get(), 1, 1500);
    CHECK(after.status == NATS_TIMEOUT);
    CHECK(after.messages.empty());
    CHECK(figures_of(*require_consumer_info(js, "ACKS", "terminator")) ==
          ConsumerFigures{1, 1, 1, 1, 0, 0, 0});
  }
  SECTION("in progress: each report restarts ack_wait") {
    // With ack_wait 2 s, three progress reports 700 ms apart keep the message from being redelivered for
    // 2.1 s; each 700 ms wait is a fetch that must end empty.
    publish_count(js, "acks.wpi", 1, 1);
    const auto subscription = consumer("worker", "acks.wpi", 2000);
    Fetched working = fetch(subscription.get(), 1);
    REQUIRE(working.messages.size() == 1);
    for (int i = 0; i < 3; ++i) {
      REQUIRE(natsMsg_InProgress(working.messages[0].get(), nullptr) == NATS_OK);
      Fetched quiet = fetch(subscription.get(), 1, 700);
      INFO("progress report " << i);
      CHECK(quiet.status == NATS_TIMEOUT);
      CHECK(quiet.messages.empty());
    }
    require_ack_sync(working.messages[0].get());
    CHECK(figures_of(*require_consumer_info(js, "ACKS", "worker")) == ConsumerFigures{1, 1, 1, 1, 0, 0, 0});
  }
}

TEMPLATE_TEST_CASE("consumers acks: ack_wait redelivers with a growing delivery count until max_deliver",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "REDO", "redo.>");
  publish_count(js, "redo.a", 1, 1);
  auto options = sub_options();
  options.Config.AckWait = 300 * kMillisToNanos;
  options.Config.MaxDeliver = 3;
  const auto subscription = pull_subscribe(js, "redo.a", "retrier", &options);

  for (std::uint64_t delivery = 1; delivery <= 3; ++delivery) {
    INFO("delivery " << delivery);
    Fetched fetched = fetch(subscription.get(), 1);
    REQUIRE(fetched.messages.size() == 1);
    const Meta meta = meta_of(fetched.messages[0].get());
    CHECK(meta.stream_seq == 1);
    CHECK(meta.consumer_seq == delivery);
    CHECK(meta.delivered == delivery);
    CHECK(message_data(fetched.messages[0].get()) == "1");
  }
  // Past max_deliver nothing comes back: five ack_waits pass without a delivery.
  Fetched after = fetch(subscription.get(), 1, 1500);
  CHECK(after.status == NATS_TIMEOUT);
  CHECK(after.messages.empty());
  const auto info = require_consumer_info(js, "REDO", "retrier");
  CHECK(info->Delivered.Consumer == 3);
  CHECK(info->Delivered.Stream == 1);
  // num_redelivered counts messages delivered more than once, not redeliveries.
  CHECK(info->NumRedelivered == 1);
  CHECK(info->NumPending == 0);
}

TEMPLATE_TEST_CASE("consumers acks: backoff spaces the redeliveries and ends at max_deliver",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "BACK", "back.>");
  publish_count(js, "back.a", 1, 1);
  std::vector<std::int64_t> backoff{200 * kMillisToNanos, 600 * kMillisToNanos};
  auto options = sub_options();
  options.Config.BackOff = backoff.data();
  options.Config.BackOffLen = static_cast<int>(backoff.size());
  options.Config.MaxDeliver = 3;
  const auto subscription = pull_subscribe(js, "back.a", "backer", &options);
  {
    // The first backoff value becomes ack_wait.
    const auto info = require_consumer_info(js, "BACK", "backer");
    CHECK(info->Config->AckWait == backoff[0]);
    REQUIRE(info->Config->BackOffLen == 2);
    CHECK(info->Config->BackOff[1] == backoff[1]);
  }
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  for (std::uint64_t delivery = 1; delivery <= 3; ++delivery) {
    INFO("delivery " << delivery);
    Fetched fetched = fetch(subscription.get(), 1);
    REQUIRE(fetched.messages.size() == 1);
    arrivals.push_back(std::chrono::steady_clock::now());
    CHECK(meta_of(fetched.messages[0].get()).delivered == delivery);
  }
  // Lower bounds only (a server is never early; a busy machine may be late), with slack for how late the
  // earlier delivery was read.
  CHECK(arrivals[1] - arrivals[0] >= std::chrono::milliseconds(150));
  CHECK(arrivals[2] - arrivals[1] >= std::chrono::milliseconds(450));
  Fetched after = fetch(subscription.get(), 1, 1500);
  CHECK(after.status == NATS_TIMEOUT);

  // max_deliver must exceed the number of backoff values: 10116.
  std::vector<std::int64_t> three{100, 200, 300};
  auto bad = consumer_config("bad");
  bad.BackOff = three.data();
  bad.BackOffLen = 3;
  bad.MaxDeliver = 2;
  CHECK(add_consumer(js, "BACK", bad).result == js_error(10116));
}

TEMPLATE_TEST_CASE("consumers acks: a worker that dies with unacked tasks hands them to the next",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "TASKS", "tasks.>", js_WorkQueuePolicy);
  auto config = consumer_config("workers");
  config.AckWait = 1000 * kMillisToNanos;
  config.FilterSubject = "tasks.>";
  require_add_consumer(js, "TASKS", config);
  publish_count(js, "tasks.job", 1, 5);

  auto bind = sub_options();
  bind.Stream = "TASKS";
  bind.Consumer = "workers";
  {
    Client worker(*setup->server);
    REQUIRE(worker.status() == NATS_OK);
    const auto worker_js = require_jetstream(worker.connection());
    const auto subscription = pull_subscribe(worker_js.get(), "tasks.>", "workers", &bind);
    Fetched taken = fetch(subscription.get(), 5);
    REQUIRE(taken.status == NATS_OK);
    CHECK(taken.stream_seqs() == range(1, 5));
    // The worker's connection closes here, its tasks unacked.
  }
  Client worker(*setup->server);
  REQUIRE(worker.status() == NATS_OK);
  const auto worker_js = require_jetstream(worker.connection());
  const auto subscription = pull_subscribe(worker_js.get(), "tasks.>", "workers", &bind);
  std::vector<MessagePtr> redelivered;
  while (redelivered.size() < 5) {
    Fetched fetched = fetch(subscription.get(), static_cast<int>(5 - redelivered.size()));
    REQUIRE(fetched.status == NATS_OK);
    for (auto& message : fetched.messages)
      redelivered.push_back(std::move(message));
  }
  std::vector<std::uint64_t> seqs = stream_seqs_of(redelivered);
  std::sort(seqs.begin(), seqs.end());
  CHECK(seqs == range(1, 5));
  for (const auto& message : redelivered) {
    CHECK(meta_of(message.get()).delivered == 2);
    CHECK(message_data(message.get()) == std::to_string(meta_of(message.get()).stream_seq));
    require_ack_sync(message.get());
  }
  // On a work queue an ack removes the task from the stream.
  REQUIRE(eventually([&] { return require_state(js, "TASKS").messages == 0; }));
  const auto info = require_stream_info(js, "TASKS");
  CHECK(info->State.Msgs == 0);
  CHECK(info->State.FirstSeq == 6);
  CHECK(info->State.LastSeq == 5);
}
