// Ordered consumers, as nats.go builds them: an ephemeral push consumer without acks, flow-controlled
// and heartbeating, whose consumer sequences must arrive without a gap. On a gap, or when heartbeats
// stop, the consumer is replaced by a new one starting after the last stream sequence delivered.
// Everything after the first creation happens on the I/O thread, so the replacement is created with
// an asynchronous request.
#include <atomic>
#include <future>
#include <mutex>

#include "client/detail/core.h"
#include "client/jetstream/context.h"
#include "client/jetstream/control_messages.h"
#include "client/jetstream/json_codec.h"

namespace tern::client::jetstream {
namespace {

using Clock = std::chrono::steady_clock;

// How long after a failed re-creation the next attempt is made.
constexpr std::chrono::milliseconds kRetryWait{250};

}  // namespace

struct OrderedConsumer::State : std::enable_shared_from_this<OrderedConsumer::State> {
  std::shared_ptr<detail::Context> context;
  std::string stream;
  OrderedOptions options;
  JsMessageHandler handler;
  std::atomic<std::uint64_t> resets{0};
  std::atomic<std::uint64_t> initial_pending{0};

  std::mutex mu;  // Guards what follows; never held while user code or a blocking call runs.
  bool stopped = false;
  Subscription subscription;
  std::string consumer;          // The current consumer's name; empty while one is being made.
  std::uint64_t generation = 0;  // Bumped by every replacement: stale deliveries are dropped.
  std::uint64_t next_consumer_seq = 1;
  std::uint64_t last_stream_seq = 0;  // 0 until something is delivered.
  Clock::time_point last_activity = Clock::now();
  std::uint64_t watch_call = 0;

  ConsumerConfig config_locked(const std::string& deliver_subject) const {
    ConsumerConfig config;
    config.deliver_subject = deliver_subject;
    config.filter_subject = options.filter_subject;
    config.headers_only = options.headers_only;
    config.ack_policy = AckPolicy::kNone;
    config.max_deliver = 1;
    config.flow_control = true;
    config.idle_heartbeat = options.heartbeat;
    config.ack_wait = std::chrono::hours(22);
    config.memory_storage = true;
    config.num_replicas = 1;
    if (last_stream_seq > 0) {
      config.deliver_policy = DeliverPolicy::kByStartSequence;
      config.opt_start_seq = last_stream_seq + 1;
    } else {
      config.deliver_policy = options.deliver_policy;
      config.opt_start_seq = options.opt_start_seq;
      config.opt_start_time = options.opt_start_time;
    }
    return config;
  }

  // Subscribes a new inbox and sends the request creating its consumer; `done` gets the outcome (on
  // the I/O thread, or here when nothing was sent). Precondition: mu is not held.
  void start_consumer(std::function<void(std::error_code)> done) {
    const std::string inbox = context->core->new_inbox();
    std::weak_ptr<State> weak = weak_from_this();
    std::uint64_t generation_now = 0;
    std::string body;
    {
      std::lock_guard lock(mu);
      if (stopped) return done(client::Errc::kConnectionClosed);
      generation_now = ++generation;
      next_consumer_seq = 1;
      consumer.clear();
      body = json::write_consumer_create(stream, config_locked(inbox));
    }
    auto sub = context->core->subscribe(
        inbox, {},
        [weak, generation_now](client::Message message) {
          if (auto self = weak.lock()) self->receive(std::move(message), generation_now);
        },
        0);
    if (!sub) return done(sub.error());
    Subscription previous;
    {
      std::lock_guard lock(mu);
      previous = std::move(subscription);
      subscription = client::detail::make_subscription(context->core, std::move(*sub));
      last_activity = Clock::now();
    }
    previous.unsubscribe();
    context->core->request(
        context->prefix + "CONSUMER.CREATE." + stream, nullptr, body, context->options.timeout,
        [weak, generation_now, done = std::move(done)](Expected<client::Message> reply) {
          auto self = weak.lock();
          if (!self) return done(client::Errc::kConnectionClosed);
          std::error_code error = reply.error();
          if (reply) {
            Expected<ConsumerInfo> info = json::parse_consumer_info(reply->data);
            if (info) {
              std::lock_guard lock(self->mu);
              if (self->generation == generation_now) self->consumer = info->name;
              if (generation_now == 1) self->initial_pending = info->num_pending;
            } else {
              error = info.error();
            }
          }
          done(error);
        },
        false);
  }

