#include "server/monitor/jsz.h"

#include <initializer_list>
#include <string_view>

#include "server/jetstream/api_json.h"
#include "server/jetstream/stream_config.h"
#include "server/monitor/time_format.h"

namespace tern::server::monitor {

namespace {

constexpr std::string_view kGlobalAccount = "$G";

// JetStreamConfig: max_memory, max_storage, then store_dir and domain (omitempty). compress_ok is
// false on 2.9.10 and omitted.
void write_config(JsonWriter& json, const JetStreamInfo& js) {
  json.begin_object();
  json.field("max_memory", js.max_memory);
  json.field("max_storage", js.max_storage);
  if (!js.store_dir.empty()) json.field("store_dir", js.store_dir);
  if (!js.domain.empty()) json.field("domain", js.domain);
  json.end_object();
}

// JetStreamStats' members (api.inflight is omitempty and always 0: ternd answers requests at once).
void write_stats_members(JsonWriter& json, std::uint64_t memory, std::uint64_t storage,
                         std::uint64_t reserved_memory, std::uint64_t reserved_storage, std::int64_t accounts,
                         std::uint64_t api_total, std::uint64_t api_errors) {
  json.field("memory", memory);
  json.field("storage", storage);
  json.field("reserved_memory", reserved_memory);
  json.field("reserved_storage", reserved_storage);
  json.field("accounts", accounts);
  json.field("ha_assets", 0);
  json.key("api");
  json.begin_object();
  json.field("total", api_total);
  json.field("errors", api_errors);
  json.end_object();
}

void write_server_stats_members(JsonWriter& json, const JetStreamInfo& js) {
  write_stats_members(json, js.memory, js.storage, js.reserved_memory, js.reserved_storage, js.accounts,
                      js.api_total, js.api_errors);
}

void write_stream_detail(JsonWriter& json, const ServerInfo& server, const JetStreamStreamInfo& stream) {
  json.begin_object();
  json.field("name", stream.name);
  json.field("created", jetstream::format_time_ns(stream.created_ns));
  // clusterInfo of a standalone stream: no cluster name, the server is the leader.
  json.key("cluster");
  json.begin_object();
  if (!server.server_name.empty()) json.field("leader", server.server_name);
  json.end_object();
  if (stream.config) {
    json.key("config");
    jetstream::write_stream_config(json, *stream.config);
  }
  json.key("state");
  jetstream::write_stream_state(json, stream.state, stream.consumers);
  json.end_object();
}

// AccountDetail of $G.
void write_account_detail(JsonWriter& json, const ServerInfo& server, const JetStreamInfo& js, bool streams) {
  json.begin_object();
  json.field("name", kGlobalAccount);
  json.field("id", kGlobalAccount);
  // An account's stats count no accounts and no reservation of the server's, only its own limits.
  write_stats_members(json, js.memory, js.storage, js.account_reserved_memory, js.account_reserved_storage, 0,
                      js.api_total, js.api_errors);
  if (streams && !js.stream_details.empty()) {
    json.key("stream_detail");
    json.begin_array();
    for (const auto& stream : js.stream_details)
      write_stream_detail(json, server, stream);
    json.end_array();
  }
  json.end_object();
}

void write_disabled(JsonWriter& json) {
  json.field("disabled", true);
  json.key("config");
  json.begin_object();
  json.field("max_memory", 0);
  json.field("max_storage", 0);
  json.end_object();
  write_stats_members(json, 0, 0, 0, 0, 0, 0, 0);
  for (const char* name : {"streams", "consumers", "messages", "bytes"})
    json.field(name, 0);
}

}  // namespace

ParsedJsz parse_jsz(const Query& query) {
  ParsedJsz parsed;
  JszRequest& request = parsed.request;
  for (const auto& [param, out] : {std::pair<std::string_view, bool*>{"accounts", &request.accounts},
                                   {"streams", &request.streams},
                                   {"consumers", &request.consumers},
                                   {"config", &request.config}}) {
    auto decoded = decode_bool(query, param);
    if (!decoded.ok()) {
      parsed.error = std::move(decoded.error);
      return parsed;
    }
    *out = decoded.value;
  }
  for (const auto& [param, out] :
       {std::pair<std::string_view, std::int64_t*>{"offset", &request.offset}, {"limit", &request.limit}}) {
    auto decoded = decode_int(query, param);
    if (!decoded.ok()) {
      parsed.error = std::move(decoded.error);
      return parsed;
    }
    *out = decoded.value;
  }
  auto leader_only = decode_bool(query, "leader-only");
  if (!leader_only.ok()) {
    parsed.error = std::move(leader_only.error);
    return parsed;
  }
  request.leader_only = leader_only.value;
  request.acc = query.get("acc");
  if (request.limit == 0) request.limit = 1024;
  if (request.consumers) request.streams = true;
  if (request.streams) request.accounts = true;
  return parsed;
}

bool jsz_wants_stream_details(const JszRequest& request) {
  return request.streams;
}

EndpointResult write_jsz(const ServerInfo& server, const JetStreamInfo* js, const JszRequest& request,
                         const Query& query, SystemTime now) {
  if (js == nullptr && request.leader_only) return bad_request("filtered response: not leader");
  JsonWriter json;
  json.begin_object();
  json.field("server_id", server.server_id);
  json.field("now", format_rfc3339_utc(now));
  if (js == nullptr) {
    write_disabled(json);
    json.end_object();
    return json_result(json.take(), query);
  }
  json.key("config");
  write_config(json, *js);
  write_server_stats_members(json, *js);
  json.field("streams", js->streams);
  json.field("consumers", js->consumers);
  json.field("messages", js->messages);
  json.field("bytes", js->bytes);
  // Jsz's filter: ?acc= naming the account wins; else ?accounts pages the (one) account by offset and
  // limit; else none.
  bool detail = false;
  if (request.acc == kGlobalAccount) {
    detail = true;
  } else if (request.accounts) {
    const std::int64_t offset = request.offset < 0 ? 0 : request.offset;
    const std::int64_t remaining = offset > 1 ? 0 : 1 - offset;
    detail = remaining > 0 && request.limit != 0;
  }
  if (detail) {
    json.key("account_details");
    json.begin_array();
    write_account_detail(json, server, *js, request.streams);
    json.end_array();
  }
  json.end_object();
  return json_result(json.take(), query);
}

EndpointResult serve_jsz(const ServerInfo& server, const Query& query, SystemTime now,
                         const JetStreamInfo* js) {
  const ParsedJsz parsed = parse_jsz(query);
  if (!parsed.ok()) return bad_request(parsed.error);
  return write_jsz(server, js, parsed.request, query, now);
}

void write_varz_jetstream(JsonWriter& json, const JetStreamInfo* js) {
  json.begin_object();
  if (js != nullptr) {
    json.key("config");
    write_config(json, *js);
    json.key("stats");
    json.begin_object();
    write_server_stats_members(json, *js);
    json.end_object();
  }
  json.end_object();
}

}  // namespace tern::server::monitor
