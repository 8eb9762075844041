#include "server/monitor/http_connection.h"

#include <strings.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <ctime>
#include <utility>

#include "server/monitor/http_response.h"
#include "server/monitor/http_server.h"
#include "server/monitor/http_target.h"

namespace tern::server::monitor {

namespace {

// A header name is kept only this far: one byte beyond "Host" tells a longer name apart.
constexpr std::size_t kFieldPrefix = 5;

// A plain-text answer of the server's own, shaped as Go's http.Error shapes one.
HttpResponse plain_text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.headers = {{"X-Content-Type-Options", "nosniff"}};
  response.body = std::move(body);
  return response;
}

HttpResponse method_not_allowed() {
  HttpResponse response = plain_text(405, "405 method not allowed\n");
  response.headers.insert(response.headers.begin(), {"Allow", "GET, HEAD"});
  return response;
}

}  // namespace

const http_parser_settings HttpConnection::kSettings = [] {
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_message_begin = on_message_begin;
  settings.on_url = on_url;
  settings.on_header_field = on_header_field;
  settings.on_header_value = on_header_value;
  settings.on_headers_complete = on_headers_complete;
  settings.on_body = on_body;
  settings.on_message_complete = on_message_complete;
  return settings;
}();

HttpConnection::HttpConnection(HttpServer& server) noexcept : server_(server), limits_(server.limits()) {
  tcp_.data = this;
  timer_.data = this;
  write_req_.data = this;
  shutdown_req_.data = this;
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

int HttpConnection::start(uv_stream_t* listener) noexcept {
  int rc = uv_tcp_init(server_.loop(), &tcp_);
  if (rc != 0) return rc;
  tcp_open_ = true;
  ++open_handles_;
  rc = uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_));
  if (rc != 0) return rc;
  rc = uv_timer_init(server_.loop(), &timer_);
  if (rc != 0) return rc;
  timer_open_ = true;
  ++open_handles_;
  // A response goes out in one write; without this only its last segment could wait on Nagle. A
  // failure costs latency only.
  (void)uv_tcp_nodelay(&tcp_, 1);
  set_phase(Phase::kIdle);
  return 0;
}

// ---- Phases, reading and the timer -------------------------------------------------------------------

void HttpConnection::set_phase(Phase next) noexcept {
  phase_ = next;
  arm_timer();
  update_reading();
}

void HttpConnection::update_reading() noexcept {
  const bool want =
      tcp_open_ && (phase_ == Phase::kIdle || phase_ == Phase::kReading || phase_ == Phase::kLingering);
  if (want == reading_) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (want) {
    if (uv_read_start(stream, on_alloc, on_read) != 0) {
      close();
      return;
    }
  } else {
    // uv_read_stop cannot fail on a TCP handle.
    [[maybe_unused]] const int rc = uv_read_stop(stream);
    assert(rc == 0);
  }
  reading_ = want;
}

void HttpConnection::arm_timer() noexcept {
  std::chrono::milliseconds delay{0};
  switch (phase_) {
    case Phase::kIdle:
      delay = limits_.idle_timeout;
      break;
    case Phase::kReading:
      delay = limits_.header_timeout;
      break;
    case Phase::kWriting:
      delay = limits_.write_timeout;
      break;
    case Phase::kLingering:
      delay = limits_.linger_timeout;
      break;
    case Phase::kClosed:
      return;
  }
  // uv_timer_start fails only for a closing handle or a null callback, neither of which can be here.
  [[maybe_unused]] const int rc = uv_timer_start(
      &timer_, on_timer, static_cast<std::uint64_t>(std::max<std::int64_t>(delay.count(), 1)), 0);
  assert(rc == 0);
}

void HttpConnection::on_timer(uv_timer_t* timer) noexcept {
  // Idle, too slow a request, too slow a reader, or a client that does not close after the last
  // response: each ends the same way, as Go's server ends them, without a response.
  owner(timer)->close();
}

void HttpConnection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  *buf = owner(handle)->server_.read_buffer();
}

void HttpConnection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  HttpConnection* conn = owner(stream);
  if (nread < 0) {
    // The client closed or the connection failed: nothing more can be answered.
    conn->close();
    return;
  }
  if (nread == 0 || conn->phase_ == Phase::kLingering) return;
  try {
    conn->process(std::string_view(buf->base, static_cast<std::size_t>(nread)));
  } catch (...) {
    // Only allocation can throw on this path (or a handler through answer(), which catches its own).
    conn->close();
  }
}

// ---- Parsing --------------------------------------------------------------------------------------

