// Core on the I/O thread: connection attempts, the handshake, reading and writing, reconnecting and
// closing. Every function here runs on the I/O thread; the libuv callbacks are noexcept trampolines.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "client/detail/core.h"
#include "client/detail/transport.h"
#include "protocol/connect.h"
#include "protocol/frames.h"

namespace tern::client::detail {

void handle_closed_cb(uv_handle_t* handle) noexcept {
  static_cast<Core*>(handle->data)->on_handle_closed();
}

namespace {

constexpr const char* kClientVersion = "0.1.0";

void tcp_closed_cb(uv_handle_t* handle) noexcept {
  auto* transport = static_cast<Transport*>(handle->data);
  Core* core = transport->core;
  core->on_transport_closed(transport);
  delete transport;
  core->on_handle_closed();
}

void alloc_cb(uv_handle_t* handle, std::size_t /*suggested*/, uv_buf_t* buf) noexcept {
  *buf = static_cast<Transport*>(handle->data)->core->read_buffer();
}

void read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* /*buf*/) noexcept {
  auto* transport = static_cast<Transport*>(stream->data);
  transport->core->on_read(transport, nread);
}

void write_cb(uv_write_t* req, int status) noexcept {
  auto* transport = static_cast<Transport*>(req->data);
  transport->core->on_write_done(transport, status);
}

void final_write_cb(uv_write_t* req, int status) noexcept {
  // The tcp handle is closed after its writes complete, so the Core, which counts that handle among
  // its open ones, is still alive here.
  std::unique_ptr<FinalWrite> last(static_cast<FinalWrite*>(req->data));
  if (status == 0) last->core->count_written(last->bytes.size());
}

void shutdown_cb(uv_shutdown_t* req, int /*status*/) noexcept {
  // When the linger timer closed the handle first, libuv cancels the shutdown and calls this from
  // inside that close; the handle must not be closed twice.
  auto* handle = reinterpret_cast<uv_handle_t*>(req->handle);
  if (!uv_is_closing(handle)) uv_close(handle, tcp_closed_cb);
}

void connect_cb(uv_connect_t* req, int status) noexcept {
  auto* transport = static_cast<Transport*>(req->data);
  transport->core->on_tcp_connected(transport, status);
}

void resolved_cb(uv_getaddrinfo_t* req, int status, addrinfo* result) noexcept {
  std::unique_ptr<Resolve> resolve(static_cast<Resolve*>(req->data));
  resolve->core->on_resolved(resolve->attempt, status, result);
}

// Prefers an IPv4 address: servers started for tests listen on 127.0.0.1, and "localhost" may
// resolve to ::1 first.
const sockaddr* pick_address(const addrinfo* result) {
  for (const addrinfo* a = result; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET) return a->ai_addr;
  }
  return result != nullptr ? result->ai_addr : nullptr;
}

uv_stream_t* stream_of(Transport& transport) {
  return reinterpret_cast<uv_stream_t*>(&transport.tcp);
}

}  // namespace

void Core::on_handle_closed() noexcept {
  --open_handles_;
  maybe_release();
}

void Core::maybe_release() {
  if (!handles_closing_ || open_handles_ > 0 || !self_) return;
  // Destroying the last reference may destroy this Core, so it is the very last thing done here.
  std::shared_ptr<Core> last = std::move(self_);
}

void Core::on_wake() noexcept {
  bool close = false;
  bool drain = false;
  bool timer = false;
  {
    std::lock_guard lock(mu_);
    wake_pending_ = false;
    close = close_requested_;
    drain = drain_requested_ && !draining_;
    timer = timer_dirty_;
    timer_dirty_ = false;
  }
  if (close) {
    close_now({});
    return;
  }
  if (timer) rearm_deadline_timer();
  if (drain) begin_drain();
  flush_outbound();
}

void Core::start_attempt() {
  if (state() == State::kClosed) return;
  const ServerUrl& server = pool_.current();
  uv_timer_start(
      &attempt_timer_,
      [](uv_timer_t* timer) noexcept { static_cast<Core*>(timer->data)->on_attempt_timeout(); },
      static_cast<std::uint64_t>(options_.connect_timeout.count()), 0);
  auto* resolve = new Resolve;
  resolve->core = this;
  resolve->attempt = ++attempt_id_;
  resolve->req.data = resolve;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string port = std::to_string(server.port);
  const int rc = uv_getaddrinfo(loop_, &resolve->req, resolved_cb, server.host.c_str(), port.c_str(), &hints);
  if (rc != 0) {
    delete resolve;
    fail_attempt(make_error_code(Errc::kConnectionFailed));
    return;
  }
  ++open_handles_;
}

