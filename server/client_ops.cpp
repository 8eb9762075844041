// The ops a client sends: parse errors answered as nats-server answers them, PUB, SUB, UNSUB, PING
// and PONG. CONNECT and authentication are in client_connect.cpp.
#include <cstring>

#include "protocol/frames.h"
#include "protocol/info.h"
#include "protocol/subject.h"
#include "server/client_connection.h"
#include "server/log.h"
#include "server/server.h"

namespace tern::server {

void ClientConnection::process_parse_error() {
  switch (parser_.error()) {
    case protocol::ParseError::kUnknownOperation: {
      send_err("Unknown Protocol Operation");
      // The snippet is quoted, so that a client cannot forge log lines with its bytes.
      std::string text = "Client parser ERROR: proto='";
      append_go_quoted(text, parser_.error_snippet());
      text += "...'";
      server_.log().client_error(ident_, text);
      close(CloseReason::kParseError);
      break;
    }
    case protocol::ParseError::kMaxControlLineExceeded:
      send_err("maximum control line exceeded");
      server_.log().client_error(ident_, "maximum control line exceeded: max_control_line " +
                                             std::to_string(parser_.limits().max_control_line) +
                                             ", Buffer len " + std::to_string(parser_.error_size()));
      close(CloseReason::kMaxControlLineExceeded);
      break;
    case protocol::ParseError::kMaxPayloadExceeded:
      send_err("Maximum Payload Violation");
      server_.log().client_error(ident_, "maximum payload exceeded: " + std::to_string(parser_.error_size()) +
                                             " vs " + std::to_string(parser_.limits().max_payload));
      close(CloseReason::kMaxPayloadExceeded);
      break;
    case protocol::ParseError::kHeadersNotSupported:
      // Closed without an -ERR, as nats-server does.
      server_.log().client_error(ident_, "message headers not supported");
      close(CloseReason::kProtocolViolation);
      break;
    case protocol::ParseError::kBadArguments: {
      // nats-server closes on malformed arguments without an -ERR, and logs why.
      const char* what = "processPub Parse Error";
      switch (parser_.error_op()) {
        case protocol::OpKind::kHpub:
          what = "processHeaderPub Parse Error";
          break;
        case protocol::OpKind::kSub:
          what = "processSub Parse Error";
          break;
        case protocol::OpKind::kUnsub:
          what = "processUnsub Parse Error";
          break;
        default:
          break;
      }
      std::string text = what;
      text.append(": ");
      append_go_quoted(text, parser_.error_snippet());
      server_.log().client_error(ident_, text);
      close(CloseReason::kProtocolViolation);
      break;
    }
    case protocol::ParseError::kAuthorizationViolation:
      send_err("Authorization Violation");
      close(CloseReason::kAuthorizationViolation);
      break;
    case protocol::ParseError::kNone:
      break;
  }
}

void ClientConnection::process_op(const protocol::Op& op) {
  using protocol::OpKind;
  auto& log = server_.log();
  switch (op.kind) {
    case OpKind::kPub:
      if (log.trace_enabled()) log.trace_in(ident_, "PUB", op.arg);
      process_pub(op);
      break;
    case OpKind::kHpub:
      // The parser refuses HPUB on a connection without headers (set_headers_allowed).
      if (log.trace_enabled()) log.trace_in(ident_, "HPUB", op.arg);
      process_pub(op);
      break;
    case OpKind::kSub:
      if (log.trace_enabled()) log.trace_in(ident_, "SUB", op.arg);
      process_sub(op);
      break;
    case OpKind::kUnsub:
      if (log.trace_enabled()) log.trace_in(ident_, "UNSUB", op.arg);
      process_unsub(op);
      break;
    case OpKind::kPing:
      if (log.trace_enabled()) log.trace_in(ident_, "PING", {});
      process_ping();
      break;
    case OpKind::kPong:
      if (log.trace_enabled()) log.trace_in(ident_, "PONG", {});
      process_pong();
      break;
    case OpKind::kConnect:
      process_connect(op);
      break;
    case OpKind::kInfo: {
      // nats-server ignores a client's INFO, but only when it is well-formed JSON.
      protocol::ServerInfo ignored;
      if (!protocol::parse_info(op.arg, ignored)) {
        log.client_error(ident_, "processing INFO: malformed JSON");
        close(CloseReason::kProtocolViolation);
      }
      break;
    }
    case OpKind::kOk:
      // nats-server ignores it from clients.
      break;
    case OpKind::kErr:
      // A client that reports an error is closed, as nats-server does.
      log.client_error(ident_, "Client Error " + std::string(op.arg));
      close(CloseReason::kClientClosed);
      break;
    case OpKind::kMsg:
    case OpKind::kHmsg:
      close(CloseReason::kParseError);
      break;
  }
}

// ---- Ops -----------------------------------------------------------------------------------------

void ClientConnection::process_pub(const protocol::Op& op) {
  note_activity();
  last_traffic_ms_ = last_activity_ms_;
  if (server_.log().trace_enabled()) server_.log().trace_in_payload(ident_, op.payload);
  counters_.count_in(op.payload.size());
  server_.counters().traffic.count_in(op.payload.size());
  server_.counters().in_msg_sizes.count(op.payload.size());
  // The pedantic check reports, but the message is still routed, as nats-server does.
  if (connect_.pedantic && !protocol::is_valid_literal_subject(op.subject))
    send_err("Invalid Publish Subject");
  if (connect_.verbose) queue_outbound(protocol::kOkFrame);
  OwnedSizes sizes;
  const RouteResult routed = server_.route(publisher_, sizes.from_op(op));
  if (routed.deliveries == 0) {
    if (!op.reply.empty() && connect_.no_responders && !closing()) send_no_responders(op.reply);
    return;
  }
  if (routed.congested != nullptr && stall_on_ == 0) stall_on_ = routed.congested->id();
}

void ClientConnection::process_sub(const protocol::Op& op) {
  note_activity();
  last_traffic_ms_ = last_activity_ms_;
  // The limit is checked before the duplicate sid, as in nats-server.
  const auto max_subs = server_.options().max_subscriptions;
  if (max_subs > 0 && static_cast<std::int64_t>(subs_.size()) >= max_subs) {
    send_err("maximum subscriptions exceeded");
    server_.log().client_error(ident_, "maximum subscriptions exceeded");
    return;
  }
  if (subs_.find(op.sid) != nullptr) {
    // nats-server keeps the first subscription of a sid and ignores the later ones.
    if (connect_.verbose) queue_outbound(protocol::kOkFrame);
    return;
  }
  // Queue group names are not validated by nats-server; any argument is a name.
  if (!protocol::is_valid_subscription_subject(op.subject)) {
    send_err("Invalid Subject");
    return;
  }
  auto sub = std::make_unique<Subscription>();
  sub->subscriber = this;
  sub->subject.assign(op.subject);
  sub->queue.assign(op.queue);
  sub->sid.assign(op.sid);
  Subscription* added = sub.get();
  // Recorded before it enters the index, so that a failure in between never leaves the index pointing
  // at a subscription nobody owns.
  subs_.insert(std::move(sub));
  try {
    server_.sublist().insert(added);
  } catch (...) {
    subs_.release(added);
    throw;
  }
  server_.subscription_added(added->subject);
  if (connect_.verbose) queue_outbound(protocol::kOkFrame);
}

void ClientConnection::process_unsub(const protocol::Op& op) {
  last_traffic_ms_ = uv_now(loop_);
  if (Subscription* sub = subs_.find(op.sid); sub != nullptr) {
    const std::int64_t max = op.max_msgs.empty() ? -1 : protocol::parse_size(op.max_msgs);
    if (max > 0 && static_cast<std::uint64_t>(max) > sub->delivered) {
      sub->max_msgs = static_cast<std::uint64_t>(max);
    } else {
      remove_subscription(sub);
    }
  }
  if (connect_.verbose) queue_outbound(protocol::kOkFrame);
}

void ClientConnection::remove_subscription(Subscription* sub) noexcept {
  std::unique_ptr<Subscription> owned = subs_.release(sub);
  if (owned == nullptr) return;
  server_.sublist().remove(sub);
  server_.retire(std::move(owned));
}

void ClientConnection::end_subscription(Subscription& sub) noexcept {
  remove_subscription(&sub);
}

void ClientConnection::process_ping() {
  note_activity();
  pong_sent_ = true;
  queue_outbound(protocol::kPongFrame);
  server_.log().trace_out(ident_, "PONG");
}

void ClientConnection::process_pong() {
  pings_out_ = 0;
  rtt_measured_at_ = Clock::now();
  // A PONG the client sends unasked (or a second one) measures nothing.
  if (ping_sent_at_ != Clock::time_point{}) {
    rtt_ = rtt_measured_at_ - ping_sent_at_;
    ping_sent_at_ = Clock::time_point{};
  }
}

void ClientConnection::send_no_responders(std::string_view reply) {
  // The status goes to the publisher's own plain subscription that the reply subject reaches.
  const Subscription* target = nullptr;
  subs_.for_each([&](const Subscription& sub) {
    if (target == nullptr && sub.queue.empty() && protocol::subject_matches(sub.subject, reply))
      target = &sub;
  });
  if (target == nullptr) return;
  const std::size_t size = protocol::no_responders_size(reply, target->sid);
  char* at = reserve_outbound(size);
  if (at == nullptr) return;
  protocol::write_no_responders(at, reply, target->sid);
  commit_outbound(size);
}

}  // namespace tern::server