void HttpConnection::process(std::string_view bytes) {
  while (!bytes.empty()) {
    // The header timeout runs from a request's first byte, however slowly the rest arrives.
    if (phase_ == Phase::kIdle) set_phase(Phase::kReading);
    if (phase_ != Phase::kReading) return;
    bytes.remove_prefix(parse_some(bytes));
    if (refusal_ != 0) {
      refuse(refusal_, refusal_detail_);
      return;
    }
    if (!message_done_) continue;
    answer();
    if (phase_ == Phase::kWriting) {
      pending_input_.assign(bytes);
      return;
    }
  }
}

std::size_t HttpConnection::parse_some(std::string_view bytes) noexcept {
  // The head is fed no further than its limit, so a head that does not end within it is known to be
  // too large at exactly that byte, whatever the reads' sizes.
  std::size_t count = bytes.size();
  if (!headers_done_) count = std::min(count, limits_.max_head - head_bytes_);
  const std::size_t used = http_parser_execute(&parser_, &kSettings, bytes.data(), count);
  if (!headers_done_) head_bytes_ += used;
  const auto error = HTTP_PARSER_ERRNO(&parser_);
  if (error == HPE_PAUSED) {
    // on_message_complete paused the parser so that each request is answered before the next is read.
    http_parser_pause(&parser_, 0);
    return used;
  }
  if (refusal_ != 0) return used;
  if (error != HPE_OK) {
    refusal_ = error == HPE_HEADER_OVERFLOW ? 431 : 400;
  } else if (!headers_done_ && head_bytes_ >= limits_.max_head) {
    refusal_ = 431;
  }
  return used;
}

int HttpConnection::on_message_begin(http_parser* parser) noexcept {
  HttpConnection* conn = owner(parser);
  conn->target_.clear();
  conn->field_.clear();
  conn->in_field_ = false;
  conn->host_headers_ = 0;
  conn->body_bytes_ = 0;
  return 0;
}

int HttpConnection::on_url(http_parser* parser, const char* at, std::size_t length) noexcept {
  HttpConnection* conn = owner(parser);
  if (conn->target_.size() + length > conn->limits_.max_target) {
    conn->refusal_ = 414;
    return 1;
  }
  try {
    conn->target_.append(at, length);
  } catch (...) {
    conn->refusal_ = 500;
    return 1;
  }
  return 0;
}

int HttpConnection::on_header_field(http_parser* parser, const char* at, std::size_t length) noexcept {
  HttpConnection* conn = owner(parser);
  if (!conn->in_field_) {
    conn->field_.clear();
    conn->in_field_ = true;
  }
  // Within the small-string buffer: no allocation.
  conn->field_.append(at, std::min(length, kFieldPrefix - std::min(kFieldPrefix, conn->field_.size())));
  return 0;
}

int HttpConnection::on_header_value(http_parser* parser, const char*, std::size_t) noexcept {
  owner(parser)->end_header_field();
  return 0;
}

void HttpConnection::end_header_field() noexcept {
  if (!in_field_) return;
  in_field_ = false;
  if (field_.size() == 4 && strncasecmp(field_.data(), "host", 4) == 0) ++host_headers_;
}

int HttpConnection::on_headers_complete(http_parser* parser) noexcept {
  HttpConnection* conn = owner(parser);
  conn->end_header_field();
  conn->headers_done_ = true;
  // Go's checks, in Go's order. A nonzero return other than 1 and 2 stops http_parser here.
  if (parser->http_major != 1) {
    conn->refusal_ = 505;
    conn->refusal_detail_ = "unsupported protocol version";
    return -1;
  }
  if (parser->http_minor >= 1 && conn->host_headers_ == 0) {
    conn->refusal_ = 400;
    conn->refusal_detail_ = "missing required Host header";
    return -1;
  }
  if (conn->host_headers_ > 1) {
    conn->refusal_ = 400;
    return -1;
  }
  if ((parser->flags & F_CONTENTLENGTH) != 0 && parser->content_length > conn->limits_.max_body) {
    conn->refusal_ = 413;
    return -1;
  }
  return 0;
}

int HttpConnection::on_body(http_parser* parser, const char*, std::size_t length) noexcept {
  // A chunked body has no length up front; its bytes are counted as they come, and dropped.
  HttpConnection* conn = owner(parser);
  conn->body_bytes_ += length;
  if (conn->body_bytes_ > conn->limits_.max_body) {
    conn->refusal_ = 413;
    return 1;
  }
  return 0;
}

