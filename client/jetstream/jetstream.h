// JetStream from a tern::Client: stream and consumer management, publishing with acknowledgements,
// and consuming (pull, push and ordered consumers). Works against ternd and nats-server alike.
//
//   auto js = tern::client::jetstream::JetStream(client);
//   js.add_stream({.name = "ORDERS", .subjects = {"orders.>"}});
//   auto ack = js.publish("orders.new", "{...}");          // Expected<PubAck>: ack->sequence
//   auto consumer = js.pull_consumer("ORDERS", "worker");  // an existing durable
//   for (auto& m : *consumer->fetch(10)) { ...; m.ack(); }
//
// Threads. Every call may be made from any thread except the client's I/O thread, where the calls that
// wait for the server fail with client::Errc::kWouldDeadlock (publish_async with a callback and the
// message ack methods other than ack_sync never wait, and work there too). Handlers of push and ordered
// consumers run on the I/O thread, one at a time, as subscription handlers do.
//
// Lifetimes. A JetStream is a cheap handle: copies share one context (its async publish window). It
// keeps the connection's engine alive but does not keep the Client open: after the Client is closed or
// destroyed, calls fail with kConnectionClosed. Consumers are RAII handles like Subscriptions.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "client/jetstream/errors.h"
#include "client/jetstream/message.h"
#include "client/jetstream/types.h"

namespace tern::client::jetstream {

namespace detail {
struct Context;
}  // namespace detail

struct Options {
  // The API's subject prefix; a domain, when set, makes it `$JS.<domain>.API.`.
  std::string api_prefix = "$JS.API.";
  std::string domain;
  // How long an API call or a synchronous publish waits for its answer.
  std::chrono::milliseconds timeout{5000};
  // publish_async: at most this many publishes wait for their PubAck at once. A publish that finds the
  // window full waits up to stall_wait for room, then fails with Errc::kTooManyPendingAcks.
  std::size_t max_pending_acks = 4000;
  std::chrono::milliseconds stall_wait{200};
};

using PubAckHandler = std::function<void(Expected<PubAck>)>;
using JsMessageHandler = std::function<void(Message)>;

// How a fetch waits: up to `expires` for the batch to fill (the server ends the request then), or,
// with `no_wait`, only for what is there now.
struct FetchOptions {
  std::chrono::milliseconds expires{5000};
  bool no_wait = false;
  std::uint64_t max_bytes = 0;  // 0: no limit.
  // When set, the server sends heartbeats while the request waits, and the fetch fails with
  // Errc::kMissedHeartbeat after two are missed (a server or link gone quiet).
  std::chrono::milliseconds heartbeat{0};
};

// A handle on a pull consumer (durable, or an ephemeral the handle created). Move-only. Destroying it
// unsubscribes its inbox; an ephemeral consumer it created is deleted too.
class PullConsumer {
 public:
  PullConsumer() = default;
  PullConsumer(PullConsumer&&) noexcept;
  PullConsumer& operator=(PullConsumer&&) noexcept;
  ~PullConsumer();

  // Asks for up to `batch` messages and returns what arrives: the full batch at once, or fewer when
  // the request expires or (no_wait) the consumer has no more. An empty result is not an error;
  // errors are the connection's, Errc::kConsumerDeleted, kRequestLimit and kMissedHeartbeat.
  // Messages that arrive after a fetch gave up are kept for the next one.
  Expected<std::vector<Message>> fetch(std::size_t batch, const FetchOptions& options = {});
  Expected<ConsumerInfo> info();
  const std::string& stream() const;
  const std::string& name() const;
  bool valid() const noexcept { return state_ != nullptr; }

  struct State;

 private:
  friend class JetStream;
  explicit PullConsumer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// A push consumer's subscription: messages reach the handler on the I/O thread. Heartbeats and flow
// control are answered by the library and never reach the handler. Move-only; destroying it
// unsubscribes, and deletes the consumer when it was an ephemeral this handle created.
class PushConsumer {
 public:
  PushConsumer() = default;
  PushConsumer(PushConsumer&&) noexcept;
  PushConsumer& operator=(PushConsumer&&) noexcept;
  ~PushConsumer();

  Expected<ConsumerInfo> info();
  const std::string& stream() const;
  const std::string& name() const;
  bool valid() const noexcept { return state_ != nullptr; }

  struct State;

 private:
  friend class JetStream;
  explicit PushConsumer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// An ordered consumer's options: what to replay, and from where.
struct OrderedOptions {
  std::string filter_subject;
  DeliverPolicy deliver_policy = DeliverPolicy::kAll;
  std::uint64_t opt_start_seq = 0;
  std::optional<SystemTime> opt_start_time;
  bool headers_only = false;
  // The server's idle heartbeat; the consumer is recreated after two are missed.
  std::chrono::milliseconds heartbeat{5000};
};

// An ordered consumer: every message of the stream (or filter) exactly once and in order, for replay.
// It is an ephemeral push consumer without acks, recreated from the last stream sequence seen when a
// consumer sequence is skipped or heartbeats stop, as nats.go's ordered consumer is. Move-only.
class OrderedConsumer {
 public:
  OrderedConsumer() = default;
  OrderedConsumer(OrderedConsumer&&) noexcept;
  OrderedConsumer& operator=(OrderedConsumer&&) noexcept;
  ~OrderedConsumer();

