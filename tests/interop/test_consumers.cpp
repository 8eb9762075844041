// libnats's JetStream consumer API against ternd and nats-server 2.9.10: pull consumers (Fetch and
// FetchRequest), push consumers (async, sync, queue groups), the ack protocol (ack, AckSync, nak, nak
// with delay, in progress, term), redelivery (ack_wait, max_deliver, backoff), max_ack_pending, deliver
// policies, headers_only, ordered consumers, consumer CRUD with exact err_codes, a work queue whose
// worker dies with unacked tasks, many pull requests expiring together, and a durable consumer that
// survives kill -9.
//
// Every case is tagged [consumers]. tests/CMakeLists.txt leaves the ternd instances of [consumers] out
// of ctest until ternd has consumers (option TERN_TEST_TERND_CONSUMERS); the nats-server instances
// always run and show that the expected figures are nats-server's.
//
// Waits are for events (a delivery, a fetch's end, a status) and bounded by kWaitMillis. Where a case
// shows that something does NOT happen (no redelivery past max_deliver), it waits a multiple of the
// relevant interval for it, and says so; no case asserts an upper bound on how long a delivery took.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "tests/interop/jetstream_fixture.h"

using namespace tern::interop;

namespace {

constexpr std::int64_t kMillisToNanos = 1'000'000;

struct ConsumerInfoDeleter {
  void operator()(jsConsumerInfo* info) const { jsConsumerInfo_Destroy(info); }
};
using ConsumerInfoPtr = std::unique_ptr<jsConsumerInfo, ConsumerInfoDeleter>;

struct ConsumerCall {
  JsResult result;
  ConsumerInfoPtr info;
};

ConsumerCall add_consumer(jsCtx* js, const char* stream, jsConsumerConfig& config) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_AddConsumer(&raw, js, stream, &config, nullptr, &err_code);
  return {JsResult{status, static_cast<int>(err_code)}, ConsumerInfoPtr(raw)};
}

ConsumerCall consumer_info(jsCtx* js, const char* stream, const char* consumer) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetConsumerInfo(&raw, js, stream, consumer, nullptr, &err_code);
  return {JsResult{status, static_cast<int>(err_code)}, ConsumerInfoPtr(raw)};
}

ConsumerInfoPtr require_add_consumer(jsCtx* js, const char* stream, jsConsumerConfig& config) {
  ConsumerCall call = add_consumer(js, stream, config);
  INFO("add consumer on " << stream << ": " << nats_GetLastError(nullptr));
  REQUIRE(call.result == kJsOk);
  return std::move(call.info);
}

ConsumerInfoPtr require_consumer_info(jsCtx* js, const char* stream, const char* consumer) {
  ConsumerCall call = consumer_info(js, stream, consumer);
  INFO("consumer info " << stream << "." << consumer << ": " << nats_GetLastError(nullptr));
  REQUIRE(call.result == kJsOk);
  return std::move(call.info);
}

ConsumerInfoPtr require_subscription_info(natsSubscription* subscription) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  INFO(nats_GetLastError(nullptr));
  REQUIRE(natsSubscription_GetConsumerInfo(&raw, subscription, nullptr, &err_code) == NATS_OK);
  return ConsumerInfoPtr(raw);
}

JsResult delete_consumer(jsCtx* js, const char* stream, const char* consumer) {
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_DeleteConsumer(js, stream, consumer, nullptr, &err_code);
  return JsResult{status, static_cast<int>(err_code)};
}

// The figures of a consumer's info that the cases compare, gathered so one CHECK shows them all.
struct ConsumerFigures {
  std::uint64_t delivered_consumer = 0;
  std::uint64_t delivered_stream = 0;
  std::uint64_t ack_floor_consumer = 0;
  std::uint64_t ack_floor_stream = 0;
  std::int64_t num_ack_pending = 0;
  std::int64_t num_redelivered = 0;
  std::uint64_t num_pending = 0;
  bool operator==(const ConsumerFigures&) const = default;
};

ConsumerFigures figures_of(const jsConsumerInfo& info) {
  return ConsumerFigures{info.Delivered.Consumer, info.Delivered.Stream, info.AckFloor.Consumer,
                         info.AckFloor.Stream,    info.NumAckPending,    info.NumRedelivered,
                         info.NumPending};
}

