// What a monitoring endpoint answers, before HTTP framing: status, content type and body.
#pragma once

#include <string>

#include "server/monitor/query.h"

namespace tern::server::monitor {

struct EndpointResult {
  int status = 200;
  std::string content_type;
  std::string body;
};

// A JSON body as nats-server's ResponseHandler sends it: `application/json`, or with a non-empty
// ?callback=NAME the JSONP text NAME(<json>) as `application/javascript` (NAME is not checked, as in
// nats-server).
EndpointResult json_result(std::string json, const Query& query);

// A 400 with nats-server's one-line reason; like http.ResponseWriter after WriteHeader, the text is
// sent without a line break, as text/plain.
EndpointResult bad_request(std::string reason);

}  // namespace tern::server::monitor