void Core::on_resolved(std::uint64_t attempt, int status, addrinfo* result) noexcept {
  --open_handles_;
  const sockaddr* address = status == 0 ? pick_address(result) : nullptr;
  if (attempt != attempt_id_ || handles_closing_) {
    if (result != nullptr) uv_freeaddrinfo(result);
    maybe_release();
    return;
  }
  if (address == nullptr) {
    if (result != nullptr) uv_freeaddrinfo(result);
    fail_attempt(make_error_code(Errc::kConnectionFailed));
    return;
  }
  auto* transport = new Transport(this);
  uv_tcp_init(loop_, &transport->tcp);
  transport->tcp.data = transport;
  transport->connect_req.data = transport;
  transport->write_req.data = transport;
  ++open_handles_;
  transport_ = transport;
  direct_.clear();
  uv_tcp_nodelay(&transport->tcp, 1);
  const int rc = uv_tcp_connect(&transport->connect_req, &transport->tcp, address, connect_cb);
  uv_freeaddrinfo(result);
  if (rc != 0) fail_attempt(make_error_code(Errc::kConnectionFailed));
}

void Core::on_tcp_connected(Transport* transport, int status) noexcept {
  if (transport->closing) return;
  if (status != 0) {
    fail_attempt(make_error_code(Errc::kConnectionFailed));
    return;
  }
  transport->phase = Transport::Phase::kAwaitInfo;
  if (uv_read_start(stream_of(*transport), alloc_cb, read_cb) != 0) {
    fail_attempt(make_error_code(Errc::kConnectionFailed));
  }
}

void Core::on_attempt_timeout() noexcept {
  if (transport_ != nullptr && transport_->phase == Transport::Phase::kConnected) return;
  fail_attempt(make_error_code(Errc::kTimeout));
}

void Core::fail_attempt(std::error_code error) {
  uv_timer_stop(&attempt_timer_);
  ++attempt_id_;  // A resolution still in flight now belongs to no attempt.
  abort_transport();
  if (state() == State::kClosed) return;
  ++failed_attempts_;
  if (!ever_connected_) {
    // The first connection tries each server once, then gives up with the last cause.
    if (static_cast<std::size_t>(failed_attempts_) >= pool_.size()) {
      close_now(error);
      return;
    }
    pool_.advance();
    start_attempt();
    return;
  }
  if (options_.max_reconnect_attempts >= 0 && failed_attempts_ > options_.max_reconnect_attempts) {
    close_now(make_error_code(Errc::kConnectionFailed));
    return;
  }
  pool_.advance();
  schedule_reconnect();
}

void Core::schedule_reconnect() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto delay = reconnect_delay(options_, failed_attempts_, pool_.size(), unit(jitter_random_));
  uv_timer_start(
      &retry_timer_, [](uv_timer_t* timer) noexcept { static_cast<Core*>(timer->data)->on_retry_timer(); },
      static_cast<std::uint64_t>(delay.count()), 0);
}

void Core::on_retry_timer() noexcept {
  start_attempt();
}

void Core::on_read(Transport* transport, ssize_t nread) noexcept {
  if (transport->closing || transport != transport_) return;
  if (nread < 0) {
    connection_lost(make_error_code(Errc::kConnectionLost));
    return;
  }
  transport->parser.feed(std::string_view(read_buffer_.get(), static_cast<std::size_t>(nread)));
  protocol::Op op;
  while (!transport->closing) {
    const protocol::ParseStatus status = transport->parser.next(op);
    if (status == protocol::ParseStatus::kNeedMore) break;
    if (status == protocol::ParseStatus::kError) {
      const std::string snippet(transport->parser.error_snippet());
      dispatch([&] {
        if (options_.events.on_error)
          options_.events.on_error(make_error_code(Errc::kProtocolError), snippet);
      });
      connection_lost(make_error_code(Errc::kProtocolError));
      return;
    }
    process_op(*transport, op);
  }
  flush_outbound();
}

