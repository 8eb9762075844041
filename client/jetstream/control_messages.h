// The control messages a push consumer's deliver subject carries besides deliveries: idle heartbeats
// and flow-control requests (status 100), which the library answers and never hands to a handler.
#pragma once

#include <optional>
#include <string_view>

#include "client/jetstream/context.h"
#include "client/message.h"

namespace tern::client::jetstream::detail {

enum class ControlKind : std::uint8_t { kNone, kHeartbeat, kFlowControl };

// Recognises a control message and answers a flow-control request (an empty publish to its reply
// subject; a heartbeat that carries a `$JS.FC` reply is answered too, as nats.go does, since the server
// sends one when a flow-control reply went missing). Returns kNone for a delivery.
ControlKind answer_control_message(const Context& context, const client::Message& message);

// For a heartbeat: its Nats-Last-Consumer header, the consumer sequence the server last delivered.
std::optional<std::uint64_t> last_consumer_sequence(const client::Message& heartbeat);

// Asks the server to delete a consumer, without waiting for the answer.
void send_consumer_delete(const Context& context, std::string_view stream, std::string_view consumer);

}  // namespace tern::client::jetstream::detail
