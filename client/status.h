// The connection's state and counters, as a Client reports them.
#pragma once

#include <cstdint>

namespace tern::client {

enum class Status : std::uint8_t {
  kConnecting,  // The first connection is being made.
  kConnected,
  kReconnecting,  // The connection dropped; publishes are buffered until a new one is made.
  kClosed,        // For good: after close(), drain(), a failed first connect, or reconnects given up.
};

struct Statistics {
  std::uint64_t in_msgs = 0;  // Messages received for this client's subscriptions and inbox.
  std::uint64_t in_bytes = 0;
  std::uint64_t out_msgs = 0;  // Messages published (including requests).
  std::uint64_t out_bytes = 0;
  std::uint64_t reconnects = 0;
  // Bytes the operating system has taken from the client: the sum of the client's socket writes that
  // completed, on every connection, protocol lines (CONNECT, PING, SUB...) included. A write counts only
  // once all of it is taken, so the bytes of the write in flight are not counted yet. Every byte
  // accepted by publish() is thus counted here, or still held by the client (while connected, at most
  // Options::max_pending_bytes), or was given up when a connection dropped or closed.
  std::uint64_t written_bytes = 0;
};

}  // namespace tern::client
