// libnats replay and management against ternd and nats-server: deliver policies, filters, headers_only,
// replay original, ordered consumers, consumer CRUD with exact err_codes, and a durable consumer that
// keeps its acks across kill -9.
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
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/interop/consumer_fixture.h"

using namespace tern::interop;

namespace {

// Go's time.RFC3339Nano in UTC for UnixNano `t`, with all nine digits of the fraction.
std::string rfc3339_utc(std::int64_t t) {
  const std::time_t seconds = static_cast<std::time_t>(t / 1'000'000'000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(text + n, sizeof text - n, ".%09lldZ", static_cast<long long>(t % 1'000'000'000));
  return text;
}

}  // namespace

// ---- deliver policies, filters, headers only, replay, ordered ---------------------------------------

TEMPLATE_TEST_CASE("consumers deliver policies, filter subject, headers only and replay original",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "POL", "pol.>");
  // Sequences 1..5 on pol.a, pol.b, pol.a, pol.b, pol.c.
  const char* subjects[] = {"pol.a", "pol.b", "pol.a", "pol.b", "pol.c"};
  for (std::uint64_t seq = 1; seq <= 2; ++seq)
    require_published(js, subjects[seq - 1], "m" + std::to_string(seq), seq);
  // Message 3 is stored at least 2 ms after message 2 (the clock is read until it has moved on since
  // message 2's PubAck, a precondition rather than a wait for the server), so that a start time between
  // them is not a matter of nanoseconds: a fast server stores consecutive messages a microsecond apart.
  for (const std::int64_t acked_ms = nats_Now(); nats_Now() < acked_ms + 3;) {
  }
  for (std::uint64_t seq = 3; seq <= 5; ++seq)
    require_published(js, subjects[seq - 1], "m" + std::to_string(seq), seq);
  // The stored times of 2 and 3, exactly as the server keeps them: the timestamp token of their ack
  // subjects (natsMsg_GetTime of a fetched message is the client's own clock).
  std::int64_t second_time = 0;
  std::int64_t third_time = 0;
  {
    auto options = sub_options();
    const auto subscription = subscribe_sync_js(js, "pol.>", &options);
    const auto messages = next_messages(subscription.get(), 3);
    for (const auto& message : messages) {
      jsMsgMetaData* raw = nullptr;
      REQUIRE(natsMsg_GetMetaData(&raw, message.get()) == NATS_OK);
      if (raw->Sequence.Stream == 2) second_time = raw->Timestamp;
      if (raw->Sequence.Stream == 3) third_time = raw->Timestamp;
      jsMsgMetaData_Destroy(raw);
    }
  }
  REQUIRE(third_time > second_time + 1'000'000);
  const std::int64_t start_time = second_time + (third_time - second_time) / 2;

  // Each policy as an ephemeral push consumer: the sequences it delivers, and nothing pending after.
  const auto delivered = [&](const char* subject, jsDeliverPolicy policy, std::size_t expected,
                             const std::function<void(jsConsumerConfig&)>& customise = {}) {
    auto options = sub_options();
    options.Config.DeliverPolicy = policy;
    if (customise) customise(options.Config);
    const auto subscription = subscribe_sync_js(js, subject, &options);
    auto messages = next_messages(subscription.get(), expected);
    for (const auto& message : messages)
      require_ack_sync(message.get());
    const ConsumerFigures figures = figures_of(*require_subscription_info(subscription.get()));
    CHECK(figures.num_pending == 0);
    CHECK(figures.delivered_consumer == expected);
    CHECK(figures.num_ack_pending == 0);
    return stream_seqs_of(messages);
  };

  CHECK(delivered("pol.>", js_DeliverAll, 5) == range(1, 5));
  CHECK(delivered("pol.>", js_DeliverLast, 1) == std::vector<std::uint64_t>{5});
  CHECK(delivered("pol.>", js_DeliverByStartSequence, 3, [](jsConsumerConfig& c) { c.OptStartSeq = 3; }) ==
        range(3, 5));
  // By start time through a durable pull consumer, then fetched. The consumer is created with a raw API
  // request: libnats 3.4.1 writes a time's fraction without its leading zeros (".%lld" of the
  // nanoseconds, so 12:00:00.012 goes out as 12:00:00.12), which moves a start time inside the first
  // tenth of a second later by up to 0.1 s, past the end of this stream, for both servers.
  {
    const std::string request = R"({"stream_name":"POL","config":{"durable_name":"bytime",)"
                                R"("deliver_policy":"by_start_time","opt_start_time":")" +
                                rfc3339_utc(start_time) +
                                R"(","ack_policy":"explicit","filter_subject":"pol.>"}})";
    natsMsg* raw_reply = nullptr;
    REQUIRE(natsConnection_Request(&raw_reply, setup->client->connection(),
                                   "$JS.API.CONSUMER.DURABLE.CREATE.POL.bytime", request.data(),
                                   static_cast<int>(request.size()), kWaitMillis) == NATS_OK);
    const std::string reply(natsMsg_GetData(raw_reply),
                            static_cast<std::size_t>(natsMsg_GetDataLength(raw_reply)));
    natsMsg_Destroy(raw_reply);
    INFO(request << "\n" << reply);
    CHECK(reply.find(R"("num_pending":3})") != std::string::npos);
    const auto subscription = pull_subscribe(js, "pol.>", "bytime");
    Fetched fetched = fetch(subscription.get(), 3);
    REQUIRE(fetched.status == NATS_OK);
    CHECK(fetched.stream_seqs() == range(3, 5));
  }
  CHECK(delivered("pol.>", js_DeliverLastPerSubject, 3) == range(3, 5));
  CHECK(delivered("pol.a", js_DeliverAll, 2) == (std::vector<std::uint64_t>{1, 3}));
  CHECK(delivered("pol.b", js_DeliverLast, 1) == std::vector<std::uint64_t>{4});
  CHECK(delivered("pol.>", js_DeliverAll, 5,
                  [](jsConsumerConfig& c) { c.ReplayPolicy = js_ReplayOriginal; }) == range(1, 5));

  // New: only what is published after the consumer exists.
  {
    auto options = sub_options();
    options.Config.DeliverPolicy = js_DeliverNew;
    const auto subscription = subscribe_sync_js(js, "pol.>", &options);
    CHECK(figures_of(*require_subscription_info(subscription.get())).num_pending == 0);
    require_published(js, "pol.d", "m6", 6);
    const auto message = require_next_message(subscription.get());
    CHECK(meta_of(message.get()) == Meta{6, 1, 1, 0});
    CHECK(message_data(message.get()) == "m6");
  }
  // Headers only: an empty payload and the payload's size in Nats-Msg-Size.
  {
    auto options = sub_options();
    options.Config.HeadersOnly = true;
    options.Config.AckPolicy = js_AckNone;
    const auto subscription = subscribe_sync_js(js, "pol.a", &options);
    auto messages = next_messages(subscription.get(), 2);
    CHECK(stream_seqs_of(messages) == (std::vector<std::uint64_t>{1, 3}));
    for (const auto& message : messages) {
      CHECK(natsMsg_GetDataLength(message.get()) == 0);
      CHECK(header_value(message.get(), "Nats-Msg-Size") == "2");
    }
  }
}

