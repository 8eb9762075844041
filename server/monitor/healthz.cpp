#include "server/monitor/healthz.h"

#include "server/monitor/json_writer.h"

namespace tern::server::monitor {

EndpointResult serve_healthz(const Query& query) {
  for (const auto param : {"js-enabled", "js-enabled-only", "js-server-only"}) {
    auto decoded = decode_bool(query, param);
    if (!decoded.ok()) return bad_request(std::move(decoded.error));
  }
  // nats-server writes this one with json.Marshal, not MarshalIndent.
  JsonWriter json(JsonWriter::Style::kCompact);
  json.begin_object();
  json.field("status", "ok");
  json.end_object();
  return json_result(json.take(), query);
}

}  // namespace tern::server::monitor
