#include "server/client_connection.h"

#include <cstring>

#include "protocol/frames.h"
#include "protocol/info.h"
#include "protocol/subject.h"
#include "server/message_router.h"
#include "server/server.h"

namespace tern::server {

namespace {

// How old a round-trip measurement may be before a PING is sent even to a busy client.
constexpr auto kRttRefresh = std::chrono::hours(1);

}  // namespace

std::string_view close_reason_text(CloseReason reason) noexcept {
  switch (reason) {
    case CloseReason::kClientClosed:
      return "Client Closed";
    case CloseReason::kReadError:
      return "Read Error";
    case CloseReason::kWriteError:
      return "Write Error";
    case CloseReason::kProtocolViolation:
      return "Protocol Violation";
    case CloseReason::kParseError:
      return "Parse Error";
    case CloseReason::kAuthenticationTimeout:
      return "Authentication Timeout";
    case CloseReason::kAuthorizationViolation:
      return "Authorization Violation";
    case CloseReason::kMaxPayloadExceeded:
      return "Maximum Message Payload Exceeded";
    case CloseReason::kMaxControlLineExceeded:
      return "Maximum Control Line Exceeded";
    case CloseReason::kMaxConnectionsExceeded:
      return "Maximum Connections Exceeded";
    case CloseReason::kBadClientProtocolVersion:
      return "Bad Client Protocol Version";
    case CloseReason::kNoRespondersRequiresHeaders:
      return "No Responders Requires Headers";
    case CloseReason::kStaleConnection:
      return "Stale Connection";
    case CloseReason::kSlowConsumerPendingBytes:
      return "Slow Consumer (Pending Bytes)";
    case CloseReason::kSlowConsumerWriteDeadline:
      return "Slow Consumer (Write Deadline)";
    case CloseReason::kServerShutdown:
      return "Server Shutdown";
  }
  return "Unknown";
}

ClientConnection::ClientConnection(Server& server, std::uint64_t cid)
    : server_(server),
      cid_(cid),
      parser_(protocol::Direction::kFromClient,
              protocol::ParserLimits{static_cast<std::size_t>(server.options().max_control_line),
                                     server.options().max_payload}),
      out_(server.chunk_pool()) {
  tcp_.data = this;
  timer_.data = this;
  server_loop_ = server.loop();
  write_req_.data = this;
}

ClientConnection::~ClientConnection() = default;

int ClientConnection::accept_from(uv_stream_t* listener) noexcept {
  // The timer first: it cannot fail, so "the tcp handle is open" implies "the timer is open".
  uv_timer_init(server_.loop(), &timer_);
  ++open_handles_;
  int rc = uv_tcp_init(server_.loop(), &tcp_);
  if (rc != 0) return rc;
  tcp_open_ = true;
  ++open_handles_;
  rc = uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_));
  if (rc != 0) return rc;
  uv_tcp_nodelay(&tcp_, 1);

  sockaddr_storage peer{};
  int len = sizeof peer;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    char ip[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
      uv_ip6_name(in6, ip, sizeof ip);
      remote_port_ = ntohs(in6->sin6_port);
    } else {
      const auto* in4 = reinterpret_cast<const sockaddr_in*>(&peer);
      uv_ip4_name(in4, ip, sizeof ip);
      remote_port_ = ntohs(in4->sin_port);
    }
    remote_ip_ = ip;
  }
  update_ident();
  return 0;
}

void ClientConnection::update_ident() {
  ident_ = client_ident_with_name(client_ident(remote_ip_ + ":" + std::to_string(remote_port_), cid_),
                                  connect_.version, connect_.lang, connect_.name);
}

void ClientConnection::start() noexcept {
  const auto now = Clock::now();
  last_activity_ms_ = uv_now(server_.loop());
  awaiting_auth_ = server_.auth_required();
  parser_.set_require_connect(awaiting_auth_);
  parser_.set_headers_allowed(false);
  if (awaiting_auth_) auth_deadline_ = now + server_.options().authorization.timeout;
  // Until CONNECT, the full interval; CONNECT moves the first PING much closer (finish_connect).
  next_ping_ = now + server_.options().ping_interval;

  send_info();
  uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), on_alloc, on_read);
  arm_timer();
}