TEMPLATE_TEST_CASE("consumers ordered: replays 1000 messages in order", "[interop][jetstream][consumers]",
                   Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "LOG", "log.>");
  constexpr std::uint64_t kMessages = 1000;
  // Async publishes, then one wait for every PubAck: 1000 round trips would dominate the case.
  for (std::uint64_t i = 1; i <= kMessages; ++i) {
    const std::string subject = "log." + std::to_string(i % 7);
    const std::string data = std::to_string(i);
    REQUIRE(js_PublishAsync(js, subject.c_str(), data.data(), static_cast<int>(data.size()), nullptr) ==
            NATS_OK);
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = kWaitMillis;
  REQUIRE(js_PublishAsyncComplete(js, &complete) == NATS_OK);
  REQUIRE(require_state(js, "LOG").messages == kMessages);

  auto options = sub_options();
  options.Ordered = true;
  const auto subscription = subscribe_sync_js(js, "log.>", &options);
  for (std::uint64_t i = 1; i <= kMessages; ++i) {
    const auto message = require_next_message(subscription.get());
    const Meta meta = meta_of(message.get());
    INFO("message " << i);
    REQUIRE(meta.stream_seq == i);
    REQUIRE(meta.consumer_seq == i);
    REQUIRE(meta.pending == kMessages - i);
    REQUIRE(message_data(message.get()) == std::to_string(i));
    REQUIRE(std::string(natsMsg_GetSubject(message.get())) == "log." + std::to_string(i % 7));
  }
  const auto info = require_subscription_info(subscription.get());
  CHECK(info->Config->AckPolicy == js_AckNone);
  CHECK(info->Config->MaxDeliver == 1);
  CHECK(info->Config->FlowControl);
  CHECK(info->Config->MemoryStorage);
  CHECK(info->NumPending == 0);
  CHECK(info->Delivered.Stream == kMessages);
}