  // How many times the consumer was recreated after a gap or missed heartbeats.
  std::uint64_t resets() const;
  // The first consumer's num_pending when it was created: how many messages the replay began with.
  std::uint64_t initial_pending() const;
  bool valid() const noexcept { return state_ != nullptr; }

  struct State;

 private:
  friend class JetStream;
  explicit OrderedConsumer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

class JetStream {
 public:
  explicit JetStream(const Client& client, Options options = {});
  // Another handle on an existing context (the library's consumers keep one).
  explicit JetStream(std::shared_ptr<detail::Context> context) : context_(std::move(context)) {}

  // --- Streams. ---
  Expected<StreamInfo> add_stream(const StreamConfig& config);
  Expected<StreamInfo> update_stream(const StreamConfig& config);
  Expected<StreamInfo> stream_info(std::string_view stream);
  std::error_code delete_stream(std::string_view stream);
  // Every stream's name (all pages), or those that take `subject_filter`.
  Expected<std::vector<std::string>> stream_names(std::string_view subject_filter = {});
  Expected<std::vector<StreamInfo>> streams();
  // Returns how many messages were purged.
  Expected<std::uint64_t> purge_stream(std::string_view stream, const PurgeOptions& options = {});
  Expected<StoredMessage> get_message(std::string_view stream, std::uint64_t sequence);
  Expected<StoredMessage> get_last_message(std::string_view stream, std::string_view subject);
  // Removes one message; with `erase` its bytes are overwritten too.
  std::error_code delete_message(std::string_view stream, std::uint64_t sequence, bool erase = false);
  Expected<AccountInfo> account_info();

  // --- Consumers. ---
  // Creates a consumer, or returns the existing one when the configuration is the same (a durable
  // name or a name makes it idempotent).
  Expected<ConsumerInfo> add_consumer(std::string_view stream, const ConsumerConfig& config);
  Expected<ConsumerInfo> update_consumer(std::string_view stream, const ConsumerConfig& config);
  Expected<ConsumerInfo> consumer_info(std::string_view stream, std::string_view consumer);
  std::error_code delete_consumer(std::string_view stream, std::string_view consumer);
  Expected<std::vector<std::string>> consumer_names(std::string_view stream);
  Expected<std::vector<ConsumerInfo>> consumers(std::string_view stream);

  // --- Publishing. ---
  // Publishes and waits for the stream's PubAck. A subject no stream takes fails with
  // Errc::kNoStreamResponse; the stream's refusals (a wrong expected sequence) are API errors.
  Expected<PubAck> publish(std::string_view subject, std::string_view data,
                           const PublishOptions& options = {});
  Expected<PubAck> publish(std::string_view subject, const Headers& headers, std::string_view data,
                           const PublishOptions& options = {});
  // Publishes without waiting: the PubAck (or error) reaches the future. At most
  // Options::max_pending_acks are outstanding (see there).
  std::future<Expected<PubAck>> publish_async(std::string_view subject, std::string_view data,
                                              const PublishOptions& options = {});
  // The same with a handler, run on the I/O thread (or on the calling thread when the publish fails
  // before anything is sent). Never waits on the I/O thread: a full window fails at once there.
  void publish_async(std::string_view subject, const Headers& headers, std::string_view data,
                     const PublishOptions& options, PubAckHandler handler);
  // Waits until every publish_async so far has its answer.
  std::error_code wait_for_pending_acks(std::chrono::milliseconds timeout);
  std::size_t pending_acks() const;

  // --- Consuming. ---
  // Binds to an existing pull consumer.
  Expected<PullConsumer> pull_consumer(std::string_view stream, std::string_view consumer);
  // Creates (or binds to the same-configured) pull consumer and returns its handle; a config without
  // durable_name or name makes an ephemeral consumer, deleted when the handle goes.
  Expected<PullConsumer> create_pull_consumer(std::string_view stream, const ConsumerConfig& config);
  // Creates a push consumer delivering to a new inbox (unless config.deliver_subject is set) and
  // subscribes `handler` to it, as a queue subscriber when config.deliver_group is set.
  Expected<PushConsumer> subscribe(std::string_view stream, ConsumerConfig config, JsMessageHandler handler);
  Expected<OrderedConsumer> ordered_consumer(std::string_view stream, const OrderedOptions& options,
                                             JsMessageHandler handler);

  std::shared_ptr<detail::Context> context() const { return context_; }

 private:
  std::shared_ptr<detail::Context> context_;
};

}  // namespace tern::client::jetstream
