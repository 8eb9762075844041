#include "server/monitor/response.h"

#include <utility>

namespace tern::server::monitor {

EndpointResult json_result(std::string json, const Query& query) {
  const std::string callback = query.get("callback");
  if (callback.empty()) return {200, "application/json", std::move(json)};
  std::string body;
  body.reserve(callback.size() + json.size() + 2);
  body.append(callback).append("(").append(json).append(")");
  return {200, "application/javascript", std::move(body)};
}

EndpointResult bad_request(std::string reason) {
  return {400, "text/plain; charset=utf-8", std::move(reason)};
}

}  // namespace tern::server::monitor
