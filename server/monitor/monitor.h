// The monitoring port: nats-server's HTTP endpoints, /metrics and /dashboard, served from the server's
// loop. It reads the server through its snapshot calls (Server::describe and friends) when a request
// arrives, so it costs nothing per message.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "server/monitor/http_message.h"
#include "server/monitor/http_server.h"

namespace tern::server {
class Server;
}

namespace tern::server::monitor {

class Monitor {
 public:
  Monitor(Server& server, uv_loop_t* loop, HttpLimits limits);

  // Listens on host:port (port -1 or 0: a free port). Returns an empty string or why it could not.
  std::string start(const std::string& host, int port);
  int bound_port() const noexcept { return http_.bound_port(); }
  // Closes the listener and every HTTP connection; `on_closed` runs once they are all closed.
  void close(std::function<void()> on_closed) noexcept { http_.close(std::move(on_closed)); }
  // Requests served per path, for /varz's http_req_stats.
  const std::map<std::string, std::uint64_t>& request_counts() const noexcept { return request_counts_; }

  // One request; public for the tests. Paths are matched after http_base_path is taken off.
  HttpResponse handle(const HttpRequest& request);

 private:
  Server& server_;
  HttpServer http_;
  std::map<std::string, std::uint64_t> request_counts_;
};

}  // namespace tern::server::monitor
