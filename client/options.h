// Connection options and event callbacks.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

struct uv_loop_s;

namespace tern::client {

// Connection-level events. Every callback runs on the client's I/O thread (the loop thread), never
// after the Client is destroyed, and must not block: the I/O thread delivers messages too.
struct ConnectionEvents {
  // The first connection completed (useful with an attached loop, where connect() does not wait).
  std::function<void()> on_connected;
  // The connection dropped; the client is trying to reconnect (if allowed).
  std::function<void()> on_disconnected;
  // A new connection replaced a lost one; subscriptions are re-established.
  std::function<void()> on_reconnected;
  // The client is closed for good; `reason` is empty after close() or drain().
  std::function<void(std::error_code reason)> on_closed;
  // Asynchronous errors: -ERR lines from the server (`text` holds the server's words), a protocol
  // error, a stale connection. The connection may stay open (permission errors) or drop.
  std::function<void(std::error_code error, std::string_view text)> on_error;
};

struct Options {
  // Servers to try, in order: `nats://[user:password@]host[:port]` or `nats://token@host[:port]`.
  // Servers that INFO advertises in connect_urls are added to this list while connected.
  std::vector<std::string> servers{"nats://127.0.0.1:4222"};

  // Credentials used when a URL carries none.
  std::string user;
  std::string password;
  std::string token;

  std::string name;           // Sent in CONNECT; shows up in the server's monitoring.
  bool echo = true;           // Receive the messages this connection publishes itself.
  bool verbose = false;       // Ask the server for +OK after every op (only slows things down).
  bool pedantic = false;      // Ask the server for strict checks.
  bool headers = true;        // Use HPUB/HMSG. Needed for no_responders and headers.
  bool no_responders = true;  // Have the server fail requests with no subscriber at once (503).

  // How long one connection attempt (TCP connect plus the INFO/CONNECT/PING/PONG handshake) may take.
  std::chrono::milliseconds connect_timeout{2000};

  bool allow_reconnect = true;
  // Consecutive failed attempts after which the client gives up and closes; negative: never.
  int max_reconnect_attempts = 60;
  // Backoff between attempts: the first wait, doubled after each failed round until the maximum, each
  // wait then drawn at random from [wait * (1 - jitter), wait].
  std::chrono::milliseconds reconnect_wait{100};
  std::chrono::milliseconds reconnect_wait_max{2000};
  double reconnect_jitter = 0.5;
  // Bytes of publishes kept while disconnected, sent after reconnecting. Past it, publish fails with
  // Errc::kReconnectBufferFull. What was queued but not yet written when the connection dropped is
  // kept as well, even past this size (it is bounded by max_pending_bytes): an accepted publish is
  // never dropped by the client, only the bytes of the one write in flight at the drop are lost.
  std::size_t reconnect_buffer_size = 8 * 1024 * 1024;
  // Bytes the client holds for the server while connected: frames queued plus the write in flight. A
  // server that reads slower than the client publishes (or stops reading) fills it; past it, publish
  // and flush fail with Errc::kOutboundFull instead of letting memory grow without bound.
  std::size_t max_pending_bytes = 64 * 1024 * 1024;

  // Keep-alive: the client pings the server this often; after max_pings_out unanswered pings the
  // connection counts as stale and is dropped (then reconnected). Zero disables the pings.
  std::chrono::milliseconds ping_interval{120000};
  int max_pings_out = 2;

  // When set, the client runs on this libuv loop instead of starting an I/O thread of its own. The
  // caller runs the loop; Client::connect() must then be called on the loop's thread and returns
  // without waiting for the connection (see ConnectionEvents::on_connected).
  uv_loop_s* loop = nullptr;

  ConnectionEvents events;
};

}  // namespace tern::client
