// Push consumers: the deliver subject's subscription, with heartbeats and flow control answered here and
// only deliveries passed to the handler.
#include <mutex>

#include "client/detail/core.h"
#include "client/jetstream/context.h"
#include "client/jetstream/control_messages.h"

namespace tern::client::jetstream {

struct PushConsumer::State {
  std::shared_ptr<detail::Context> context;
  std::string stream;
  std::string name;
  bool delete_on_close = false;
  JsMessageHandler handler;

  std::mutex mu;
  bool stopped = false;
  Subscription subscription;

  // Stops delivery (waiting for a handler running on another thread) and deletes an ephemeral this
  // handle created. Idempotent.
  void stop() {
    Subscription ending;
    {
      std::lock_guard lock(mu);
      if (stopped) return;
      stopped = true;
      ending = std::move(subscription);
    }
    ending.unsubscribe();
    if (delete_on_close) detail::send_consumer_delete(*context, stream, name);
  }

  // On the I/O thread, under the subscription's dispatch.
  void receive(client::Message message) {
    if (detail::answer_control_message(*context, message) != detail::ControlKind::kNone) return;
    handler(Message(std::move(message), context->core));
  }
};

PushConsumer::PushConsumer(PushConsumer&&) noexcept = default;
PushConsumer& PushConsumer::operator=(PushConsumer&& other) noexcept {
  if (this != &other) {
    if (state_) state_->stop();
    state_ = std::move(other.state_);
  }
  return *this;
}
PushConsumer::~PushConsumer() {
  if (state_) state_->stop();
}

const std::string& PushConsumer::stream() const {
  if (!state_) throw std::logic_error("tern::client::jetstream::PushConsumer: no consumer");
  return state_->stream;
}

const std::string& PushConsumer::name() const {
  if (!state_) throw std::logic_error("tern::client::jetstream::PushConsumer: no consumer");
  return state_->name;
}

Expected<ConsumerInfo> PushConsumer::info() {
  if (!state_) return client::Errc::kInvalidArgument;
  return JetStream(state_->context).consumer_info(state_->stream, state_->name);
}

Expected<PushConsumer> JetStream::subscribe(std::string_view stream, ConsumerConfig config,
                                            JsMessageHandler handler) {
  if (!handler) return client::Errc::kInvalidArgument;
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  auto state = std::make_shared<PushConsumer::State>();
  state->context = context_;
  state->stream = stream;
  state->handler = std::move(handler);
  if (config.deliver_subject.empty()) config.deliver_subject = context_->core->new_inbox();
  // Subscribe first, so that the consumer finds interest on its deliver subject from the start.
  std::weak_ptr<PushConsumer::State> weak = state;
  auto sub = context_->core->subscribe(
      config.deliver_subject, config.deliver_group,
      [weak](client::Message message) {
        if (auto locked = weak.lock()) locked->receive(std::move(message));
      },
      0);
  if (!sub) return sub.error();
  state->subscription = client::detail::make_subscription(context_->core, std::move(*sub));
  Expected<ConsumerInfo> info = add_consumer(stream, config);
  if (!info) {
    state->stop();
    return info.error();
  }
  state->name = info->name;
  state->delete_on_close = config.durable_name.empty() && config.name.empty();
  return PushConsumer(std::move(state));
}

}  // namespace tern::client::jetstream
