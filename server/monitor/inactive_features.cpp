#include "server/monitor/inactive_features.h"

#include <initializer_list>
#include <string_view>

#include "server/monitor/json_writer.h"
#include "server/monitor/time_format.h"

namespace tern::server::monitor {

namespace {

// The first bad bool among `params`, in order; "" when all are good or absent.
std::string first_bad_bool(const Query& query, std::initializer_list<std::string_view> params) {
  for (const auto param : params) {
    auto decoded = decode_bool(query, param);
    if (!decoded.ok()) return std::move(decoded.error);
  }
  return {};
}

void begin_with_identity(JsonWriter& json, const ServerInfo& server, SystemTime now) {
  json.begin_object();
  json.field("server_id", server.server_id);
  json.field("now", format_rfc3339_utc(now));
}

void empty_object(JsonWriter& json, std::string_view name) {
  json.key(name);
  json.begin_object();
  json.end_object();
}

}  // namespace

EndpointResult serve_routez(const ServerInfo& server, const Query& query, SystemTime now) {
  // decodeSubs: "detail" in any case is accepted before the bool check.
  std::string subs = query.get("subs");
  for (char& c : subs)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (subs != "detail") {
    if (auto error = first_bad_bool(query, {"subs"}); !error.empty()) return bad_request(std::move(error));
  }
  JsonWriter json;
  begin_with_identity(json, server, now);
  json.field("num_routes", 0);
  json.key("routes");
  json.begin_array();
  json.end_array();
  json.end_object();
  return json_result(json.take(), query);
}

EndpointResult serve_gatewayz(const ServerInfo& server, const Query& query, SystemTime now) {
  if (auto error = first_bad_bool(query, {"accs"}); !error.empty()) return bad_request(std::move(error));
  JsonWriter json;
  begin_with_identity(json, server, now);
  empty_object(json, "outbound_gateways");
  empty_object(json, "inbound_gateways");
  json.end_object();
  return json_result(json.take(), query);
}

EndpointResult serve_leafz(const ServerInfo& server, const Query& query, SystemTime now) {
  if (auto error = first_bad_bool(query, {"subs"}); !error.empty()) return bad_request(std::move(error));
  JsonWriter json;
  begin_with_identity(json, server, now);
  json.field("leafnodes", 0);
  json.key("leafs");
  json.null();
  json.end_object();
  return json_result(json.take(), query);
}

}  // namespace tern::server::monitor
