// Pull consumers: one inbox subscription per handle, a pull request per fetch, and the statuses that
// end a request (404, 408, 409) told apart from stale ones by the request's own reply token.
#include <condition_variable>
#include <deque>
#include <mutex>

#include "client/detail/core.h"
#include "client/jetstream/context.h"
#include "client/jetstream/control_messages.h"
#include "client/jetstream/json_codec.h"

namespace tern::client::jetstream {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kHeartbeatStatus = 100;
constexpr int kNoMessagesStatus = 404;
constexpr int kRequestTimeoutStatus = 408;
constexpr int kConflictStatus = 409;
// A fetch waits this much longer than its request's expiry, so that the server's 408 (not the
// client's clock) normally ends it.
constexpr std::chrono::milliseconds kExpiryMargin{500};

}  // namespace

struct PullConsumer::State {
  std::shared_ptr<detail::Context> context;
  std::string stream;
  std::string name;
  bool delete_on_close = false;
  std::string next_subject;  // `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`
  std::string inbox_prefix;  // `_INBOX.<nuid>.`: the subscription takes `<prefix>*`.
  Subscription subscription;

  std::mutex fetch_mu;  // One fetch at a time.
  std::mutex mu;
  std::condition_variable changed;
  std::deque<Message> ready;
  std::string current_reply;  // The reply subject of the fetch in progress.
  std::uint64_t requests_sent = 0;
  bool request_ended = false;
  std::error_code request_error;
  Clock::time_point last_activity = Clock::now();

  ~State() {
    subscription.unsubscribe();
    // Deleting an ephemeral this handle created needs no answer: it is sent and not waited for (the
    // server reaps it after its inactive threshold anyway, should this be lost).
    if (delete_on_close) detail::send_consumer_delete(*context, stream, name);
  }

  // On the I/O thread: a delivery or a status for this handle's inbox.
  void receive(client::Message message) {
    std::lock_guard lock(mu);
    last_activity = Clock::now();
    const int status = message.has_headers && message.data.empty() ? message.headers.status() : 0;
    if (status == 0) {
      ready.emplace_back(std::move(message), context->core);
    } else if (status != kHeartbeatStatus && message.subject == current_reply) {
      request_ended = true;
      if (status == kConflictStatus) {
        const std::string& text = message.headers.description();
        if (text == "Consumer Deleted") {
          request_error = Errc::kConsumerDeleted;
        } else if (text != "Message Size Exceeds MaxBytes") {
          request_error = Errc::kRequestLimit;
        }
      } else if (status != kNoMessagesStatus && status != kRequestTimeoutStatus) {
        request_error = Errc::kInvalidResponse;
      }
    } else {
      return;  // A heartbeat, or the end of an earlier request: nothing to wake for.
    }
    changed.notify_all();
  }
};

PullConsumer::PullConsumer(PullConsumer&&) noexcept = default;
PullConsumer& PullConsumer::operator=(PullConsumer&&) noexcept = default;
PullConsumer::~PullConsumer() = default;

const std::string& PullConsumer::stream() const {
  if (!state_) throw std::logic_error("tern::client::jetstream::PullConsumer: no consumer");
  return state_->stream;
}

const std::string& PullConsumer::name() const {
  if (!state_) throw std::logic_error("tern::client::jetstream::PullConsumer: no consumer");
  return state_->name;
}

Expected<ConsumerInfo> PullConsumer::info() {
  if (!state_) return client::Errc::kInvalidArgument;
  return JetStream(state_->context).consumer_info(state_->stream, state_->name);
}