void Core::process_op(Transport& transport, const protocol::Op& op) {
  switch (op.kind) {
    case protocol::OpKind::kInfo:
      process_info(transport, op.arg);
      break;
    case protocol::OpKind::kMsg:
    case protocol::OpKind::kHmsg:
      if (transport.phase == Transport::Phase::kConnected) process_msg(op);
      break;
    case protocol::OpKind::kPing:
      direct_.append(protocol::kPongFrame);
      break;
    case protocol::OpKind::kPong:
      if (transport.phase == Transport::Phase::kAwaitPong) {
        complete_handshake();
      } else {
        process_pong();
      }
      break;
    case protocol::OpKind::kErr:
      process_err(transport, op.arg);
      break;
    default:
      break;  // +OK, and ops a server never sends.
  }
}

void Core::process_info(Transport& transport, std::string_view json) {
  protocol::ServerInfo info;
  if (!protocol::parse_info(json, info)) {
    if (transport.phase != Transport::Phase::kConnected) fail_attempt(make_error_code(Errc::kProtocolError));
    return;
  }
  pool_.merge_connect_urls(info.connect_urls);
  // A server never delivers a message larger than the max_payload it announces; the parser rejects
  // one rather than buffering whatever size a faulty server claims.
  transport.parser.set_limits(
      protocol::ParserLimits{kClientMaxControlLine, info.max_payload > 0 ? info.max_payload : 0});
  {
    std::lock_guard lock(mu_);
    max_payload_ = info.max_payload;
    info_ = std::move(info);
  }
  if (transport.phase != Transport::Phase::kAwaitInfo) return;
  const ServerUrl& server = pool_.current();
  protocol::ConnectOptions connect;
  connect.verbose = options_.verbose;
  connect.pedantic = options_.pedantic;
  connect.echo = options_.echo;
  connect.headers = options_.headers;
  // nats-server rejects no_responders without headers.
  connect.no_responders = options_.no_responders && options_.headers;
  connect.protocol = 1;
  connect.name = options_.name;
  connect.lang = "C++";
  connect.version = kClientVersion;
  const bool url_has_credentials = !server.user.empty() || !server.token.empty();
  connect.user = url_has_credentials ? server.user : options_.user;
  connect.pass = url_has_credentials ? server.password : options_.password;
  connect.auth_token = url_has_credentials ? server.token : options_.token;
  protocol::append_connect(direct_, connect);
  direct_.append(protocol::kPingFrame);
  transport.phase = Transport::Phase::kAwaitPong;
}

void Core::complete_handshake() {
  uv_timer_stop(&attempt_timer_);
  transport_->phase = Transport::Phase::kConnected;
  failed_attempts_ = 0;
  pings_out_ = 0;
  bool reconnected = false;
  {
    std::lock_guard lock(mu_);
    // Subscriptions first, then what was published meanwhile, so replies find their inbox.
    for (const auto& [sid, sub] : subs_) {
      sub->delivered_base = sub->delivered;
      append_sub_frames_locked(direct_, *sub);
    }
    direct_.append(outbound_);
    outbound_.clear();
    pings_in_outbound_ = 0;
    state_ = State::kConnected;
    connected_url_ = pool_.current().redacted();
    reconnected = ever_connected_;
    if (reconnected) ++stats_.reconnects;
  }
  state_changed_.notify_all();
  ever_connected_ = true;
  flush_outbound();
  if (options_.ping_interval.count() > 0) {
    const auto interval = static_cast<std::uint64_t>(options_.ping_interval.count());
    uv_timer_start(
        &ping_timer_, [](uv_timer_t* timer) noexcept { static_cast<Core*>(timer->data)->on_ping_timer(); },
        interval, interval);
  }
  if (reconnected) {
    dispatch([&] {
      if (options_.events.on_reconnected) options_.events.on_reconnected();
    });
  } else {
    set_initial_result({});
    dispatch([&] {
      if (options_.events.on_connected) options_.events.on_connected();
    });
  }
}