// ---- consumer CRUD ----------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("consumers create, info, list, names and delete with exact err_codes",
                   "[interop][jetstream][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  require_stream(js, "CRUD", "crud.>");
  publish_count(js, "crud.a", 1, 4);

  auto pull = consumer_config("puller");
  pull.AckWait = 5000 * kMillisToNanos;
  pull.MaxDeliver = 4;
  pull.FilterSubject = "crud.a";
  {
    const auto created = require_add_consumer(js, "CRUD", pull);
    CHECK(std::string(created->Stream) == "CRUD");
    CHECK(std::string(created->Name) == "puller");
    CHECK(std::string(created->Config->Durable) == "puller");
    CHECK(created->Config->AckWait == 5'000'000'000);
    CHECK(created->Config->MaxDeliver == 4);
    CHECK(created->Config->MaxWaiting == 512);
    CHECK(created->Config->MaxAckPending == 1000);
    CHECK(std::string(created->Config->FilterSubject) == "crud.a");
    CHECK(created->Config->DeliverPolicy == js_DeliverAll);
    CHECK(created->Config->ReplayPolicy == js_ReplayInstant);
    CHECK(figures_of(*created) == ConsumerFigures{0, 0, 0, 0, 0, 0, 4});
  }
  // The same configuration again is fine; a different one under the same name is not.
  CHECK(add_consumer(js, "CRUD", pull).result == kJsOk);
  // A durable created again with a different deliver or ack policy is refused (10012, the consumer
  // create error); a new filter is an allowed update and takes effect.
  auto changed = pull;
  changed.DeliverPolicy = js_DeliverLast;
  CHECK(add_consumer(js, "CRUD", changed).result == js_error(10012));
  changed = pull;
  changed.AckPolicy = js_AckAll;
  CHECK(add_consumer(js, "CRUD", changed).result == js_error(10012));
  changed = pull;
  changed.FilterSubject = "crud.b";
  {
    const ConsumerCall updated = add_consumer(js, "CRUD", changed);
    CHECK(updated.result == kJsOk);
    REQUIRE(updated.info != nullptr);
    CHECK(std::string(updated.info->Config->FilterSubject) == "crud.b");
    CHECK(updated.info->NumPending == 0);
  }

  auto push = consumer_config("pusher");
  push.DeliverSubject = "deliver.pusher";
  {
    const auto created = require_add_consumer(js, "CRUD", push);
    CHECK(std::string(created->Config->DeliverSubject) == "deliver.pusher");
    CHECK(!created->PushBound);
  }

  // Names and infos, in name order.
  {
    jsConsumerNamesList* names = nullptr;
    jsErrCode err_code = static_cast<jsErrCode>(0);
    REQUIRE(js_ConsumerNames(&names, js, "CRUD", nullptr, &err_code) == NATS_OK);
    std::vector<std::string> listed(names->List, names->List + names->Count);
    jsConsumerNamesList_Destroy(names);
    std::sort(listed.begin(), listed.end());
    CHECK(listed == std::vector<std::string>{"puller", "pusher"});
  }
  {
    jsConsumerInfoList* infos = nullptr;
    jsErrCode err_code = static_cast<jsErrCode>(0);
    REQUIRE(js_Consumers(&infos, js, "CRUD", nullptr, &err_code) == NATS_OK);
    std::vector<std::string> listed;
    for (int i = 0; i < infos->Count; ++i)
      listed.emplace_back(infos->List[i]->Name);
    jsConsumerInfoList_Destroy(infos);
    std::sort(listed.begin(), listed.end());
    CHECK(listed == std::vector<std::string>{"puller", "pusher"});
  }
  CHECK(require_stream_info(js, "CRUD")->State.Consumers == 2);

  // Missing consumers and streams.
  CHECK(consumer_info(js, "CRUD", "nobody").result == js_not_found(10014));
  CHECK(delete_consumer(js, "CRUD", "nobody") == js_not_found(10014));
  // A missing stream is a plain error to these calls (libnats maps 404 to not-found only for some).
  CHECK(consumer_info(js, "NOSTREAM", "puller").result == js_error(10059));
  auto orphan = consumer_config("orphan");
  CHECK(add_consumer(js, "NOSTREAM", orphan).result == js_error(10059));

  CHECK(delete_consumer(js, "CRUD", "puller") == kJsOk);
  CHECK(consumer_info(js, "CRUD", "puller").result == js_not_found(10014));
  CHECK(delete_consumer(js, "CRUD", "puller") == js_not_found(10014));
  CHECK(require_stream_info(js, "CRUD")->State.Consumers == 1);
  {
    jsConsumerNamesList* names = nullptr;
    jsErrCode err_code = static_cast<jsErrCode>(0);
    REQUIRE(js_ConsumerNames(&names, js, "CRUD", nullptr, &err_code) == NATS_OK);
    REQUIRE(names->Count == 1);
    CHECK(std::string(names->List[0]) == "pusher");
    jsConsumerNamesList_Destroy(names);
  }
}

