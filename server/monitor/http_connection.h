// One monitoring client's TCP connection: reads requests through http_parser, hands each complete GET
// or HEAD to the server's handler, and writes one response at a time.
//
// Bounds: the head, target and body are limited while they arrive (HttpLimits); reads stop while a
// response is being written, so pipelined requests wait in the kernel, not in memory, and at most one
// read's worth of them is held here. One timer, whose meaning follows the phase: idle (no request in
// progress), header (a request is arriving), write (a response is in flight), linger (closing after a
// final response).
//
// Lifetime: created on accept, deleted only in the close callback of its last libuv handle, after
// telling the server. close() never frees anything. Everything runs on the loop thread.
#pragma once

#include <http_parser.h>
#include <uv.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "server/monitor/http_message.h"

namespace tern::server::monitor {

class HttpServer;

class HttpConnection {
 public:
  explicit HttpConnection(HttpServer& server) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Accepts the pending connection on `listener` into this object and starts reading. Returns a libuv
  // error code; on failure the caller calls close(), which may delete the object at once.
  int start(uv_stream_t* listener) noexcept;
  // Stops everything and closes the handles; the object is deleted in the last close callback.
  // Idempotent.
  void close() noexcept;

 private:
  enum class Phase {
    kIdle,       // Waiting for a request: the idle timeout runs.
    kReading,    // Part of a request has arrived: the header timeout runs.
    kWriting,    // A response is in flight: reads are stopped, the write timeout runs.
    kLingering,  // The final response is written and the write side shut: waiting for the client's close.
    kClosed,     // Handles closing.
  };

  template <typename T>
  static HttpConnection* owner(T* handle) noexcept {
    return static_cast<HttpConnection*>(handle->data);
  }
  static HttpConnection* owner(http_parser* parser) noexcept {
    return static_cast<HttpConnection*>(parser->data);
  }

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void on_write(uv_write_t* req, int status) noexcept;
  static void on_shutdown(uv_shutdown_t* req, int status) noexcept;
  static void on_timer(uv_timer_t* timer) noexcept;
  static void on_close(uv_handle_t* handle) noexcept;

  // http_parser callbacks. Each returns nonzero to stop the parser, with refusal_ saying why.
  static int on_message_begin(http_parser* parser) noexcept;
  static int on_url(http_parser* parser, const char* at, std::size_t length) noexcept;
  static int on_header_field(http_parser* parser, const char* at, std::size_t length) noexcept;
  static int on_header_value(http_parser* parser, const char* at, std::size_t length) noexcept;
  static int on_headers_complete(http_parser* parser) noexcept;
  static int on_body(http_parser* parser, const char* at, std::size_t length) noexcept;
  static int on_message_complete(http_parser* parser) noexcept;
  static const http_parser_settings kSettings;

  // Parses `bytes` one request at a time, answering each; keeps what follows a response that is still
  // being written in pending_input_.
  void process(std::string_view bytes);
  // Feeds the parser at most up to the end of the next request. Returns the bytes consumed; sets
  // refusal_ (and returns) when the request cannot be served.
  std::size_t parse_some(std::string_view bytes) noexcept;
  void end_header_field() noexcept;
  void refuse(int status, std::string_view detail = {}) noexcept;
  void answer();
  void send(std::string bytes, bool close_after) noexcept;
  void response_written() noexcept;
  void begin_linger() noexcept;
  void set_phase(Phase next) noexcept;
  void update_reading() noexcept;
  void arm_timer() noexcept;

  HttpServer& server_;
  const HttpLimits& limits_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_write_t write_req_{};
  uv_shutdown_t shutdown_req_{};
  // libuv handles not yet closed; the object is deleted when it reaches zero. A write or shutdown in
  // flight needs no count of its own: closing the stream calls its callback (UV_ECANCELED) before the
  // stream's close callback.
  int open_handles_ = 0;
  bool tcp_open_ = false;
  bool timer_open_ = false;
  bool reading_ = false;
  Phase phase_ = Phase::kIdle;

  http_parser parser_{};
  // Bytes of the current request's head fed to the parser so far (leading blank lines included).
  std::size_t head_bytes_ = 0;
  bool headers_done_ = false;
  bool message_done_ = false;
  // Set by a callback that stops the parser: the status to answer (then close).
  int refusal_ = 0;
  std::string refusal_detail_;

  // The request being read.
  std::string target_;
  std::string field_;  // The current header name's first bytes, enough to recognise "Host".
  bool in_field_ = false;
  int host_headers_ = 0;
  std::size_t body_bytes_ = 0;
  // Facts of the completed request, kept from on_message_complete (the parser's flags move on).
  http_method method_ = HTTP_GET;
  int http_minor_ = 1;
  bool keep_alive_ = true;

  // What arrived behind a request whose response is still being written.
  std::string pending_input_;
  // The response in flight; its bytes must stay put until the write callback.
  std::string out_;
  bool close_after_write_ = false;
};

}  // namespace tern::server::monitor