  // On the I/O thread: drops the current consumer and starts another after the last delivery,
  // retrying until one is made or the handle is stopped.
  void replace() {
    std::string old;
    {
      std::lock_guard lock(mu);
      if (stopped) return;
      old = std::move(consumer);
    }
    ++resets;
    if (!old.empty()) detail::send_consumer_delete(*context, stream, old);
    std::weak_ptr<State> weak = weak_from_this();
    start_consumer([weak](std::error_code error) {
      if (!error) return;
      if (auto self = weak.lock()) {
        self->context->core->call_later(kRetryWait, [weak] {
          if (auto again = weak.lock()) again->replace();
        });
      }
    });
  }

  // On the I/O thread, under the subscription's dispatch.
  void receive(client::Message message, std::uint64_t message_generation) {
    bool gap = false;
    const detail::ControlKind control = detail::answer_control_message(*context, message);
    std::optional<Message> delivery;
    {
      std::lock_guard lock(mu);
      if (stopped || message_generation != generation) return;
      last_activity = Clock::now();
      if (control == detail::ControlKind::kHeartbeat) {
        // A heartbeat says which consumer sequence the server delivered last: one not seen here is lost.
        const std::optional<std::uint64_t> last = detail::last_consumer_sequence(message);
        gap = last && *last + 1 != next_consumer_seq;
      } else if (control == detail::ControlKind::kNone) {
        Message js(std::move(message), context->core);
        if (!js.metadata() || js.metadata()->consumer_sequence != next_consumer_seq) {
          gap = true;
        } else {
          ++next_consumer_seq;
          last_stream_seq = js.metadata()->stream_sequence;
          delivery = std::move(js);
        }
      }
    }
    if (gap) return replace();
    if (delivery) handler(std::move(*delivery));
  }

  // Every heartbeat interval: replaces a consumer that stayed silent for two of them.
  void watch() {
    bool silent = false;
    {
      std::lock_guard lock(mu);
      if (stopped) return;
      silent = Clock::now() - last_activity > 2 * options.heartbeat && !consumer.empty();
    }
    if (silent) replace();
    schedule_watch();
  }

  void schedule_watch() {
    std::weak_ptr<State> weak = weak_from_this();
    const std::uint64_t id = context->core->call_later(options.heartbeat, [weak] {
      if (auto self = weak.lock()) self->watch();
    });
    std::lock_guard lock(mu);
    watch_call = id;
  }

  void stop() {
    Subscription ending;
    std::string name;
    std::uint64_t call = 0;
    {
      std::lock_guard lock(mu);
      if (stopped) return;
      stopped = true;
      ending = std::move(subscription);
      name = std::move(consumer);
      call = watch_call;
    }
    context->core->cancel_call(call);
    ending.unsubscribe();
    if (!name.empty()) detail::send_consumer_delete(*context, stream, name);
  }
};

OrderedConsumer::OrderedConsumer(OrderedConsumer&&) noexcept = default;
OrderedConsumer& OrderedConsumer::operator=(OrderedConsumer&& other) noexcept {
  if (this != &other) {
    if (state_) state_->stop();
    state_ = std::move(other.state_);
  }
  return *this;
}
OrderedConsumer::~OrderedConsumer() {
  if (state_) state_->stop();
}

std::uint64_t OrderedConsumer::resets() const {
  return state_ ? state_->resets.load() : 0;
}

std::uint64_t OrderedConsumer::initial_pending() const {
  return state_ ? state_->initial_pending.load() : 0;
}

Expected<OrderedConsumer> JetStream::ordered_consumer(std::string_view stream, const OrderedOptions& options,
                                                      JsMessageHandler handler) {
  if (!handler || options.heartbeat.count() <= 0) return client::Errc::kInvalidArgument;
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  if (context_->core->on_io_thread()) return client::Errc::kWouldDeadlock;
  auto state = std::make_shared<OrderedConsumer::State>();
  state->context = context_;
  state->stream = stream;
  state->options = options;
  state->handler = std::move(handler);
  auto created = std::make_shared<std::promise<std::error_code>>();
  auto outcome = created->get_future();
  state->start_consumer([created](std::error_code error) { created->set_value(error); });
  if (const std::error_code error = outcome.get()) {
    state->stop();
    return error;
  }
  state->schedule_watch();
  return OrderedConsumer(std::move(state));
}

}  // namespace tern::client::jetstream
