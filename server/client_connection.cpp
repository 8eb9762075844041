#include "server/client_connection.h"

#include <cassert>
#include <cstring>
#include <utility>

#include "protocol/frames.h"
#include "protocol/info.h"
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
    : Subscriber(cid),
      server_(server),
      loop_(server.loop()),
      parser_(protocol::Direction::kFromClient,
              protocol::ParserLimits{static_cast<std::size_t>(server.options().max_control_line),
                                     server.options().max_payload}),
      out_(server.chunk_pool()) {
  tcp_.data = this;
  timer_.data = this;
  write_req_.data = this;
  publisher_.id = cid;
}

ClientConnection::~ClientConnection() = default;

int ClientConnection::accept_from(uv_stream_t* listener) noexcept {
  // The timer first: uv_timer_init cannot fail on a live loop, so "the tcp handle is open" implies
  // "the timer is open", and the close path can rely on it.
  int rc = uv_timer_init(loop_, &timer_);
  assert(rc == 0);
  ++open_handles_;
  rc = uv_tcp_init(loop_, &tcp_);
  if (rc != 0) return rc;
  tcp_open_ = true;
  ++open_handles_;
  rc = uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_));
  if (rc != 0) return rc;
  // Small frames go out at once; a failure only costs latency, so it is logged, not fatal.
  if (const int nodelay = uv_tcp_nodelay(&tcp_, 1); nodelay != 0)
    server_.log().debug(std::string("TCP_NODELAY not set: ") + uv_strerror(nodelay));

  sockaddr_storage peer{};
  int len = sizeof peer;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    char ip[INET6_ADDRSTRLEN] = {};
    // The names cannot fail for an address of their own family in a buffer of this size.
    if (peer.ss_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
      rc = uv_ip6_name(in6, ip, sizeof ip);
      remote_port_ = ntohs(in6->sin6_port);
    } else {
      const auto* in4 = reinterpret_cast<const sockaddr_in*>(&peer);
      rc = uv_ip4_name(in4, ip, sizeof ip);
      remote_port_ = ntohs(in4->sin_port);
    }
    if (rc == 0) remote_ip_ = ip;
  }
  update_ident();
  return 0;
}

void ClientConnection::update_ident() {
  ident_ = client_ident_with_name(client_ident(remote_ip_ + ":" + std::to_string(remote_port_), cid()),
                                  connect_.version, connect_.lang, connect_.name);
}

void ClientConnection::start() noexcept {
  const auto now = Clock::now();
  last_activity_ms_ = last_traffic_ms_ = uv_now(loop_);
  started_at_ = std::chrono::system_clock::now();
  info_sent_at_ = now;
  const bool auth = server_.auth_required();
  parser_.set_require_connect(auth);
  parser_.set_headers_allowed(false);
  if (auth) auth_deadline_ = now + server_.options().authorization.timeout;
  // Until CONNECT, the full interval; CONNECT moves the first PING much closer (finish_connect).
  next_ping_ = now + server_.options().ping_interval;

  send_info();
  if (auth) {
    update_reading();
  } else {
    set_state(ConnectionState::kOpen);
  }
  arm_timer();
}

void ClientConnection::refuse_max_connections() noexcept {
  send_info();
  send_err("maximum connections exceeded");
  close(CloseReason::kMaxConnectionsExceeded);
}

// ---- State ---------------------------------------------------------------------------------------

void ClientConnection::set_state(ConnectionState next) noexcept {
  assert(may_move(state_, next));
  state_ = next;
  update_reading();
}

void ClientConnection::update_reading() noexcept {
  const bool want = tcp_open_ && reads_in(state_);
  if (want == reading_) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (want) {
    if (const int rc = uv_read_start(stream, on_alloc, on_read); rc != 0) {
      server_.log().client_error(ident_, std::string("read start failed: ") + uv_strerror(rc));
      close(CloseReason::kReadError);
      return;
    }
  } else {
    // uv_read_stop cannot fail on a TCP handle (it returns 0 for every stream type but a closed pipe).
    [[maybe_unused]] const int rc = uv_read_stop(stream);
    assert(rc == 0);
  }
  reading_ = want;
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
    conn->stall_if_congested();
  } else if (nread < 0) {
    conn->close(nread == UV_EOF ? CloseReason::kClientClosed : CloseReason::kReadError);
  }
}

void ClientConnection::process_input(std::string_view bytes) {
  if (closing()) return;
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
    if (closing()) return;
    if (state_ == ConnectionState::kAuthenticating) {
      // Authentication continues off the loop; keep the rest of this read for afterwards.
      deferred_input_.assign(parser_.take_unconsumed());
      return;
    }
  }
}

// ---- Backpressure ----------------------------------------------------------------------------------

void ClientConnection::stall_if_congested() noexcept {
  const std::uint64_t receiver = std::exchange(stall_on_, 0);
  if (receiver == 0 || state_ != ConnectionState::kOpen) return;
  if (!server_.stall(*this, receiver)) return;
  set_state(ConnectionState::kStalled);
}

void ClientConnection::resume_reading() noexcept {
  if (state_ == ConnectionState::kStalled) set_state(ConnectionState::kOpen);
}

// ---- Monitoring -----------------------------------------------------------------------------------

