#include "server/monitor/http_server.h"

#include <cassert>
#include <new>
#include <utility>

#include "server/monitor/http_connection.h"

namespace tern::server::monitor {

namespace {

// Connections waiting to be accepted; the monitoring port sees few clients.
constexpr int kBacklog = 128;

}  // namespace

HttpServer::HttpServer(uv_loop_t* loop, HttpLimits limits, HttpHandler handler)
    : loop_(loop), limits_(limits), handler_(std::move(handler)), read_buffer_(kReadBufferSize, '\0') {
  listener_.data = this;
}

HttpServer::~HttpServer() {
  assert(!listener_open_ && connections_.empty());
}

int HttpServer::listen(const std::string& host, int port) noexcept {
  if (listener_open_ || closing_) return UV_EINVAL;
  if (port < 0 || port > 65535) return UV_EINVAL;
  sockaddr_storage addr{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    return UV_EINVAL;
  }
  int rc = uv_tcp_init(loop_, &listener_);
  if (rc != 0) return rc;
  listener_open_ = true;
  rc = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), kBacklog, on_connection);
  if (rc != 0) return rc;
  sockaddr_storage bound{};
  int len = sizeof bound;
  rc = uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  if (rc != 0) return rc;
  // sin_port and sin6_port sit at the same offset.
  bound_port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  return 0;
}

void HttpServer::on_connection(uv_stream_t* listener, int status) noexcept {
  // A failed accept (EMFILE and the like) leaves nothing to answer; libuv retries on the next event.
  if (status < 0) return;
  static_cast<HttpServer*>(listener->data)->accept_connection();
}

void HttpServer::accept_connection() noexcept {
  // Every pending connection is accepted, even one that is refused: libuv stops watching a listener
  // whose accepted socket was not taken.
  if (connections_.size() >= limits_.max_connections) {
    refuse_connection();
    return;
  }
  HttpConnection* conn = nullptr;
  try {
    conn = new HttpConnection(*this);
    connections_.insert(conn);
  } catch (const std::bad_alloc&) {
    delete conn;
    refuse_connection();
    return;
  }
  if (conn->start(reinterpret_cast<uv_stream_t*>(&listener_)) != 0) conn->close();
}

void HttpServer::refuse_connection() noexcept {
  auto* tcp = new (std::nothrow) uv_tcp_t;
  if (tcp == nullptr) return;
  if (uv_tcp_init(loop_, tcp) != 0) {
    delete tcp;
    return;
  }
  // Whether or not the accept succeeded, the handle is closed: the client sees its connection end.
  (void)uv_accept(reinterpret_cast<uv_stream_t*>(&listener_), reinterpret_cast<uv_stream_t*>(tcp));
  uv_close(reinterpret_cast<uv_handle_t*>(tcp),
           [](uv_handle_t* handle) noexcept { delete reinterpret_cast<uv_tcp_t*>(handle); });
}

void HttpServer::forget(HttpConnection* connection) noexcept {
  connections_.erase(connection);
  finish_close_if_done();
}

void HttpServer::close(std::function<void()> on_closed) noexcept {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (listener_open_) uv_close(reinterpret_cast<uv_handle_t*>(&listener_), on_listener_closed);
  // Every connection in the set has open handles, so it leaves the set only in its close callback,
  // never inside close(): the set does not change while it is walked.
  for (HttpConnection* conn : connections_)
    conn->close();
  finish_close_if_done();
}

void HttpServer::on_listener_closed(uv_handle_t* handle) noexcept {
  auto* server = static_cast<HttpServer*>(handle->data);
  server->listener_open_ = false;
  server->finish_close_if_done();
}

void HttpServer::finish_close_if_done() noexcept {
  if (!closing_ || listener_open_ || !connections_.empty() || !on_closed_) return;
  // The callback may destroy this server: nothing here is touched after it.
  auto on_closed = std::exchange(on_closed_, nullptr);
  on_closed();
}

}  // namespace tern::server::monitor
