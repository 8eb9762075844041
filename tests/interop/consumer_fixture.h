// Shared pieces of the libnats consumer tests (test_consumers_*.cpp): owners and exact-value views of
// consumer infos, ack metadata and fetches, subscription helpers, and a collector for asynchronous
// JetStream subscriptions. Waits are for events, bounded by kWaitMillis.
#pragma once

#include <nats/nats.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/interop/jetstream_fixture.h"

namespace tern::interop {

constexpr std::int64_t kMillisToNanos = 1'000'000;

struct ConsumerInfoDeleter {
  void operator()(jsConsumerInfo* info) const { jsConsumerInfo_Destroy(info); }
};
using ConsumerInfoPtr = std::unique_ptr<jsConsumerInfo, ConsumerInfoDeleter>;

struct ConsumerCall {
  JsResult result;
  ConsumerInfoPtr info;
};

inline ConsumerCall add_consumer(jsCtx* js, const char* stream, jsConsumerConfig& config) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_AddConsumer(&raw, js, stream, &config, nullptr, &err_code);
  return {JsResult{status, static_cast<int>(err_code)}, ConsumerInfoPtr(raw)};
}

inline ConsumerCall consumer_info(jsCtx* js, const char* stream, const char* consumer) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetConsumerInfo(&raw, js, stream, consumer, nullptr, &err_code);
  return {JsResult{status, static_cast<int>(err_code)}, ConsumerInfoPtr(raw)};
}

inline ConsumerInfoPtr require_add_consumer(jsCtx* js, const char* stream, jsConsumerConfig& config) {
  ConsumerCall call = add_consumer(js, stream, config);
  INFO("add consumer on " << stream << ": " << nats_GetLastError(nullptr));
  REQUIRE(call.result == kJsOk);
  return std::move(call.info);
}

inline ConsumerInfoPtr require_consumer_info(jsCtx* js, const char* stream, const char* consumer) {
  ConsumerCall call = consumer_info(js, stream, consumer);
  INFO("consumer info " << stream << "." << consumer << ": " << nats_GetLastError(nullptr));
  REQUIRE(call.result == kJsOk);
  return std::move(call.info);
}

inline ConsumerInfoPtr require_subscription_info(natsSubscription* subscription) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  INFO(nats_GetLastError(nullptr));
  REQUIRE(natsSubscription_GetConsumerInfo(&raw, subscription, nullptr, &err_code) == NATS_OK);
  return ConsumerInfoPtr(raw);
}