void ClientConnection::refuse_max_connections() noexcept {
  send_info();
  send_err("maximum connections exceeded");
  close(CloseReason::kMaxConnectionsExceeded);
}

void ClientConnection::send_info() noexcept {
  queue_outbound(server_.info_line(cid_, remote_ip_));
}

void ClientConnection::send_err(std::string_view text) noexcept {
  std::string line;
  protocol::append_err(line, text);
  server_.log().trace_out(ident_, "-ERR", std::string_view(line).substr(5, line.size() - 7));
  queue_outbound(line);
}

// ---- Reading --------------------------------------------------------------------------------------

void ClientConnection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  *buf = owner(handle)->server_.read_buffer();
}

void ClientConnection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  ClientConnection* conn = owner(stream);
  if (nread > 0) {
    conn->server_.note_read(static_cast<std::size_t>(nread));
    try {
      conn->process_input(std::string_view(buf->base, static_cast<std::size_t>(nread)));
    } catch (const std::exception& e) {
      // Only allocation can throw on this path; the connection cannot go on consistently.
      conn->server_.log().error(conn->ident_ + " - " + e.what());
      conn->close(CloseReason::kProtocolViolation);
    }
  } else if (nread < 0) {
    conn->close(nread == UV_EOF ? CloseReason::kClientClosed : CloseReason::kReadError);
  }
}

void ClientConnection::process_input(std::string_view bytes) {
  if (closing_) return;
  parser_.feed(bytes);
  protocol::Op op;
  for (;;) {
    const auto status = parser_.next(op);
    if (status == protocol::ParseStatus::kNeedMore) return;
    if (status == protocol::ParseStatus::kError) {
      process_parse_error();
      return;
    }
    process_op(op);
    if (closing_) return;
    if (auth_work_ != nullptr) {
      // Authentication continues off the loop; keep the rest of this read for afterwards.
      deferred_input_.assign(parser_.unconsumed());
      return;
    }
  }
}

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
  if (server_.log().trace_enabled()) server_.log().trace_in_payload(ident_, op.payload);
  ++in_msgs_;
  in_bytes_ += op.payload.size();
  auto& stats = server_.stats();
  ++stats.in_msgs;
  stats.in_bytes += op.payload.size();
  // The pedantic check reports, but the message is still routed, as nats-server does.
  if (connect_.pedantic && !protocol::is_valid_literal_subject(op.subject))
    send_err("Invalid Publish Subject");
  if (connect_.verbose) queue_outbound(protocol::kOkFrame);
  MessageRouter router(server_, *this);
  router.route(op);
}

void ClientConnection::process_sub(const protocol::Op& op) {
  note_activity();
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
  sub->client = this;
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
  if (connect_.verbose) queue_outbound(protocol::kOkFrame);
}