// ---- a durable consumer across kill -9 --------------------------------------------------------------

TEMPLATE_TEST_CASE("consumers durable pull consumer keeps its acks across kill -9",
                   "[interop][jetstream][consumers][persistence]", Ternd, NatsServer) {
  StoreDir store;
  auto server = start_jetstream_server<TestType>(store);
  auto client = std::make_unique<Client>(*server);
  REQUIRE(client->status() == NATS_OK);
  auto js = require_jetstream(client->connection());
  require_stream(js.get(), "DUR", "dur.>");
  constexpr std::uint64_t kMessages = 1000;
  for (std::uint64_t i = 1; i <= kMessages; ++i) {
    const std::string data = std::to_string(i);
    REQUIRE(js_PublishAsync(js.get(), "dur.x", data.data(), static_cast<int>(data.size()), nullptr) ==
            NATS_OK);
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = kWaitMillis;
  REQUIRE(js_PublishAsyncComplete(js.get(), &complete) == NATS_OK);
  REQUIRE(require_state(js.get(), "DUR").messages == kMessages);
  auto config = consumer_config("survivor");
  config.FilterSubject = "dur.>";
  // Long enough that no message is redelivered while the first part acks it; short enough that the
  // drain after the restart sees lost acks come back.
  config.AckWait = 5000 * kMillisToNanos;
  require_add_consumer(js.get(), "DUR", config);

  // A consumer's state may reach the store up to a second after an ack (ternd writes it at least once a
  // second; nats-server 2.9.10 up to ten times a second, without fsync), so a kill -9 may bring back
  // the acks of the last second before it. The acks are made in two parts: 300, then a wait of 1.5 s
  // (a fetch from an idle stream that expires), then 100 more and the kill. Messages 1..300 were acked
  // more than a second before the kill and must never come again; 301..400 may.
  auto bind = sub_options();
  bind.Stream = "DUR";
  bind.Consumer = "survivor";
  std::set<std::uint64_t> acked;
  {
    const auto subscription = pull_subscribe(js.get(), "dur.>", "survivor", &bind);
    const auto pull_and_ack = [&](std::uint64_t count) {
      while (count > 0) {
        Fetched fetched = fetch(subscription.get(), static_cast<int>(std::min<std::uint64_t>(count, 100)));
        REQUIRE(fetched.status == NATS_OK);
        for (const auto& message : fetched.messages) {
          require_ack_sync(message.get());
          acked.insert(meta_of(message.get()).stream_seq);
          --count;
        }
      }
    };
    pull_and_ack(300);
    require_stream(js.get(), "PAUSE", "pause.>");
    const auto pause = pull_subscribe(js.get(), "pause.>", "pause");
    Fetched paused = fetch(pause.get(), 1, 1500);
    REQUIRE(paused.status == NATS_TIMEOUT);
    pull_and_ack(100);
  }
  const std::vector<std::uint64_t> first_400 = range(1, 400);
  REQUIRE(acked == std::set<std::uint64_t>(first_400.begin(), first_400.end()));
  server->kill_hard();
  js.reset();
  client.reset();

  server = start_jetstream_server<TestType>(store);
  client = std::make_unique<Client>(*server);
  REQUIRE(client->status() == NATS_OK);
  js = require_jetstream(client->connection());
  {
    const auto info = require_consumer_info(js.get(), "DUR", "survivor");
    INFO("after restart " << Catch::StringMaker<ConsumerFigures>::convert(figures_of(*info)));
    CHECK(info->AckFloor.Stream >= 300);
    CHECK(info->AckFloor.Stream <= 400);
  }
  const auto subscription = pull_subscribe(js.get(), "dur.>", "survivor", &bind);
  // Drains until the consumer has nothing undelivered and nothing unacked: acks the kill lost (at most
  // those of 301..400) come back as pending and are redelivered after ack_wait.
  std::map<std::uint64_t, int> after;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(3 * kWaitMillis);
  for (;;) {
    Fetched fetched = fetch(subscription.get(), 200, 1000);
    if (fetched.messages.empty()) {
      REQUIRE(fetched.status == NATS_TIMEOUT);
      const auto info = require_consumer_info(js.get(), "DUR", "survivor");
      if (info->NumPending == 0 && info->NumAckPending == 0) break;
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      continue;
    }
    REQUIRE(fetched.status == NATS_OK);
    for (const auto& message : fetched.messages) {
      const Meta meta = meta_of(message.get());
      CHECK(message_data(message.get()) == std::to_string(meta.stream_seq));
      ++after[meta.stream_seq];
      require_ack_sync(message.get());
    }
  }
  std::size_t redelivered_early = 0;
  for (std::uint64_t seq = 1; seq <= kMessages; ++seq) {
    INFO("sequence " << seq);
    if (seq <= 300) {
      if (after.count(seq) != 0) ++redelivered_early;
    } else if (seq > 400) {
      CHECK(after[seq] == 1);
    } else {
      CHECK(after.count(seq) <= 1);
    }
  }
  CHECK(redelivered_early == 0);
  const auto info = require_consumer_info(js.get(), "DUR", "survivor");
  CHECK(info->AckFloor.Stream == kMessages);
  CHECK(info->NumAckPending == 0);
  CHECK(info->NumPending == 0);
}
