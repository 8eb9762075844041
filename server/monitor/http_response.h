// The bytes of an HTTP response, laid out as nats-server's Go server lays them out. Pure functions.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "server/monitor/http_message.h"

namespace tern::server::monitor {

// Go's http.StatusText for the codes this server sends; "status code N" for others, as Go writes them.
std::string status_text(int status);

// RFC 7231 IMF-fixdate in GMT ("Sat, 05 Dec 2026 12:31:11 GMT"), independent of the locale.
std::string http_date(std::time_t when);

// How the response speaks about the connection, following Go: a 1.1 request that asked to close gets
// "Connection: close"; a 1.0 request that asked to stay open gets "Connection: keep-alive".
enum class ConnectionHeader { kNone, kClose, kKeepAlive };

struct ResponseFraming {
  int http_minor = 1;  // The status line answers in the request's version: HTTP/1.0 or HTTP/1.1.
  bool head = false;   // A HEAD request: the headers (Content-Length included), no body.
  ConnectionHeader connection = ConnectionHeader::kNone;
  std::time_t date = 0;
};

// Status line, Content-Type (when set), the extra headers, Date, Content-Length, Connection, blank
// line, body.
std::string serialize_response(const HttpResponse& response, const ResponseFraming& framing);

// The response Go's server writes itself for a request it cannot serve (bad syntax, too large, bad
// version), before closing: "HTTP/1.1 431 Request Header Fields Too Large" with plain-text headers,
// "Connection: close" and the status as the body (no Date, no Content-Length). `detail`, when given,
// follows the reason after ": " in both places.
std::string protocol_error_response(int status, std::string_view detail = {});

}  // namespace tern::server::monitor