// Acks travel without a reply (except AckSync), and nats-server applies them from a queue of its own, so
// a consumer's figures may lag an ack by a moment: poll them until they match, then compare exactly.
ConsumerFigures settled_figures(jsCtx* js, const char* stream, const char* consumer,
                                const ConsumerFigures& expected) {
  ConsumerFigures seen;
  eventually([&] {
    seen = figures_of(*require_consumer_info(js, stream, consumer));
    return seen == expected;
  });
  return seen;
}

// What a delivered message's ack subject says about it.
struct Meta {
  std::uint64_t stream_seq = 0;
  std::uint64_t consumer_seq = 0;
  std::uint64_t delivered = 0;
  std::uint64_t pending = 0;
  bool operator==(const Meta&) const = default;
};

Meta meta_of(natsMsg* message) {
  jsMsgMetaData* raw = nullptr;
  INFO("reply subject " << (natsMsg_GetReply(message) ? natsMsg_GetReply(message) : "<none>"));
  REQUIRE(natsMsg_GetMetaData(&raw, message) == NATS_OK);
  const Meta meta{raw->Sequence.Stream, raw->Sequence.Consumer, raw->NumDelivered, raw->NumPending};
  jsMsgMetaData_Destroy(raw);
  return meta;
}

// The outcome of one Fetch: libnats's status, the server's err_code and the messages, owned.
struct Fetched {
  natsStatus status = NATS_OK;
  int err_code = 0;
  std::vector<MessagePtr> messages;

  std::vector<std::uint64_t> stream_seqs() const {
    std::vector<std::uint64_t> seqs;
    for (const auto& message : messages)
      seqs.push_back(meta_of(message.get()).stream_seq);
    return seqs;
  }
};

Fetched take_list(natsStatus status, jsErrCode err_code, natsMsgList& list) {
  Fetched fetched;
  fetched.status = status;
  fetched.err_code = static_cast<int>(err_code);
  for (int i = 0; i < list.Count; ++i) {
    fetched.messages.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;
  }
  natsMsgList_Destroy(&list);
  return fetched;
}

Fetched fetch(natsSubscription* subscription, int batch, std::int64_t timeout_millis = kWaitMillis) {
  natsMsgList list{};
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = natsSubscription_Fetch(&list, subscription, batch, timeout_millis, &err_code);
  return take_list(status, err_code, list);
}

Fetched fetch_request(natsSubscription* subscription, jsFetchRequest& request) {
  natsMsgList list{};
  const natsStatus status = natsSubscription_FetchRequest(&list, subscription, &request);
  return take_list(status, static_cast<jsErrCode>(0), list);
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t seq = first; seq <= last; ++seq)
    seqs.push_back(seq);
  return seqs;
}

jsConsumerConfig consumer_config(const char* durable, jsAckPolicy ack = js_AckExplicit) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = durable;
  config.AckPolicy = ack;
  return config;
}

jsSubOptions sub_options() {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  return options;
}

SubscriptionPtr pull_subscribe(jsCtx* js, const char* subject, const char* durable,
                               jsSubOptions* options = nullptr) {
  natsSubscription* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_PullSubscribe(&raw, js, subject, durable, nullptr, options, &err_code);
  INFO("pull subscribe " << subject << ": " << nats_GetLastError(nullptr) << ", err_code " << err_code);
  REQUIRE(status == NATS_OK);
  return SubscriptionPtr(raw);
}

SubscriptionPtr subscribe_sync_js(jsCtx* js, const char* subject, jsSubOptions* options) {
  natsSubscription* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_SubscribeSync(&raw, js, subject, nullptr, options, &err_code);
  INFO("subscribe " << subject << ": " << nats_GetLastError(nullptr) << ", err_code " << err_code);
  REQUIRE(status == NATS_OK);
  return SubscriptionPtr(raw);
}

// A stream of one subject pattern with `count` messages "0" .. "count-1" published to `subject`.
void require_stream(jsCtx* js, const char* name, const char* subjects_pattern,
                    jsRetentionPolicy retention = js_LimitsPolicy) {
  std::vector<const char*> subjects{subjects_pattern};
  auto config = stream_config(name, subjects, js_FileStorage);
  config.Retention = retention;
  require_add_stream(js, config);
}

void publish_count(jsCtx* js, const char* subject, std::uint64_t first_seq, std::uint64_t count,
                   std::string_view payload = {}) {
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string data = payload.empty() ? std::to_string(first_seq + i) : std::string(payload);
    require_published(js, subject, data, first_seq + i);
  }
}