Expected<std::vector<Message>> PullConsumer::fetch(std::size_t batch, const FetchOptions& options) {
  if (!state_ || batch == 0 || (!options.no_wait && options.expires.count() <= 0)) {
    return client::Errc::kInvalidArgument;
  }
  State& state = *state_;
  if (state.context->core->on_io_thread()) return client::Errc::kWouldDeadlock;
  std::lock_guard fetch_lock(state.fetch_mu);
  std::vector<Message> messages;
  std::unique_lock lock(state.mu);
  auto take_ready = [&] {
    while (!state.ready.empty() && messages.size() < batch) {
      messages.push_back(std::move(state.ready.front()));
      state.ready.pop_front();
    }
  };
  take_ready();
  if (messages.size() == batch) return messages;

  state.current_reply = state.inbox_prefix + std::to_string(++state.requests_sent);
  state.request_ended = false;
  state.request_error = {};
  state.last_activity = Clock::now();
  const std::string body =
      json::write_pull_request(batch - messages.size(), options.no_wait ? Nanoseconds(0) : options.expires,
                               options.no_wait, options.max_bytes, options.heartbeat);
  lock.unlock();
  if (const std::error_code error =
          state.context->core->publish(state.next_subject, state.current_reply, nullptr, body)) {
    return error;
  }
  lock.lock();
  const Clock::time_point deadline =
      Clock::now() + (options.no_wait ? state.context->options.timeout : options.expires + kExpiryMargin);
  std::error_code error;
  for (;;) {
    take_ready();
    if (messages.size() == batch) break;
    if (state.request_ended) {
      // Deliveries may still be in the same read as the status that ended the request: they were
      // queued before it, so take_ready above already has them.
      error = state.request_error;
      break;
    }
    Clock::time_point wake = deadline;
    if (options.heartbeat.count() > 0) {
      const Clock::time_point heartbeat_due = state.last_activity + 2 * options.heartbeat;
      if (Clock::now() >= heartbeat_due) {
        error = Errc::kMissedHeartbeat;
        break;
      }
      wake = std::min(wake, heartbeat_due);
    }
    if (Clock::now() >= deadline) break;
    state.changed.wait_until(lock, wake);
  }
  state.current_reply.clear();
  if (messages.empty() && error) return error;
  return messages;
}

namespace {

Expected<std::shared_ptr<PullConsumer::State>> bind_pull(const std::shared_ptr<detail::Context>& context,
                                                         std::string_view stream, std::string_view name,
                                                         bool delete_on_close) {
  auto state = std::make_shared<PullConsumer::State>();
  state->context = context;
  state->stream = stream;
  state->name = name;
  state->next_subject =
      context->prefix + "CONSUMER.MSG.NEXT." + std::string(stream) + "." + std::string(name);
  state->inbox_prefix = context->core->new_inbox() + ".";
  // The handler holds the state weakly: the state owns the subscription, which owns the handler.
  std::weak_ptr<PullConsumer::State> weak = state;
  auto sub = context->core->subscribe(
      state->inbox_prefix + "*", {},
      [weak](client::Message message) {
        if (auto locked = weak.lock()) locked->receive(std::move(message));
      },
      0);
  if (!sub) return sub.error();
  state->subscription = client::detail::make_subscription(context->core, std::move(*sub));
  state->delete_on_close = delete_on_close;
  return state;
}

}  // namespace

Expected<PullConsumer> JetStream::pull_consumer(std::string_view stream, std::string_view consumer) {
  if (!detail::is_valid_name(stream) || !detail::is_valid_name(consumer)) return Errc::kInvalidName;
  Expected<ConsumerInfo> info = consumer_info(stream, consumer);
  if (!info) return info.error();
  if (!info->config.deliver_subject.empty()) return client::Errc::kInvalidArgument;
  auto state = bind_pull(context_, stream, consumer, false);
  if (!state) return state.error();
  return PullConsumer(std::move(*state));
}

Expected<PullConsumer> JetStream::create_pull_consumer(std::string_view stream,
                                                       const ConsumerConfig& config) {
  if (!config.deliver_subject.empty()) return client::Errc::kInvalidArgument;
  Expected<ConsumerInfo> info = add_consumer(stream, config);
  if (!info) return info.error();
  const bool ephemeral = config.durable_name.empty() && config.name.empty();
  auto state = bind_pull(context_, stream, info->name, ephemeral);
  if (!state) return state.error();
  return PullConsumer(std::move(*state));
}

}  // namespace tern::client::jetstream