void ClientConnection::process_unsub(const protocol::Op& op) {
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

void ClientConnection::process_ping() {
  note_activity();
  pong_sent_ = true;
  queue_outbound(protocol::kPongFrame);
  server_.log().trace_out(ident_, "PONG");
}

void ClientConnection::process_pong() {
  pings_out_ = 0;
  rtt_measured_at_ = Clock::now();
}

void ClientConnection::send_no_responders(std::string_view reply) {
  // The status goes to the publisher's own plain subscription that the reply subject reaches.
  const Subscription* target = nullptr;
  subs_.for_each([&](const Subscription& sub) {
    if (target == nullptr && sub.queue.empty() && protocol::subject_matches(sub.subject, reply))
      target = &sub;
  });
  if (target == nullptr) return;
  std::string frame = "HMSG ";
  frame.append(reply).append(" ").append(target->sid).append(" 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  queue_outbound(frame);
}

// ---- Keep-alive and authentication timeout -----------------------------------------------------

void ClientConnection::arm_timer() noexcept {
  if (handles_closing_) return;
  auto due = next_ping_;
  if (awaiting_auth_ && auth_deadline_ < due) due = auth_deadline_;
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count();
  uv_timer_start(&timer_, on_timer, static_cast<std::uint64_t>(std::max<std::int64_t>(delay, 0)), 0);
}

void ClientConnection::on_timer(uv_timer_t* timer) noexcept {
  owner(timer)->on_timer_fired();
}

void ClientConnection::on_timer_fired() noexcept {
  if (closing_) return;
  const auto now = Clock::now();
  if (awaiting_auth_ && now >= auth_deadline_) {
    send_err("Authentication Timeout");
    server_.log().client_error(ident_, "Authentication Timeout");
    close(CloseReason::kAuthenticationTimeout);
    return;
  }
  if (now >= next_ping_) {
    const auto interval = server_.options().ping_interval;
    // Recent traffic from the client proves it alive; a PING is still sent until one round trip has
    // been measured, as nats-server does.
    // Recent traffic from the client proves it alive, once a round trip is known (CONNECT counts as
    // one) and is less than an hour old; otherwise the PING goes out regardless, as in nats-server.
    const bool need_rtt = rtt_measured_at_ == Clock::time_point{} || now - rtt_measured_at_ > kRttRefresh;
    const auto since_activity = std::chrono::milliseconds(uv_now(server_.loop()) - last_activity_ms_);
    if (!need_rtt && since_activity < interval) {
      if (server_.log().debug_enabled())
        server_.log().debug(ident_ + " - Delaying PING due to client activity");
    } else if (pings_out_ + 1 > server_.options().ping_max) {
      send_err("Stale Connection");
      server_.log().client_debug(ident_, "Stale Client Connection - Closing");
      close(CloseReason::kStaleConnection);
      return;
    } else {
      ++pings_out_;
      ping_sent_at_ = now;
      queue_outbound(protocol::kPingFrame);
      server_.log().trace_out(ident_, "PING");
    }
    next_ping_ = now + interval;
  }
  arm_timer();
}

// ---- Closing -------------------------------------------------------------------------------------

void ClientConnection::notify_lame_duck() noexcept {
  if (closing_ || !connect_received_ || connect_.protocol < 1 || !pong_sent_) return;
  try {
    queue_outbound(server_.info_line(cid_, remote_ip_, /*lame_duck=*/true));
  } catch (const std::bad_alloc&) {
    close(CloseReason::kServerShutdown);
  }
}

void ClientConnection::begin_shutdown() noexcept {
  if (closing_) return;
  // A client still authenticating has nothing queued worth waiting for.
  if (auth_work_ != nullptr) {
    close(CloseReason::kServerShutdown);
    return;
  }
  draining_ = true;
  if (tcp_open_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  uv_timer_stop(&timer_);
  if (out_.empty() && write_in_flight_ == 0) {
    close(CloseReason::kServerShutdown);
  } else if (!in_flush_list) {
    server_.schedule_flush(this);
  }
}

void ClientConnection::close(CloseReason reason) noexcept {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  if (tcp_open_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  // No message may reach this connection from now on.
  subs_.for_each([&](Subscription& sub) { server_.sublist().remove(&sub); });
  // A bcrypt check still waiting for a pool thread is dropped, so that shutdown need not wait for it;
  // one already running finishes and finds the connection closing.
  if (auth_work_ != nullptr) uv_cancel(reinterpret_cast<uv_req_t*>(&auth_work_->req));
  if (server_.log().debug_enabled()) {
    server_.log().client_debug(
        ident_, std::string("Client connection closed: ") + std::string(close_reason_text(reason)));
  }
  server_.schedule_close(this);
}

void ClientConnection::close_handles() noexcept {
  if (handles_closing_) return;
  // A last try for what is queued, such as the -ERR that explains the close; never for a slow
  // consumer, whose queue is what got it closed.
  const bool slow = close_reason_ == CloseReason::kSlowConsumerPendingBytes ||
                    close_reason_ == CloseReason::kSlowConsumerWriteDeadline;
  if (write_in_flight_ == 0 && !out_.empty() && !slow) {
    uv_buf_t buffers[kMaxWriteBuffers];
    std::size_t total = 0;
    const std::size_t count = out_.gather(buffers, kMaxWriteBuffers, kMaxWriteBatch, total);
    uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), buffers, static_cast<unsigned>(count));
  }
  handles_closing_ = true;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
  if (tcp_open_) uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
}

void ClientConnection::on_close(uv_handle_t* handle) noexcept {
  owner(handle)->release_reference();
}

void ClientConnection::release_reference() noexcept {
  if (--open_handles_ > 0) return;
  out_.clear();
  server_.forget(this);
  delete this;
}

}  // namespace tern::server