void ClientConnection::describe(monitor::ConnectionInfo& out, bool with_subscriptions) const {
  out.cid = cid();
  out.ip = remote_ip_;
  out.port = remote_port_;
  out.start = started_at_;
  out.last_activity = server_.system_time_of(last_traffic_ms_);
  out.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(rtt_);
  out.pending_bytes = out_.pending();
  out.in_msgs = counters_.in_msgs;
  out.in_bytes = counters_.in_bytes;
  out.out_msgs = counters_.out_msgs;
  out.out_bytes = counters_.out_bytes;
  out.subscription_count = subs_.size();
  out.name = connect_.name;
  out.lang = connect_.lang;
  out.version = connect_.version;
  out.subscriptions.clear();
  if (with_subscriptions) {
    out.subscriptions.reserve(subs_.size());
    subs_.for_each([&](const Subscription& sub) {
      out.subscriptions.push_back({sub.subject, sub.queue, sub.sid, sub.delivered, sub.max_msgs, cid()});
    });
  }
  if (closing()) out.reason = std::string(close_reason_text(close_reason_));
}

// ---- Keep-alive and authentication timeout -----------------------------------------------------

void ClientConnection::arm_timer() noexcept {
  if (state_ == ConnectionState::kClosed) return;
  auto due = next_ping_;
  const bool awaiting_auth = state_ == ConnectionState::kAwaitingAuth;
  if (awaiting_auth && auth_deadline_ < due) due = auth_deadline_;
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count();
  // uv_timer_start fails only for a closing handle or a null callback, neither of which can be here.
  [[maybe_unused]] const int rc =
      uv_timer_start(&timer_, on_timer, static_cast<std::uint64_t>(std::max<std::int64_t>(delay, 0)), 0);
  assert(rc == 0);
}

void ClientConnection::on_timer(uv_timer_t* timer) noexcept {
  owner(timer)->on_timer_fired();
}

void ClientConnection::on_timer_fired() noexcept {
  if (closing()) return;
  const auto now = Clock::now();
  if (state_ == ConnectionState::kAwaitingAuth && now >= auth_deadline_) {
    send_err("Authentication Timeout");
    server_.log().client_error(ident_, "Authentication Timeout");
    close(CloseReason::kAuthenticationTimeout);
    return;
  }
  if (now >= next_ping_) {
    const auto interval = server_.options().ping_interval;
    // Recent traffic from the client proves it alive, once a round trip is known (CONNECT counts as
    // one) and is less than an hour old; otherwise the PING goes out regardless, as in nats-server.
    const bool need_rtt = rtt_measured_at_ == Clock::time_point{} || now - rtt_measured_at_ > kRttRefresh;
    const auto since_activity = std::chrono::milliseconds(uv_now(loop_) - last_activity_ms_);
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
  if (closing() || !connect_received_ || connect_.protocol < 1 || !pong_sent_) return;
  send_info(/*lame_duck=*/true);
}

void ClientConnection::begin_shutdown() noexcept {
  if (closing() || state_ == ConnectionState::kDraining) return;
  // A client still authenticating has nothing queued worth waiting for.
  if (state_ == ConnectionState::kAuthenticating) {
    close(CloseReason::kServerShutdown);
    return;
  }
  set_state(ConnectionState::kDraining);
  [[maybe_unused]] const int rc = uv_timer_stop(&timer_);
  assert(rc == 0);
  if (out_.empty()) {
    close(CloseReason::kServerShutdown);
  } else {
    server_.schedule_flush(*this);
  }
}

void ClientConnection::close(CloseReason reason) noexcept {
  if (closing()) return;
  set_state(ConnectionState::kClosing);
  close_reason_ = reason;
  // No message may reach this connection from now on.
  subs_.for_each([&](Subscription& sub) { server_.sublist().remove(&sub); });
  // A bcrypt check still waiting for a pool thread is dropped, so that shutdown need not wait for it;
  // one already running finishes (uv_cancel then fails with UV_EBUSY) and finds the connection closing.
  if (auth_work_ != nullptr) {
    const int rc = uv_cancel(reinterpret_cast<uv_req_t*>(&auth_work_->req));
    assert(rc == 0 || rc == UV_EBUSY);
    (void)rc;
  }
  if (server_.log().debug_enabled()) {
    server_.log().client_debug(
        ident_, std::string("Client connection closed: ") + std::string(close_reason_text(reason)));
  }
  server_.connection_closing(*this);
}

void ClientConnection::close_handles() noexcept {
  assert(closing());
  if (state_ == ConnectionState::kClosed) return;
  // A last try for what is queued, such as the -ERR that explains the close; never for a slow
  // consumer, whose queue is what got it closed. What the socket does not take is dropped.
  if (!out_.write_in_flight() && !out_.empty() && !is_slow_consumer(close_reason_) && tcp_open_) {
    uv_buf_t buffers[kMaxWriteBuffers];
    std::size_t total = 0;
    const std::size_t count = out_.gather(buffers, kMaxWriteBuffers, kMaxWriteBatch, total);
    (void)uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), buffers, static_cast<unsigned>(count));
  }
  set_state(ConnectionState::kClosed);
  [[maybe_unused]] const int rc = uv_timer_stop(&timer_);
  assert(rc == 0);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
  if (tcp_open_) uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
}

void ClientConnection::on_close(uv_handle_t* handle) noexcept {
  owner(handle)->release_reference();
}

void ClientConnection::release_reference() noexcept {
  if (--open_handles_ > 0) return;
  out_.discard();
  server_.forget(*this);
  delete this;
}

}  // namespace tern::server