void Core::on_ping_timer() noexcept {
  if (transport_ == nullptr || transport_->phase != Transport::Phase::kConnected) return;
  if (pings_out_ >= options_.max_pings_out) {
    dispatch([&] {
      if (options_.events.on_error) options_.events.on_error(make_error_code(Errc::kStaleConnection), {});
    });
    connection_lost(make_error_code(Errc::kStaleConnection));
    return;
  }
  ++pings_out_;
  std::lock_guard lock(mu_);
  queue_ping_locked(nullptr, false, std::nullopt);
}

void Core::flush_outbound() {
  Transport* transport = transport_;
  if (transport == nullptr || transport->closing || transport->write_in_flight) return;
  std::string& writing = transport->writing;
  writing.clear();
  writing.swap(direct_);
  if (transport->phase == Transport::Phase::kConnected) {
    std::lock_guard lock(mu_);
    if (writing.empty()) {
      writing.swap(outbound_);
    } else {
      writing.append(outbound_);
      outbound_.clear();
    }
    pings_in_outbound_ = 0;
    in_flight_bytes_ = writing.size();
  }
  if (writing.empty()) return;
  const uv_buf_t buf = uv_buf_init(writing.data(), static_cast<unsigned>(writing.size()));
  if (uv_write(&transport->write_req, stream_of(*transport), &buf, 1, write_cb) != 0) {
    connection_lost(make_error_code(Errc::kConnectionLost));
    return;
  }
  transport->write_in_flight = true;
}

void Core::on_write_done(Transport* transport, int status) noexcept {
  transport->write_in_flight = false;
  // Counted before flush_outbound replaces in_flight_bytes_, so that a written byte is never missing
  // from both.
  if (status == 0) count_written(transport->writing.size());
  if (transport->closing || transport != transport_) return;
  if (status != 0) {
    connection_lost(make_error_code(Errc::kConnectionLost));
    return;
  }
  flush_outbound();
}

void Core::count_written(std::size_t bytes) noexcept {
  std::lock_guard lock(mu_);
  stats_.written_bytes += bytes;
}

void Core::abort_transport() {
  Transport* transport = transport_;
  if (transport == nullptr) return;
  transport_ = nullptr;
  transport->closing = true;
  // The link is dead or was never up: nothing queued on it can still be delivered, so the handle is
  // closed at once. libuv cancels the pending connect and writes before the close callback runs.
  uv_close(reinterpret_cast<uv_handle_t*>(&transport->tcp), tcp_closed_cb);
}

bool Core::close_transport_gracefully(std::string final_bytes) {
  Transport* transport = transport_;
  if (transport == nullptr) return false;
  if (transport->phase != Transport::Phase::kConnected) {
    abort_transport();
    return false;
  }
  transport_ = nullptr;
  transport->closing = true;
  uv_stream_t* stream = stream_of(*transport);
  uv_read_stop(stream);
  if (!final_bytes.empty()) {
    auto* last = new FinalWrite;
    last->bytes = std::move(final_bytes);
    last->core = this;
    last->req.data = last;
    const uv_buf_t buf = uv_buf_init(last->bytes.data(), static_cast<unsigned>(last->bytes.size()));
    if (uv_write(&last->req, stream, &buf, 1, final_write_cb) != 0) delete last;
  }
  // A shutdown lets queued writes reach the server before the close, but it completes only once they
  // are written, which never happens when the server stops reading. The caller bounds the wait.
  if (uv_shutdown(&transport->shutdown_req, stream, shutdown_cb) == 0) {
    lingering_ = transport;
    return true;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&transport->tcp), tcp_closed_cb);
  return false;
}

void Core::on_transport_closed(Transport* transport) noexcept {
  if (transport != lingering_) return;
  lingering_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&linger_timer_), handle_closed_cb);
}

void Core::on_linger_timeout() noexcept {
  // The server did not take the last bytes in time; they are given up so that close() and ~Client
  // return. Closing the handle cancels the shutdown and the writes, and on_transport_closed follows.
  if (lingering_ == nullptr) return;
  auto* handle = reinterpret_cast<uv_handle_t*>(&lingering_->tcp);
  if (!uv_is_closing(handle)) uv_close(handle, tcp_closed_cb);
}