int HttpConnection::on_message_complete(http_parser* parser) noexcept {
  HttpConnection* conn = owner(parser);
  conn->message_done_ = true;
  conn->method_ = static_cast<http_method>(parser->method);
  conn->http_minor_ = parser->http_minor;
  // After an upgrade (CONNECT, "Upgrade:") the bytes that follow are not HTTP: answer, then close.
  conn->keep_alive_ = http_should_keep_alive(parser) != 0 && parser->upgrade == 0;
  http_parser_pause(parser, 1);
  return 0;
}

// ---- Answering --------------------------------------------------------------------------------------

void HttpConnection::answer() {
  message_done_ = false;
  headers_done_ = false;
  head_bytes_ = 0;
  const bool head = method_ == HTTP_HEAD;
  bool close_after = !keep_alive_;
  HttpResponse response;
  if (method_ != HTTP_GET && !head) {
    response = method_not_allowed();
  } else {
    auto decoded = decode_target(target_);
    if (!decoded) {
      refuse(400);
      return;
    }
    const HttpRequest request{head ? "HEAD" : "GET", std::move(decoded->path), std::move(decoded->query),
                              target_};
    try {
      response = server_.handler()(request);
    } catch (...) {
      response = plain_text(500, "500 internal server error\n");
      close_after = true;
    }
  }
  ResponseFraming framing;
  framing.http_minor = http_minor_ == 0 ? 0 : 1;
  framing.head = head;
  framing.date = std::time(nullptr);
  if (framing.http_minor == 1 && close_after) framing.connection = ConnectionHeader::kClose;
  if (framing.http_minor == 0 && !close_after) framing.connection = ConnectionHeader::kKeepAlive;
  send(serialize_response(response, framing), close_after);
}

void HttpConnection::refuse(int status, std::string_view detail) noexcept {
  try {
    send(protocol_error_response(status, detail), /*close_after=*/true);
  } catch (...) {
    close();
  }
}

// ---- Writing ------------------------------------------------------------------------------------------

void HttpConnection::send(std::string bytes, bool close_after) noexcept {
  out_ = std::move(bytes);
  close_after_write_ = close_after;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
  const int tried = uv_try_write(stream, &buf, 1);
  if (tried < 0 && tried != UV_EAGAIN) {
    close();
    return;
  }
  const std::size_t written = tried > 0 ? static_cast<std::size_t>(tried) : 0;
  if (written == out_.size()) {
    response_written();
    return;
  }
  // The rest goes out as the client reads it; meanwhile this connection reads nothing, and the write
  // timeout bounds how long a client that does not read can hold the response.
  buf = uv_buf_init(out_.data() + written, static_cast<unsigned>(out_.size() - written));
  if (uv_write(&write_req_, stream, &buf, 1, on_write) != 0) {
    close();
    return;
  }
  set_phase(Phase::kWriting);
}

void HttpConnection::on_write(uv_write_t* req, int status) noexcept {
  HttpConnection* conn = owner(req);
  if (status < 0) {
    // A failed write, or UV_ECANCELED because the connection is closing.
    conn->close();
    return;
  }
  conn->response_written();
  if (conn->phase_ != Phase::kIdle) return;
  std::string input = std::exchange(conn->pending_input_, {});
  try {
    conn->process(input);
  } catch (...) {
    conn->close();
  }
}

void HttpConnection::response_written() noexcept {
  // Swapped out rather than cleared: a large response must not stay allocated on an idle connection.
  std::string().swap(out_);
  if (close_after_write_) {
    begin_linger();
  } else {
    set_phase(Phase::kIdle);
  }
}

// ---- Closing --------------------------------------------------------------------------------------

void HttpConnection::begin_linger() noexcept {
  set_phase(Phase::kLingering);
  if (phase_ != Phase::kLingering) return;
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&tcp_), on_shutdown) != 0) close();
}

void HttpConnection::on_shutdown(uv_shutdown_t* req, int status) noexcept {
  // Success leaves the connection lingering until the client closes or the linger timeout passes.
  if (status < 0) owner(req)->close();
}

void HttpConnection::close() noexcept {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  reading_ = false;
  if (open_handles_ == 0) {
    // Nothing was opened (start() failed at once): no close callback will come.
    server_.forget(this);
    delete this;
    return;
  }
  if (timer_open_) {
    [[maybe_unused]] const int rc = uv_timer_stop(&timer_);
    assert(rc == 0);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
  }
  if (tcp_open_) uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
}

void HttpConnection::on_close(uv_handle_t* handle) noexcept {
  HttpConnection* conn = owner(handle);
  if (--conn->open_handles_ > 0) return;
  conn->server_.forget(conn);
  delete conn;
}

}  // namespace tern::server::monitor
