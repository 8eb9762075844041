#include "client/jetstream/control_messages.h"

#include <charconv>

#include "client/detail/core.h"

namespace tern::client::jetstream::detail {
namespace {

constexpr int kControlStatus = 100;

}  // namespace

ControlKind answer_control_message(const Context& context, const client::Message& message) {
  if (!message.has_headers || !message.data.empty() || message.headers.status() != kControlStatus) {
    return ControlKind::kNone;
  }
  const bool flow_control = message.headers.description() == "FlowControl Request";
  if (!message.reply.empty()) context.core->publish(message.reply, {}, nullptr, {});
  return flow_control ? ControlKind::kFlowControl : ControlKind::kHeartbeat;
}

std::optional<std::uint64_t> last_consumer_sequence(const client::Message& heartbeat) {
  const std::optional<std::string_view> text = heartbeat.headers.get("Nats-Last-Consumer");
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

void send_consumer_delete(const Context& context, std::string_view stream, std::string_view consumer) {
  std::string subject = context.prefix;
  subject.append("CONSUMER.DELETE.").append(stream).append(".").append(consumer);
  context.core->publish(subject, {}, nullptr, {});
}

}  // namespace tern::client::jetstream::detail
