// The monitoring port's HTTP/1.1 server, on the server's libuv loop: accepts connections, enforces
// HttpLimits on each, and hands every GET or HEAD request to one handler. It knows nothing of what the
// endpoints serve.
//
// Protocol, as nats-server's Go server speaks it (see http_response.h for the bytes): keep-alive by
// default for HTTP/1.1, closed after the response for HTTP/1.0 unless it asks to stay open, and for
// "Connection: close"; HEAD gets GET's headers without the body; other methods get 405 (nats-server
// serves any method, but monitoring is read-only); a missing or repeated Host in HTTP/1.1, bad syntax or
// a target that does not decode get 400, a too long target 414, a too large head 431, a too large body
// 413, an HTTP major version other than 1 505, each followed by a close.
//
// Everything runs on the loop thread; nothing here blocks.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_set>

#include "server/monitor/http_message.h"

namespace tern::server::monitor {

class HttpConnection;

class HttpServer {
 public:
  // Nothing is opened until listen(). `handler` is called for every GET and HEAD request.
  HttpServer(uv_loop_t* loop, HttpLimits limits, HttpHandler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Precondition: listen() was never called, or close()'s callback has run.
  ~HttpServer();

  // Listens on a numeric IPv4 or IPv6 address; port 0 picks a free port (see bound_port()). Returns 0
  // or a libuv error code (UV_EINVAL for an address that is not numeric). Call at most once.
  int listen(const std::string& host, int port) noexcept;
  // The port listened on; 0 before a successful listen().
  int bound_port() const noexcept { return bound_port_; }
  // Open connections, counting those still closing.
  std::size_t connection_count() const noexcept { return connections_.size(); }

  // Closes the listener and every connection (responses in flight are abandoned). `on_closed` runs
  // once every handle is closed, from a libuv close callback; at once if nothing was open. Later calls
  // do nothing.
  void close(std::function<void()> on_closed) noexcept;

 private:
  friend class HttpConnection;
  // A read lands here and is parsed before the callback returns, so one buffer serves every
  // connection; what a connection must keep it copies.
  static constexpr std::size_t kReadBufferSize = 64 * 1024;

  static void on_connection(uv_stream_t* listener, int status) noexcept;
  static void on_listener_closed(uv_handle_t* handle) noexcept;
  void accept_connection() noexcept;
  void refuse_connection() noexcept;
  void finish_close_if_done() noexcept;

  // For HttpConnection.
  const HttpLimits& limits() const noexcept { return limits_; }
  const HttpHandler& handler() const noexcept { return handler_; }
  uv_loop_t* loop() const noexcept { return loop_; }
  uv_buf_t read_buffer() noexcept { return uv_buf_init(read_buffer_.data(), kReadBufferSize); }
  // Called from a connection's last close callback, just before it deletes itself.
  void forget(HttpConnection* connection) noexcept;

  uv_loop_t* const loop_;
  const HttpLimits limits_;
  const HttpHandler handler_;
  uv_tcp_t listener_{};
  bool listener_open_ = false;
  bool closing_ = false;
  int bound_port_ = 0;
  std::unordered_set<HttpConnection*> connections_;
  std::function<void()> on_closed_;
  std::string read_buffer_;
};

}  // namespace tern::server::monitor
