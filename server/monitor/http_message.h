// The values that cross between the HTTP server layer and whatever serves the monitoring endpoints:
// a parsed request, the response to it, and the limits the server enforces on every connection. Plain
// values, so that endpoint code depends on nothing that runs (no loop, no sockets).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::server::monitor {

// Query parameters in the order they appear, percent-decoded ('+' is a space), as Go's url.ParseQuery
// reads them: a key may repeat, `?a` alone is ("a", ""), and a pair that does not decode is left out.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET" or "HEAD": the only methods that reach a handler.
  std::string path;    // Percent-decoded, without the query: "/connz".
  QueryParams query;
  std::string target;  // The request target as received: "/connz?sort=cid".

  // The first value of `key`, or nullptr when absent (Go's Values.Get, which returns "" then).
  const std::string* param(std::string_view key) const noexcept {
    for (const auto& [k, v] : query)
      if (k == key) return &v;
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // Left out of the response when empty.
  std::string body;          // Sent for GET; for HEAD only its length is (Content-Length).
  // Sent after Content-Type, before Date and Content-Length, in this order. CR and LF in names or
  // values become spaces, as Go's server writes them, so a header can never split the response.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Called on the loop thread for each GET or HEAD request, in order per connection. It must not block.
// An exception from it answers 500 and closes the connection.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// What one connection may cost. Every field bounds memory or time; none may be zero.
struct HttpLimits {
  // The request target (the URL in the request line). Longer: 414, then close.
  std::size_t max_target = 4096;
  // The whole head: request line, header lines and the blank line that ends them. Larger: 431, then
  // close. http_parser refuses heads above its own 80 KiB regardless.
  std::size_t max_head = 8192;
  // A request body (GET and HEAD have none; one this small is read and ignored). Larger: 413, then close.
  std::size_t max_body = 4096;
  // Open HTTP connections, counting those still closing. One more is closed as soon as it is accepted.
  std::size_t max_connections = 64;
  // A keep-alive connection with no request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{30'000};
  // A request (head and body) must arrive within this of its first byte, or the connection is closed.
  std::chrono::milliseconds header_timeout{10'000};
  // A response still being written after this is abandoned and the connection closed.
  std::chrono::milliseconds write_timeout{10'000};
  // After a response that ends the connection, the server stops sending and waits this long for the
  // client to close, reading and dropping what it still sends, so that unread input does not turn the
  // close into a reset that destroys the response before the client reads it (Go does the same).
  std::chrono::milliseconds linger_timeout{500};
};

}  // namespace tern::server::monitor