void require_ack_sync(natsMsg* message) {
  jsErrCode err_code = static_cast<jsErrCode>(0);
  INFO(nats_GetLastError(nullptr));
  REQUIRE(natsMsg_AckSync(message, nullptr, &err_code) == NATS_OK);
}

// Reads a push subscription's next `count` messages; each must arrive within kWaitMillis.
std::vector<MessagePtr> next_messages(natsSubscription* subscription, std::size_t count) {
  std::vector<MessagePtr> messages;
  for (std::size_t i = 0; i < count; ++i)
    messages.push_back(require_next_message(subscription));
  return messages;
}

std::vector<std::uint64_t> stream_seqs_of(const std::vector<MessagePtr>& messages) {
  std::vector<std::uint64_t> seqs;
  for (const auto& message : messages)
    seqs.push_back(meta_of(message.get()).stream_seq);
  return seqs;
}

// Collects what an asynchronous JetStream subscription delivers (stream sequences, by member), for
// js_Subscribe with a callback. libnats acks each message when the callback returns (no ManualAck).
class JsCollector {
 public:
  static void on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
    auto* self = static_cast<JsCollector*>(closure);
    jsMsgMetaData* meta = nullptr;
    std::uint64_t seq = 0;
    if (natsMsg_GetMetaData(&meta, message) == NATS_OK) {
      seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    natsMsg_Destroy(message);
    {
      const std::lock_guard lock(self->mutex_);
      self->seqs_.push_back(seq);
    }
    self->changed_.notify_all();
  }

  std::size_t wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return seqs_.size() >= count; });
    return seqs_.size();
  }

  std::vector<std::uint64_t> seqs() {
    const std::lock_guard lock(mutex_);
    return seqs_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::uint64_t> seqs_;
};

SubscriptionPtr subscribe_async_js(jsCtx* js, const char* subject, JsCollector& collector,
                                   jsSubOptions* options) {
  natsSubscription* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status =
      js_Subscribe(&raw, js, subject, &JsCollector::on_message, &collector, nullptr, options, &err_code);
  INFO("subscribe " << subject << ": " << nats_GetLastError(nullptr) << ", err_code " << err_code);
  REQUIRE(status == NATS_OK);
  return SubscriptionPtr(raw);
}

// Unsubscribes, which waits for nothing but stops the callbacks before the collector goes away; the
// subscription's own destroy then frees it.
void stop(const SubscriptionPtr& subscription) {
  natsSubscription_Unsubscribe(subscription.get());
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<ConsumerFigures> {
  static std::string convert(const ConsumerFigures& f) {
    return "{delivered " + std::to_string(f.delivered_consumer) + "/" + std::to_string(f.delivered_stream) +
           ", ack_floor " + std::to_string(f.ack_floor_consumer) + "/" + std::to_string(f.ack_floor_stream) +
           ", num_ack_pending " + std::to_string(f.num_ack_pending) + ", num_redelivered " +
           std::to_string(f.num_redelivered) + ", num_pending " + std::to_string(f.num_pending) + "}";
  }
};
template <>
struct StringMaker<Meta> {
  static std::string convert(const Meta& m) {
    return "{stream_seq " + std::to_string(m.stream_seq) + ", consumer_seq " +
           std::to_string(m.consumer_seq) + ", delivered " + std::to_string(m.delivered) + ", pending " +
           std::to_string(m.pending) + "}";
  }
};
}  // namespace Catch

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
  // By start time through a durable pull consumer: created with the exact configuration, then fetched.
  {
    jsConsumerConfig config = consumer_config("bytime");
    config.DeliverPolicy = js_DeliverByStartTime;
    config.OptStartTime = start_time;
    config.FilterSubject = "pol.>";
    const auto created = require_add_consumer(js, "POL", config);
    // nats-server 2.9.10's file store sometimes places a time inside its last block past the end
    // (GetSeqFromTime; seen under load, 0 pending): the reference is not held to it, ternd is.
    if (std::is_same_v<TestType, NatsServer> && created->NumPending == 0) {
      WARN("nats-server placed the start time past the end of the stream");
    } else {
      CHECK(created->NumPending == 3);
      const auto subscription = pull_subscribe(js, "pol.>", "bytime");
      Fetched fetched = fetch(subscription.get(), 3);
      REQUIRE(fetched.status == NATS_OK);
      CHECK(fetched.stream_seqs() == range(3, 5));
    }
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
