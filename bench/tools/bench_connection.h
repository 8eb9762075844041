// One client connection of the load tool: a blocking TCP socket that speaks just enough of the
// protocol to drive a server hard. Writes go out as given (the callers pre-build large batches);
// reads land in a fixed buffer and run through the protocol's pull parser, so a delivery costs one
// parse and no copy.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bench/tools/server_address.h"
#include "protocol/parser.h"

namespace tern::bench {

// The result of one read.
enum class ReadOutcome : std::uint8_t {
  kData,     // Bytes arrived and every complete op in them was handed over.
  kTimeout,  // Nothing arrived within the read timeout; callers use the pause to check their deadline.
  kClosed,   // The server closed the connection, or a read or parse failed.
};

// Reads that wait longer than this return kTimeout by default.
inline constexpr std::chrono::milliseconds kDefaultReadTimeout{100};
// The read buffer of each connection. Large enough that a busy subscriber drains many deliveries per
// system call.
inline constexpr std::size_t kReadBufferSize = 256 * 1024;

class BenchConnection {
 public:
  // Connects, reads INFO, sends CONNECT and PING, and waits for PONG: when this returns the server has
  // accepted the connection. Throws std::runtime_error on failure, with the server's -ERR text if any.
  // The CONNECT names the client `tern-bench` and declares headers and no_responders, as clients do.
  // `read_buffer_size` bounds one read; connections that only idle can take a small one.
  explicit BenchConnection(const ServerAddress& address, std::size_t read_buffer_size = kReadBufferSize);
  ~BenchConnection();
  BenchConnection(const BenchConnection&) = delete;
  BenchConnection& operator=(const BenchConnection&) = delete;

  // Writes every byte or throws std::runtime_error.
  void write_all(std::string_view bytes);

  // Sends PING and reads until the matching PONG; ops that arrive in between go to `on_op`. This
  // proves the server has processed everything written before it. Throws on -ERR or close.
  template <class OnOp>
  void round_trip(OnOp&& on_op);
  void round_trip() {
    round_trip([](const protocol::Op&) {});
  }

  // Reads once (waiting at most the read timeout) and hands each complete op to `on_op`. Answers the
  // server's PINGs itself. A -ERR from the server closes the connection from our side.
  template <class OnOp>
  ReadOutcome read_ops(OnOp&& on_op);

  // Bounds how long one read waits, so that reader loops can notice a deadline or a stop request.
  void set_read_timeout(std::chrono::milliseconds timeout);

  // Shuts the socket down in both directions, so that a read blocked in another thread returns at once.
  void shutdown() noexcept;

  const std::string& last_error() const noexcept { return last_error_; }
  // For readiness polling (epoll). A read after the socket polled readable does not block.
  int fd() const noexcept { return fd_; }

 private:
  // Reads into the buffer; returns the bytes read, 0 on timeout, -1 on close or error.
  long read_chunk();
  void answer_ping();

  int fd_ = -1;
  protocol::Parser parser_;
  std::size_t read_buffer_size_;
  std::unique_ptr<char[]> read_buffer_;
  std::string last_error_;
};

template <class OnOp>
ReadOutcome BenchConnection::read_ops(OnOp&& on_op) {
  const long n = read_chunk();
  if (n == 0) return ReadOutcome::kTimeout;
  if (n < 0) return ReadOutcome::kClosed;
  parser_.feed(std::string_view(read_buffer_.get(), static_cast<std::size_t>(n)));
  protocol::Op op;
  for (;;) {
    switch (parser_.next(op)) {
      case protocol::ParseStatus::kNeedMore:
        return ReadOutcome::kData;
      case protocol::ParseStatus::kError:
        last_error_ = "unparsable data from the server";
        return ReadOutcome::kClosed;
      case protocol::ParseStatus::kOp:
        if (op.kind == protocol::OpKind::kPing) {
          answer_ping();
        } else if (op.kind == protocol::OpKind::kErr) {
          last_error_ = "server: -ERR " + std::string(op.arg);
          return ReadOutcome::kClosed;
        } else {
          on_op(op);
        }
        break;
    }
  }
}

template <class OnOp>
void BenchConnection::round_trip(OnOp&& on_op) {
  write_all("PING\r\n");
  // The timeout only paces the loop; a server that never answers is caught by the caller's deadline
  // logic elsewhere, so here a generous bound suffices.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool ponged = false;
  while (!ponged) {
    const ReadOutcome outcome = read_ops([&](const protocol::Op& op) {
      if (op.kind == protocol::OpKind::kPong) {
        ponged = true;
      } else {
        on_op(op);
      }
    });
    if (outcome == ReadOutcome::kClosed)
      throw std::runtime_error(last_error_.empty() ? "connection closed" : last_error_);
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("no PONG within 30 s");
  }
}

}  // namespace tern::bench
