// The write side of a client connection: frames queued within max_pending, deliveries from the router,
// the flush at the end of each loop turn, and the slow-consumer cut.
#include <cassert>
#include <cstring>

#include "protocol/frames.h"
#include "server/client_connection.h"
#include "server/server.h"

namespace tern::server {

bool ClientConnection::queue_outbound(std::string_view bytes) noexcept {
  char* at = reserve_outbound(bytes.size());
  if (at == nullptr) return false;
  if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
  commit_outbound(bytes.size());
  return true;
}

char* ClientConnection::reserve_outbound(std::size_t n) noexcept {
  if (state_ == ConnectionState::kClosed) return nullptr;
  char* at = out_.reserve(n, server_.options().max_pending);
  if (at == nullptr) slow_consumer(CloseReason::kSlowConsumerPendingBytes);
  return at;
}

void ClientConnection::commit_outbound(std::size_t n) noexcept {
  out_.commit(n);
  server_.schedule_flush(*this);
}

void ClientConnection::send_err(std::string_view text) noexcept {
  std::string line;
  try {
    protocol::append_err(line, text);
  } catch (const std::bad_alloc&) {
    return;
  }
  server_.log().trace_out(ident_, "-ERR", std::string_view(line).substr(5, line.size() - 7));
  queue_outbound(line);
}

void ClientConnection::send_info(bool lame_duck) noexcept {
  try {
    queue_outbound(server_.info_line(cid(), remote_ip_, lame_duck));
  } catch (const std::bad_alloc&) {
    close(CloseReason::kServerShutdown);
  }
}

Delivery ClientConnection::deliver(const Subscription& sub, const RoutedMessage& msg) noexcept {
  if (closing()) return Delivery::kRefused;
  std::string_view payload = msg.payload;
  std::string_view header_size_text;
  std::string_view total_size_text = msg.total_size_text;
  if (msg.has_headers()) {
    if (headers_) {
      header_size_text = msg.header_size_text;
    } else {
      payload = msg.body();
      total_size_text = msg.body_size_text;
    }
  }
  const std::size_t line = protocol::msg_line_size(msg.subject, sub.sid, msg.reply, header_size_text,
                                                   total_size_text, msg.blank_reply_token);
  const std::size_t frame = line + payload.size() + 2;
  char* at = reserve_outbound(frame);
  if (at == nullptr) return Delivery::kRefused;
  at = protocol::write_msg_line(at, msg.subject, sub.sid, msg.reply, header_size_text, total_size_text,
                                msg.blank_reply_token);
  if (!payload.empty()) std::memcpy(at, payload.data(), payload.size());
  at[payload.size()] = '\r';
  at[payload.size() + 1] = '\n';
  commit_outbound(frame);
  last_traffic_ms_ = uv_now(loop_);
  counters_.count_out(1, payload.size());
  server_.counters().traffic.count_out(1, payload.size());

  if (server_.log().trace_enabled()) {
    // The line without its op name and CRLF, as nats-server traces it: "->> [MSG foo 1 5]".
    const std::string_view sent(at - line, line - 2);
    const std::size_t op_end = sent.find(' ');
    server_.log().trace_out(ident_, sent.substr(0, op_end), sent.substr(op_end + 1));
  }
  if (OutboundQueue::congested(out_.pending(), server_.options().max_pending)) {
    congested_ = true;
    return Delivery::kDeliveredCongested;
  }
  return Delivery::kDelivered;
}

void ClientConnection::slow_consumer(CloseReason reason) noexcept {
  if (closing()) return;
  ++server_.counters().slow_consumers;
  if (reason == CloseReason::kSlowConsumerPendingBytes) {
    server_.log().client_log(LogLevel::kInfo, ident_,
                             "Slow Consumer Detected: MaxPending of " +
                                 std::to_string(server_.options().max_pending) + " Exceeded");
  } else {
    server_.log().client_log(LogLevel::kInfo, ident_,
                             "Slow Consumer Detected: WriteDeadline of " +
                                 std::to_string(server_.options().write_deadline.count()) + "ms Exceeded");
  }
  // Nothing more is sent to a slow consumer, not even an -ERR: its queue is the problem.
  out_.discard();
  close(reason);
}

// Called whenever queued bytes were confirmed written: publishers waiting for this receiver resume once
// it is back under its high-water mark (or empty), as nats-server releases its stall gate.
void ClientConnection::note_written() noexcept {
  if (!congested_) return;
  if (!out_.empty() && OutboundQueue::congested(out_.pending(), server_.options().max_pending)) return;
  congested_ = false;
  server_.receiver_drained(*this);
}

FlushTarget::Flushed ClientConnection::flush(std::size_t budget) noexcept {
  const bool writable = state_ != ConnectionState::kClosed && tcp_open_ && !is_slow_consumer(close_reason_);
  if (out_.write_in_flight() || out_.empty() || !writable) return Flushed::kDone;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  uv_buf_t buffers[kMaxWriteBuffers];
  std::size_t written_this_turn = 0;
  for (;;) {
    std::size_t total = 0;
    const std::size_t count = out_.gather(buffers, kMaxWriteBuffers, kMaxWriteBatch, total);
    assert(count > 0);
    const int written = uv_try_write(stream, buffers, static_cast<unsigned>(count));
    if (written < 0 && written != UV_EAGAIN) {
      out_.discard();
      close(CloseReason::kWriteError);
      return Flushed::kDone;
    }
    if (written > 0) {
      out_.consume(static_cast<std::size_t>(written));
      written_this_turn += static_cast<std::size_t>(written);
      note_written();
    }
    if (out_.empty()) {
      if (state_ == ConnectionState::kDraining) close(CloseReason::kServerShutdown);
      return Flushed::kDone;
    }
    if (written == UV_EAGAIN || static_cast<std::size_t>(written) < total) break;
    // The socket takes more, but this connection has had its share of the turn.
    if (written_this_turn >= budget) return Flushed::kMore;
  }
  // The socket is full: hand the rest to libuv, which writes it when the socket drains. The chunks
  // stay put until on_write, and new bytes are appended behind them.
  std::size_t total = 0;
  const std::size_t count = out_.gather(buffers, kMaxWriteBuffers, kMaxWriteBatch, total);
  if (const int rc = uv_write(&write_req_, stream, buffers, static_cast<unsigned>(count), on_write);
      rc != 0) {
    out_.discard();
    close(CloseReason::kWriteError);
    return Flushed::kDone;
  }
  ++open_handles_;
  out_.begin_write(total, Clock::now());
  return Flushed::kDone;
}

void ClientConnection::on_write(uv_write_t* req, int status) noexcept {
  ClientConnection* conn = owner(req);
  conn->out_.end_write(status == 0);
  if (status != 0) {
    // Cancelled by close, or the peer went away: nothing queued will be sent.
    conn->out_.discard();
    conn->close(CloseReason::kWriteError);
    conn->release_reference();
    return;
  }
  // A closing connection sends nothing more; its handles may be closing right now, and the server
  // deletes it once they are closed, so it must not go back on the flush list.
  if (conn->closing()) {
    conn->out_.discard();
    conn->release_reference();
    return;
  }
  conn->note_written();
  if (!conn->out_.empty()) {
    conn->server_.schedule_flush(*conn);
  } else if (conn->state_ == ConnectionState::kDraining) {
    conn->close(CloseReason::kServerShutdown);
  }
  conn->release_reference();
}

}  // namespace tern::server
