// libnats pull consumers against ternd and nats-server: Fetch and FetchRequest (batch, no_wait, expires,
// max_bytes), max_ack_pending, and many pull requests expiring together.
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

// ---- pull consumers ---------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("consumers pull: fetch a backlog in batches, ack, exact consumer info",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "PULL", "pull.>");
  publish_count(js, "pull.a", 1, 20);

  const auto subscription = pull_subscribe(js, "pull.a", "worker");
  {
    const auto info = require_consumer_info(js, "PULL", "worker");
    CHECK(std::string(info->Name) == "worker");
    CHECK(info->Config->AckPolicy == js_AckExplicit);
    CHECK(info->Config->MaxWaiting == 512);
    CHECK(info->Config->AckWait == 30'000'000'000);
    CHECK(figures_of(*info) == ConsumerFigures{0, 0, 0, 0, 0, 0, 20});
  }

  // Batches of 1, 4 and 10 take the first 15 messages in order; the ack subjects count down what is left.
  Fetched one = fetch(subscription.get(), 1);
  REQUIRE(one.status == NATS_OK);
  REQUIRE(one.messages.size() == 1);
  CHECK(message_data(one.messages[0].get()) == "1");
  CHECK(std::string(natsMsg_GetSubject(one.messages[0].get())) == "pull.a");
  CHECK(meta_of(one.messages[0].get()) == Meta{1, 1, 1, 19});
  Fetched four = fetch(subscription.get(), 4);
  REQUIRE(four.status == NATS_OK);
  CHECK(four.stream_seqs() == range(2, 5));
  Fetched ten = fetch(subscription.get(), 10);
  REQUIRE(ten.status == NATS_OK);
  CHECK(ten.stream_seqs() == range(6, 15));
  CHECK(meta_of(ten.messages.back().get()) == Meta{15, 15, 1, 5});

  // Fifteen delivered, none acked.
  CHECK(figures_of(*require_consumer_info(js, "PULL", "worker")) == ConsumerFigures{15, 15, 0, 0, 15, 0, 5});

  // Ack 1..5 in order (the floor moves), then 7 alone (it does not).
  for (const auto& message : one.messages)
    require_ack_sync(message.get());
  for (const auto& message : four.messages)
    require_ack_sync(message.get());
  require_ack_sync(ten.messages[1].get());
  CHECK(figures_of(*require_consumer_info(js, "PULL", "worker")) == ConsumerFigures{15, 15, 5, 5, 9, 0, 5});

  // Acking 6 lets the floor jump over 7 to 7.
  require_ack_sync(ten.messages[0].get());
  CHECK(figures_of(*require_consumer_info(js, "PULL", "worker")) == ConsumerFigures{15, 15, 7, 7, 8, 0, 5});

  // A batch larger than what is left returns what is left.
  Fetched rest = fetch(subscription.get(), 50, 2000);
  REQUIRE(rest.status == NATS_OK);
  CHECK(rest.stream_seqs() == range(16, 20));
  for (std::size_t i = 2; i < ten.messages.size(); ++i)
    natsMsg_Ack(ten.messages[i].get(), nullptr);
  for (const auto& message : rest.messages)
    natsMsg_Ack(message.get(), nullptr);
  CHECK(settled_figures(js, "PULL", "worker", ConsumerFigures{20, 20, 20, 20, 0, 0, 0}) ==
        ConsumerFigures{20, 20, 20, 20, 0, 0, 0});

  // With nothing pending, a fetch ends with libnats's timeout status and no messages.
  Fetched none = fetch(subscription.get(), 10, 500);
  CHECK(none.status == NATS_TIMEOUT);
  CHECK(none.messages.empty());
  Fetched none_single = fetch(subscription.get(), 1, 500);
  CHECK(none_single.status == NATS_TIMEOUT);
  CHECK(none_single.messages.empty());
}

