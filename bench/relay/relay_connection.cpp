#include "bench/relay/relay_connection.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "bench/relay/relay.h"
#include "protocol/frames.h"

namespace tern::bench::relay {

namespace {

// A subscriber that lets this much pile up is not being benchmarked any more; it is closed.
constexpr std::size_t kMaxQueuedBytes = 64 * 1024 * 1024;

// A MSG line holds the PUB's subject, reply and size (one control line of the parser's limit) and a
// sid (at most another), plus the fixed words and separators.
constexpr std::size_t kMaxMsgLine = 2 * protocol::kDefaultMaxControlLine + 16;

}  // namespace

RelayConnection::RelayConnection(Relay& relay) noexcept
    : relay_(relay), parser_(protocol::Direction::kFromClient) {
  tcp_.data = this;
  write_request_.data = this;
}

void RelayConnection::accept(Relay& relay, uv_stream_t* listener) noexcept {
  auto* connection = new RelayConnection(relay);
  if (const int rc = uv_tcp_init(relay.loop(), &connection->tcp_); rc != 0) {
    std::fprintf(stderr, "tern-relay: uv_tcp_init: %s\n", uv_strerror(rc));
    delete connection;
    return;
  }
  auto* stream = reinterpret_cast<uv_stream_t*>(&connection->tcp_);
  int rc = uv_accept(listener, stream);
  // Small frames must leave at once, as ternd's do.
  if (rc == 0) rc = uv_tcp_nodelay(&connection->tcp_, 1);
  if (rc == 0) rc = uv_read_start(stream, on_alloc, on_read);
  if (rc != 0) {
    connection->close(std::string("accept: ") + uv_strerror(rc));
    return;
  }
  connection->send({relay.info_frame()});
}

void RelayConnection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buffer) noexcept {
  auto& read_buffer = static_cast<RelayConnection*>(handle->data)->relay_.read_buffer();
  *buffer = uv_buf_init(read_buffer.data(), static_cast<unsigned>(read_buffer.size()));
}

void RelayConnection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) noexcept {
  auto* connection = static_cast<RelayConnection*>(stream->data);
  // A client that leaves with bytes unread resets the connection; that is an ordinary departure.
  if (nread == UV_EOF || nread == UV_ECONNRESET) return connection->close({});
  if (nread < 0) return connection->close(std::string("read: ") + uv_strerror(static_cast<int>(nread)));
  connection->parser_.feed(std::string_view(buffer->base, static_cast<std::size_t>(nread)));
  protocol::Op op;
  while (!connection->closing_) {
    switch (connection->parser_.next(op)) {
      case protocol::ParseStatus::kNeedMore:
        return;
      case protocol::ParseStatus::kError:
        connection->send({"-ERR 'tern-relay: protocol error'\r\n"});
        return connection->close("unparsable input");
      case protocol::ParseStatus::kOp:
        connection->process(op);
        break;
    }
  }
}

void RelayConnection::process(const protocol::Op& op) noexcept {
  switch (op.kind) {
    case protocol::OpKind::kPub:
      if (const RelaySubscription* receiver = relay_.receiver(op.subject))
        receiver->subscriber->deliver(receiver->sid, op);
      return;
    case protocol::OpKind::kPing:
      return send({protocol::kPongFrame});
    case protocol::OpKind::kSub:
      return relay_.subscribe(this, op.subject, op.sid);
    case protocol::OpKind::kUnsub:
      // A count would need per-subscription delivery counting, which nothing tern-bench runs
      // against the relay uses; refusing it is better than ignoring it.
      if (!op.max_msgs.empty()) {
        send({"-ERR 'tern-relay: UNSUB with a count is not supported'\r\n"});
        return close("UNSUB with a count");
      }
      return relay_.unsubscribe(this, op.sid);
    case protocol::OpKind::kHpub:
      send({"-ERR 'tern-relay: HPUB is not supported'\r\n"});
      return close("HPUB");
    default:
      // CONNECT (verbose, echo and the rest are not honoured), PONG, and the INFO, +OK and -ERR that
      // nats-server tolerates from clients.
      return;
  }
}

void RelayConnection::deliver(std::string_view sid, const protocol::Op& publish) noexcept {
  char line[kMaxMsgLine];
  const char* end =
      protocol::write_msg_line(line, publish.subject, sid, publish.reply, {}, publish.total_size_text);
  send({std::string_view(line, static_cast<std::size_t>(end - line)), publish.payload, protocol::kCrlf});
}

void RelayConnection::send(std::initializer_list<std::string_view> pieces) noexcept {
  if (closing_) return;
  std::size_t written = 0;
  // Behind a write in flight, bytes wait their turn; otherwise the socket gets them now.
  if (!write_in_flight_) {
    uv_buf_t buffers[3];
    if (pieces.size() > std::size(buffers)) std::abort();
    unsigned count = 0;
    for (const std::string_view piece : pieces)
      buffers[count++] = uv_buf_init(const_cast<char*>(piece.data()), static_cast<unsigned>(piece.size()));
    const int rc = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), buffers, count);
    if (rc < 0 && rc != UV_EAGAIN) return close(std::string("write: ") + uv_strerror(rc));
    if (rc > 0) written = static_cast<std::size_t>(rc);
  }
  for (std::string_view piece : pieces) {
    const std::size_t skipped = std::min(written, piece.size());
    written -= skipped;
    piece.remove_prefix(skipped);
    queued_.append(piece);
  }
  if (queued_.size() > kMaxQueuedBytes) return close("slow consumer");
  if (!write_in_flight_ && !queued_.empty()) write_queued();
}

void RelayConnection::write_queued() noexcept {
  // in_flight_ is empty here (no write is in flight), so after the swap queued_ is empty.
  in_flight_.swap(queued_);
  const uv_buf_t buffer = uv_buf_init(in_flight_.data(), static_cast<unsigned>(in_flight_.size()));
  if (const int rc = uv_write(&write_request_, reinterpret_cast<uv_stream_t*>(&tcp_), &buffer, 1, on_write);
      rc != 0) {
    return close(std::string("uv_write: ") + uv_strerror(rc));
  }
  write_in_flight_ = true;
}

void RelayConnection::on_write(uv_write_t* request, int status) noexcept {
  auto* connection = static_cast<RelayConnection*>(request->data);
  connection->write_in_flight_ = false;
  connection->in_flight_.clear();
  // A write cancelled by close() finds the connection closing; it is deleted in on_close, after this.
  if (connection->closing_) return;
  if (status != 0) return connection->close(std::string("write: ") + uv_strerror(status));
  if (!connection->queued_.empty()) connection->write_queued();
}

void RelayConnection::close(std::string_view why) noexcept {
  if (closing_) return;
  closing_ = true;
  if (!why.empty())
    std::fprintf(stderr, "tern-relay: closing a connection: %.*s\n", static_cast<int>(why.size()),
                 why.data());
  relay_.forget(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
}

void RelayConnection::on_close(uv_handle_t* handle) noexcept {
  delete static_cast<RelayConnection*>(handle->data);
}

}  // namespace tern::bench::relay
