// Publishing to streams: the PubAck of a synchronous publish, and the bounded window of asynchronous
// ones.
#include <future>

#include "client/detail/core.h"
#include "client/jetstream/context.h"
#include "client/jetstream/json_codec.h"

namespace tern::client::jetstream {
namespace {

// The user's headers plus the expectation headers of `options`; nullopt when there are none at all.
std::optional<Headers> publish_headers(const Headers* user, const PublishOptions& options) {
  std::optional<Headers> headers;
  auto set = [&](const char* key, std::string value) {
    if (!headers) headers = user != nullptr ? *user : Headers();
    headers->set(key, std::move(value));
  };
  if (!options.msg_id.empty()) set("Nats-Msg-Id", options.msg_id);
  if (!options.expected_stream.empty()) set("Nats-Expected-Stream", options.expected_stream);
  if (options.expected_last_sequence) {
    set("Nats-Expected-Last-Sequence", std::to_string(*options.expected_last_sequence));
  }
  if (options.expected_last_subject_sequence) {
    set("Nats-Expected-Last-Subject-Sequence", std::to_string(*options.expected_last_subject_sequence));
  }
  if (!options.expected_last_msg_id.empty()) set("Nats-Expected-Last-Msg-Id", options.expected_last_msg_id);
  if (!headers && user != nullptr && !user->empty()) headers = *user;
  return headers;
}

Expected<PubAck> read_pub_ack(Expected<client::Message> reply) {
  if (!reply) {
    if (reply.error() == client::Errc::kNoResponders) return Errc::kNoStreamResponse;
    return reply.error();
  }
  return json::parse_pub_ack(reply->data);
}

std::chrono::milliseconds timeout_of(const detail::Context& context, const PublishOptions& options) {
  return options.timeout.count() > 0 ? options.timeout : context.options.timeout;
}

// Takes a place in the asynchronous window, waiting up to stall_wait for one when `may_wait`.
std::error_code acquire_window_slot(detail::Context& context, bool may_wait) {
  std::unique_lock lock(context.window_mu);
  const std::size_t limit = std::max<std::size_t>(context.options.max_pending_acks, 1);
  if (context.pending_acks >= limit) {
    if (!may_wait || !context.window_changed.wait_for(lock, context.options.stall_wait,
                                                      [&] { return context.pending_acks < limit; })) {
      return make_error_code(Errc::kTooManyPendingAcks);
    }
  }
  ++context.pending_acks;
  return {};
}

// Wakes waiting publishers only when the window has drained to half (or is empty, for
// wait_for_pending_acks): woken at every PubAck, a publisher would sleep and wake once per message, two
// thread switches each, where a half-drained window lets it send a burst.
void release_window_slot(detail::Context& context) {
  bool wake = false;
  {
    std::lock_guard lock(context.window_mu);
    --context.pending_acks;
    const std::size_t limit = std::max<std::size_t>(context.options.max_pending_acks, 1);
    wake = context.pending_acks == 0 || context.pending_acks == limit / 2;
  }
  if (wake) context.window_changed.notify_all();
}

// Sends an asynchronous publish whose window slot is taken; `complete(context, outcome)` runs exactly
// once, on the I/O thread (or here when nothing could be sent), before the slot is given back. It is
// captured as it is, so that the request holds one callable and a publish allocates it once.
template <typename Complete>
void send_async(const std::shared_ptr<detail::Context>& context, std::string_view subject,
                const Headers* headers, std::string_view data, const PublishOptions& options,
                Complete complete) {
  const std::optional<Headers> all_headers = publish_headers(headers, options);
  context->core->request(
      subject, all_headers ? &*all_headers : nullptr, data, timeout_of(*context, options),
      [context, complete = std::move(complete)](Expected<client::Message> reply) mutable {
        // The place is given back after the completion ran, so that wait_for_pending_acks returns only
        // once every handler has.
        complete(*context, read_pub_ack(std::move(reply)));
        release_window_slot(*context);
      },
      false);
}

}  // namespace

Expected<PubAck> JetStream::publish(std::string_view subject, std::string_view data,
                                    const PublishOptions& options) {
  const std::optional<Headers> headers = publish_headers(nullptr, options);
  return read_pub_ack(
      context_->request(subject, headers ? &*headers : nullptr, data, timeout_of(*context_, options)));
}

Expected<PubAck> JetStream::publish(std::string_view subject, const Headers& headers, std::string_view data,
                                    const PublishOptions& options) {
  const std::optional<Headers> all_headers = publish_headers(&headers, options);
  return read_pub_ack(context_->request(subject, all_headers ? &*all_headers : nullptr, data,
                                        timeout_of(*context_, options)));
}

std::future<Expected<PubAck>> JetStream::publish_async(std::string_view subject, std::string_view data,
                                                       const PublishOptions& options) {
  auto promise = std::make_shared<std::promise<Expected<PubAck>>>();
  std::future<Expected<PubAck>> future = promise->get_future();
  if (const std::error_code error = acquire_window_slot(*context_, !context_->core->on_io_thread())) {
    promise->set_value(error);
    return future;
  }
  send_async(context_, subject, nullptr, data, options,
             [promise](detail::Context&, Expected<PubAck> ack) { promise->set_value(std::move(ack)); });
  return future;
}

void JetStream::publish_async(std::string_view subject, const Headers& headers, std::string_view data,
                              const PublishOptions& options, PubAckHandler handler) {
  if (!handler)
    throw std::invalid_argument("tern::client::jetstream::JetStream::publish_async: empty handler");
  if (const std::error_code error = acquire_window_slot(*context_, !context_->core->on_io_thread())) {
    handler(error);
    return;
  }
  const Headers* user_headers = headers.empty() ? nullptr : &headers;
  send_async(context_, subject, user_headers, data, options,
             [handler = std::move(handler)](detail::Context& context, Expected<PubAck> ack) {
               // The handler is user code: on the I/O thread it runs under dispatch, and not at all once
               // the Client is gone.
               if (context.core->on_io_thread()) {
                 context.core->dispatch([&] { handler(std::move(ack)); });
               } else {
                 handler(std::move(ack));
               }
             });
}

std::error_code JetStream::wait_for_pending_acks(std::chrono::milliseconds timeout) {
  if (context_->core->on_io_thread()) return client::Errc::kWouldDeadlock;
  std::unique_lock lock(context_->window_mu);
  if (!context_->window_changed.wait_for(lock, timeout, [&] { return context_->pending_acks == 0; })) {
    return client::Errc::kTimeout;
  }
  return {};
}

std::size_t JetStream::pending_acks() const {
  std::lock_guard lock(context_->window_mu);
  return context_->pending_acks;
}

}  // namespace tern::client::jetstream