TEMPLATE_TEST_CASE("consumers pull: fetch requests with no_wait, expires and max_bytes",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "REQ", "req.>");
  const auto subscription = pull_subscribe(js, "req.x", "fetcher");

  // On an empty consumer both requests end without messages. What libnats 3.4.1 reports depends on
  // whether nats-server's 404 reaches it before its own timer fires (both happen at once on an idle
  // machine: timeout for a no_wait request, not found for one with only expires), so either is right.
  const auto is_no_messages = [](natsStatus status) {
    return status == NATS_TIMEOUT || status == NATS_NOT_FOUND;
  };
  {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = 10;
    request.NoWait = true;
    Fetched fetched = fetch_request(subscription.get(), request);
    CHECK(is_no_messages(fetched.status));
    CHECK(fetched.messages.empty());
  }
  {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = 10;
    request.Expires = 300 * kMillisToNanos;
    Fetched fetched = fetch_request(subscription.get(), request);
    CHECK(is_no_messages(fetched.status));
    CHECK(fetched.messages.empty());
  }

  publish_count(js, "req.x", 1, 3);
  // no_wait with fewer messages than the batch: what there is, then the short batch ends the request.
  {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = 10;
    request.NoWait = true;
    request.Expires = kWaitMillis * kMillisToNanos;
    Fetched fetched = fetch_request(subscription.get(), request);
    CHECK(fetched.status == NATS_OK);
    CHECK(fetched.stream_seqs() == range(1, 3));
    for (const auto& message : fetched.messages)
      require_ack_sync(message.get());
  }
  // expires with fewer messages than the batch: what there is, when the request expires.
  publish_count(js, "req.x", 4, 2);
  {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = 10;
    request.Expires = 300 * kMillisToNanos;
    Fetched fetched = fetch_request(subscription.get(), request);
    CHECK(fetched.status == NATS_OK);
    CHECK(fetched.stream_seqs() == range(4, 5));
    for (const auto& message : fetched.messages)
      require_ack_sync(message.get());
  }
  // max_bytes: 1000-byte payloads and a 2500-byte budget give two messages per request, whatever the
  // few dozen bytes of subject and ack subject each counts for.
  const std::string kilobyte(1000, 'k');
  publish_count(js, "req.x", 6, 5, kilobyte);
  {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = 10;
    request.MaxBytes = 2500;
    request.Expires = kWaitMillis * kMillisToNanos;
    Fetched fetched = fetch_request(subscription.get(), request);
    CHECK(fetched.status == NATS_OK);
    CHECK(fetched.stream_seqs() == range(6, 7));
    if (!fetched.messages.empty()) CHECK(message_data(fetched.messages[0].get()) == kilobyte);
    for (const auto& message : fetched.messages)
      require_ack_sync(message.get());
  }
  CHECK(figures_of(*require_consumer_info(js, "REQ", "fetcher")) == ConsumerFigures{7, 7, 7, 7, 0, 0, 3});
}

TEMPLATE_TEST_CASE("consumers pull: max_ack_pending holds back deliveries until acks",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "MAP", "map.>");
  publish_count(js, "map.a", 1, 10);
  auto options = sub_options();
  options.Config.MaxAckPending = 3;
  const auto subscription = pull_subscribe(js, "map.a", "limited", &options);

  Fetched first = fetch(subscription.get(), 10, 1000);
  REQUIRE(first.status == NATS_OK);
  CHECK(first.stream_seqs() == range(1, 3));
  CHECK(figures_of(*require_consumer_info(js, "MAP", "limited")) == ConsumerFigures{3, 3, 0, 0, 3, 0, 7});
  // Nothing more while three are unacked.
  Fetched held = fetch(subscription.get(), 10, 500);
  CHECK(held.status == NATS_TIMEOUT);
  CHECK(held.messages.empty());
  // One ack makes room for one.
  require_ack_sync(first.messages[0].get());
  Fetched next = fetch(subscription.get(), 10, 1000);
  REQUIRE(next.status == NATS_OK);
  CHECK(next.stream_seqs() == std::vector<std::uint64_t>{4});
  CHECK(figures_of(*require_consumer_info(js, "MAP", "limited")) == ConsumerFigures{4, 4, 1, 1, 3, 0, 6});
}

TEMPLATE_TEST_CASE("consumers pull: 50 requests expiring together all time out and the server answers",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "IDLE", "idle.>");
  auto config = consumer_config("waiters");
  config.FilterSubject = "idle.>";
  require_add_consumer(js, "IDLE", config);

  constexpr int kRequests = 50;
  std::vector<SubscriptionPtr> subscriptions;
  for (int i = 0; i < kRequests; ++i) {
    auto options = sub_options();
    options.Stream = "IDLE";
    options.Consumer = "waiters";
    subscriptions.push_back(pull_subscribe(js, "idle.>", "waiters", &options));
  }
  // Each thread waits on its start signal so the 50 requests reach the server together.
  std::mutex mutex;
  std::condition_variable start_signal;
  bool started = false;
  std::vector<natsStatus> statuses(kRequests, NATS_OK);
  std::vector<std::size_t> counts(kRequests, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock lock(mutex);
        start_signal.wait(lock, [&] { return started; });
      }
      jsFetchRequest request;
      jsFetchRequest_Init(&request);
      request.Batch = 1;
      request.Expires = 500 * kMillisToNanos;
      natsMsgList list{};
      statuses[static_cast<std::size_t>(i)] =
          natsSubscription_FetchRequest(&list, subscriptions[static_cast<std::size_t>(i)].get(), &request);
      counts[static_cast<std::size_t>(i)] = static_cast<std::size_t>(list.Count);
      natsMsgList_Destroy(&list);
    });
  }
  {
    const std::lock_guard lock(mutex);
    started = true;
  }
  start_signal.notify_all();
  for (auto& thread : threads)
    thread.join();
  for (int i = 0; i < kRequests; ++i) {
    INFO("request " << i);
    CHECK(statuses[static_cast<std::size_t>(i)] == NATS_TIMEOUT);
    CHECK(counts[static_cast<std::size_t>(i)] == 0);
  }
  // The server still answers: a PING round trip, an API request, and a fresh message reaches a fetch.
  require_flush(setup->client->connection());
  CHECK(figures_of(*require_consumer_info(js, "IDLE", "waiters")) == ConsumerFigures{0, 0, 0, 0, 0, 0, 0});
  require_published(js, "idle.x", "wake", 1);
  Fetched woken = fetch(subscriptions[0].get(), 1);
  REQUIRE(woken.status == NATS_OK);
  CHECK(woken.stream_seqs() == std::vector<std::uint64_t>{1});
}