inline JsResult delete_consumer(jsCtx* js, const char* stream, const char* consumer) {
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

inline ConsumerFigures figures_of(const jsConsumerInfo& info) {
  return ConsumerFigures{info.Delivered.Consumer, info.Delivered.Stream, info.AckFloor.Consumer,
                         info.AckFloor.Stream,    info.NumAckPending,    info.NumRedelivered,
                         info.NumPending};
}

// Acks travel without a reply (except AckSync), and nats-server applies them from a queue of its own, so
// a consumer's figures may lag an ack by a moment: poll them until they match, then compare exactly.
inline ConsumerFigures settled_figures(jsCtx* js, const char* stream, const char* consumer,
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

inline Meta meta_of(natsMsg* message) {
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

inline Fetched take_list(natsStatus status, jsErrCode err_code, natsMsgList& list) {
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

inline Fetched fetch(natsSubscription* subscription, int batch, std::int64_t timeout_millis = kWaitMillis) {
  natsMsgList list{};
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = natsSubscription_Fetch(&list, subscription, batch, timeout_millis, &err_code);
  return take_list(status, err_code, list);
}

inline Fetched fetch_request(natsSubscription* subscription, jsFetchRequest& request) {
  natsMsgList list{};
  const natsStatus status = natsSubscription_FetchRequest(&list, subscription, &request);
  return take_list(status, static_cast<jsErrCode>(0), list);
}

inline std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t seq = first; seq <= last; ++seq)
    seqs.push_back(seq);
  return seqs;
}

inline jsConsumerConfig consumer_config(const char* durable, jsAckPolicy ack = js_AckExplicit) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = durable;
  config.AckPolicy = ack;
  return config;
}

inline jsSubOptions sub_options() {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  return options;
}

inline SubscriptionPtr pull_subscribe(jsCtx* js, const char* subject, const char* durable,
                                      jsSubOptions* options = nullptr) {
  natsSubscription* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_PullSubscribe(&raw, js, subject, durable, nullptr, options, &err_code);
  INFO("pull subscribe " << subject << ": " << nats_GetLastError(nullptr) << ", err_code " << err_code);
  REQUIRE(status == NATS_OK);
  return SubscriptionPtr(raw);
}

inline SubscriptionPtr subscribe_sync_js(jsCtx* js, const char* subject, jsSubOptions* options) {
  natsSubscription* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_SubscribeSync(&raw, js, subject, nullptr, options, &err_code);
  INFO("subscribe " << subject << ": " << nats_GetLastError(nullptr) << ", err_code " << err_code);
  REQUIRE(status == NATS_OK);
  return SubscriptionPtr(raw);
}

// A stream of one subject pattern with `count` messages "0" .. "count-1" published to `subject`.
inline void require_stream(jsCtx* js, const char* name, const char* subjects_pattern,
                           jsRetentionPolicy retention = js_LimitsPolicy) {
  std::vector<const char*> subjects{subjects_pattern};
  auto config = stream_config(name, subjects, js_FileStorage);
  config.Retention = retention;
  require_add_stream(js, config);
}

inline void publish_count(jsCtx* js, const char* subject, std::uint64_t first_seq, std::uint64_t count,
                          std::string_view payload = {}) {
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string data = payload.empty() ? std::to_string(first_seq + i) : std::string(payload);
    require_published(js, subject, data, first_seq + i);
  }
}

inline void require_ack_sync(natsMsg* message) {
  jsErrCode err_code = static_cast<jsErrCode>(0);
  INFO(nats_GetLastError(nullptr));
  REQUIRE(natsMsg_AckSync(message, nullptr, &err_code) == NATS_OK);
}

// Reads a push subscription's next `count` messages; each must arrive within kWaitMillis.
inline std::vector<MessagePtr> next_messages(natsSubscription* subscription, std::size_t count) {
  std::vector<MessagePtr> messages;
  for (std::size_t i = 0; i < count; ++i)
    messages.push_back(require_next_message(subscription));
  return messages;
}

inline std::vector<std::uint64_t> stream_seqs_of(const std::vector<MessagePtr>& messages) {
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

inline SubscriptionPtr subscribe_async_js(jsCtx* js, const char* subject, JsCollector& collector,
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
inline void stop(const SubscriptionPtr& subscription) {
  natsSubscription_Unsubscribe(subscription.get());
}

}  // namespace tern::interop

namespace Catch {
template <>
struct StringMaker<tern::interop::ConsumerFigures> {
  static std::string convert(const tern::interop::ConsumerFigures& f) {
    return "{delivered " + std::to_string(f.delivered_consumer) + "/" + std::to_string(f.delivered_stream) +
           ", ack_floor " + std::to_string(f.ack_floor_consumer) + "/" + std::to_string(f.ack_floor_stream) +
           ", num_ack_pending " + std::to_string(f.num_ack_pending) + ", num_redelivered " +
           std::to_string(f.num_redelivered) + ", num_pending " + std::to_string(f.num_pending) + "}";
  }
};
template <>
struct StringMaker<tern::interop::Meta> {
  static std::string convert(const tern::interop::Meta& m) {
    return "{stream_seq " + std::to_string(m.stream_seq) + ", consumer_seq " +
           std::to_string(m.consumer_seq) + ", delivered " + std::to_string(m.delivered) + ", pending " +
           std::to_string(m.pending) + "}";
  }
};
}  // namespace Catch