void Core::connection_lost(std::error_code reason) {
  if (transport_ == nullptr) return;
  if (transport_->phase != Transport::Phase::kConnected) {
    fail_attempt(reason);
    return;
  }
  abort_transport();
  uv_timer_stop(&ping_timer_);
  bool draining = false;
  {
    std::lock_guard lock(mu_);
    draining = draining_;
  }
  if (!options_.allow_reconnect || draining) {
    close_now(reason);
    return;
  }
  std::deque<PongWaiter> waiters;
  {
    std::lock_guard lock(mu_);
    state_ = State::kReconnecting;
    in_flight_bytes_ = 0;
    // outbound_ holds whole frames never handed to libuv: they are kept and go out after the
    // reconnect, like publishes made while disconnected. Only the write in flight is lost, and with it
    // the PINGs it carried, which will never be answered. The newest pings_in_outbound_ waiters belong
    // to the PINGs still queued and keep waiting.
    const std::size_t lost = pong_waiters_.size() - std::min(pings_in_outbound_, pong_waiters_.size());
    for (std::size_t i = 0; i < lost; ++i) {
      PongWaiter& waiter = pong_waiters_.front();
      if (waiter.deadline) deadlines_.erase(*waiter.deadline);
      waiters.push_back(std::move(waiter));
      pong_waiters_.pop_front();
    }
  }
  state_changed_.notify_all();
  for (PongWaiter& waiter : waiters)
    complete_waiter(waiter, make_error_code(Errc::kConnectionLost));
  dispatch([&] {
    if (options_.events.on_disconnected) options_.events.on_disconnected();
  });
  if (state() == State::kClosed) return;  // A callback closed the client.
  pool_.advance();
  schedule_reconnect();
}

void Core::close_now(std::error_code reason) {
  std::string final_bytes;
  std::deque<PongWaiter> waiters;
  std::unordered_map<std::uint64_t, PendingRequest> requests;
  std::unordered_map<std::uint64_t, std::shared_ptr<SubState>> subs;
  std::unordered_map<std::uint64_t, PendingCall> calls;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kClosed) return;
    if (state_ == State::kConnected) {
      final_bytes = std::move(direct_);
      final_bytes.append(outbound_);
    }
    state_ = State::kClosed;
    in_flight_bytes_ = 0;
    closed_reason_ = reason;
    drain_result_ = reason;
    outbound_.clear();
    pings_in_outbound_ = 0;
    waiters.swap(pong_waiters_);
    requests.swap(requests_);
    subs.swap(subs_);
    inbox_sub_.reset();
    deadlines_.clear();
    calls.swap(calls_);  // Destroyed outside mu_: their captures may hold what takes it.
  }
  state_changed_.notify_all();
  ++attempt_id_;
  for (uv_timer_t* timer : {&deadline_timer_, &attempt_timer_, &retry_timer_, &ping_timer_})
    uv_timer_stop(timer);
  const bool lingering = close_transport_gracefully(std::move(final_bytes));
  for (auto& [sid, sub] : subs)
    sub->active = false;
  const std::error_code closed = make_error_code(Errc::kConnectionClosed);
  for (auto& [id, request] : requests) {
    if (!request.user_handler) {
      request.handler(closed);
    } else {
      dispatch([&] { request.handler(closed); });
    }
  }
  for (PongWaiter& waiter : waiters)
    complete_waiter(waiter, closed);
  set_initial_result(reason ? reason : closed);
  dispatch([&] {
    if (options_.events.on_closed) options_.events.on_closed(reason);
  });
  handles_closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), handle_closed_cb);
  for (uv_timer_t* timer : {&deadline_timer_, &attempt_timer_, &retry_timer_, &ping_timer_}) {
    uv_close(reinterpret_cast<uv_handle_t*>(timer), handle_closed_cb);
  }
  if (lingering) {
    // The linger timer is closed with the lingering transport (on_transport_closed).
    uv_timer_start(
        &linger_timer_,
        [](uv_timer_t* timer) noexcept { static_cast<Core*>(timer->data)->on_linger_timeout(); },
        static_cast<std::uint64_t>(options_.connect_timeout.count()), 0);
  } else {
    uv_close(reinterpret_cast<uv_handle_t*>(&linger_timer_), handle_closed_cb);
  }
}

void Core::set_initial_result(std::error_code result) {
  std::lock_guard lock(mu_);
  if (!initial_result_) return;
  initial_result_->set_value(result);
  initial_result_.reset();
}

}  // namespace tern::client::detail
