#include "server/monitor/varz.h"

#include "server/monitor/json_writer.h"
#include "server/monitor/jsz.h"
#include "server/monitor/time_format.h"

namespace tern::server::monitor {

namespace {

void empty_object(JsonWriter& json, std::string_view name) {
  json.key(name);
  json.begin_object();
  json.end_object();
}

}  // namespace

std::string write_varz(const ServerInfo& server, SystemTime now) {
  JsonWriter json;
  json.begin_object();
  json.field("server_id", server.server_id);
  json.field("server_name", server.server_name);
  json.field("version", server.version);
  json.field("proto", 1);
  json.field("go", server.go);
  json.field("host", server.host);
  json.field("port", server.port);
  json.field("max_connections", server.max_connections);
  json.field("ping_interval", static_cast<std::int64_t>(server.ping_interval.count()));
  json.field("ping_max", server.ping_max);
  json.field("http_host", server.http_host);
  json.field("http_port", server.http_port);
  json.field("http_base_path", server.http_base_path);
  json.field("https_port", 0);
  json.field("auth_timeout", server.auth_timeout_seconds);
  json.field("max_control_line", server.max_control_line);
  json.field("max_payload", server.max_payload);
  json.field("max_pending", server.max_pending);
  // The listeners ternd does not have: nats-server writes their zero structs as {}.
  for (const char* name : {"cluster", "gateway", "leaf", "mqtt", "websocket"}) {
    empty_object(json, name);
  }
  // JetStreamVarz: {} when JetStream is off.
  json.key("jetstream");
  write_varz_jetstream(json, server.jetstream ? &*server.jetstream : nullptr);
  json.field("tls_timeout", server.tls_timeout_seconds);
  json.field("write_deadline", static_cast<std::int64_t>(server.write_deadline.count()));
  json.field("start", format_rfc3339_local(server.start));
  json.field("now", format_rfc3339_utc(now));
  json.field("uptime", format_uptime(now - server.start));
  json.field("mem", server.mem);
  json.field("cores", server.cores);
  json.field("gomaxprocs", server.gomaxprocs);
  json.field("cpu", server.cpu);
  json.field("connections", server.connections);
  json.field("total_connections", server.total_connections);
  json.field("routes", 0);
  json.field("remotes", 0);
  json.field("leafnodes", 0);
  json.field("in_msgs", server.in_msgs);
  json.field("out_msgs", server.out_msgs);
  json.field("in_bytes", server.in_bytes);
  json.field("out_bytes", server.out_bytes);
  json.field("slow_consumers", server.slow_consumers);
  json.field("subscriptions", server.subscriptions);
  json.key("http_req_stats");
  json.begin_object();
  // std::map orders keys bytewise, as Go sorts map keys when it marshals them.
  for (const auto& [path, count] : server.http_req_stats)
    json.field(path, count);
  json.end_object();
  json.field("config_load_time", format_rfc3339_local(server.config_load_time));
  json.end_object();
  return json.take();
}

}  // namespace tern::server::monitor
