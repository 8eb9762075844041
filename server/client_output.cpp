// The write side of a client connection: the budgeted outbound queue, the flush once per loop turn and
// the slow-consumer close.
#include "server/client_connection.h"

#include <cstring>

#include "protocol/frames.h"
#include "server/server.h"

namespace tern::server {

bool ClientConnection::queue_outbound(std::string_view bytes) noexcept {
  char* at = reserve_outbound(bytes.size());
  if (at == nullptr) return false;
  std::memcpy(at, bytes.data(), bytes.size());
  commit_outbound(bytes.size());
  return true;
}

char* ClientConnection::reserve_outbound(std::size_t n) noexcept {
  if (handles_closing_) return nullptr;
  if (static_cast<std::int64_t>(out_.pending() + n) > server_.options().max_pending) {
    slow_consumer(CloseReason::kSlowConsumerPendingBytes);
    return nullptr;
  }
  try {
    return out_.reserve(n);
  } catch (const std::bad_alloc&) {
    slow_consumer(CloseReason::kSlowConsumerPendingBytes);
    return nullptr;
  }
}

void ClientConnection::commit_outbound(std::size_t n) noexcept {
  out_.commit(n);
  if (!in_flush_list) server_.schedule_flush(this);
}

void ClientConnection::slow_consumer(CloseReason reason) noexcept {
  if (closing_) return;
  ++server_.stats().slow_consumers;
  if (reason == CloseReason::kSlowConsumerPendingBytes) {
    server_.log().client_log(LogLevel::kInfo, ident_,
                             "Slow Consumer Detected: MaxPending of " +
                                 std::to_string(server_.options().max_pending) + " Exceeded");
  } else {
    server_.log().client_log(LogLevel::kInfo, ident_,
                             "Slow Consumer Detected: WriteDeadline of " +
                                 std::to_string(server_.options().write_deadline.count()) + "ms Exceeded");
  }
  // Nothing more is sent to a slow consumer, not even an -ERR: its queue is the problem. Bytes that an
  // asynchronous write still points at stay until that write is cancelled by the close; freeing them
  // now would let libuv write from memory the chunk pool hands to other connections.
  if (write_in_flight_ == 0) out_.clear();
  close(reason);
}

void ClientConnection::flush_outbound() noexcept {
  if (write_in_flight_ != 0 || out_.empty() || handles_closing_) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  uv_buf_t buffers[kMaxWriteBuffers];
  for (;;) {
    std::size_t total = 0;
    const std::size_t count = out_.gather(buffers, kMaxWriteBuffers, kMaxWriteBatch, total);
    if (count == 0) return;
    const int written = uv_try_write(stream, buffers, static_cast<unsigned>(count));
    if (written == UV_EAGAIN || (written >= 0 && static_cast<std::size_t>(written) < total)) {
      if (written > 0) out_.consume(static_cast<std::size_t>(written));
      break;
    }
    if (written < 0) {
      out_.clear();
      close(CloseReason::kWriteError);
      return;
    }
    out_.consume(static_cast<std::size_t>(written));
    if (out_.empty()) {
      if (draining_) close(CloseReason::kServerShutdown);
      return;
    }
  }
  // The socket is full: hand the rest to libuv, which writes it when the socket drains. The chunks
  // stay put until on_write, and new bytes are appended behind them.
  std::size_t total = 0;
  const std::size_t count = out_.gather(buffers, kMaxWriteBuffers, kMaxWriteBatch, total);
  const int rc = uv_write(&write_req_, stream, buffers, static_cast<unsigned>(count), on_write);
  if (rc != 0) {
    out_.clear();
    close(CloseReason::kWriteError);
    return;
  }
  write_in_flight_ = total;
  write_started_ = Clock::now();
}

void ClientConnection::on_write(uv_write_t* req, int status) noexcept {
  ClientConnection* conn = owner(req);
  const std::size_t written = conn->write_in_flight_;
  conn->write_in_flight_ = 0;
  if (status != 0) {
    // Cancelled by close, or the peer went away: nothing queued will be sent.
    conn->out_.clear();
    conn->close(CloseReason::kWriteError);
    return;
  }
  conn->out_.consume(written);
  // A closing connection sends nothing more; its handles may be closing right now, and the server
  // deletes it once they are closed, so it must not go back on the flush list.
  if (conn->closing_) {
    conn->out_.clear();
    return;
  }
  if (!conn->out_.empty() && !conn->in_flush_list) conn->server_.schedule_flush(conn);
  if (conn->draining_ && conn->out_.empty()) conn->close(CloseReason::kServerShutdown);
}

}  // namespace tern::server
