// /jsz and /varz's `jetstream` object: JetStream's configuration and usage as nats-server 2.9.10
// reports them for a standalone server (monitor.go Jsz, accountDetail, updateJszVarz). Without
// JetStream, /jsz answers `disabled: true` and zeros and /varz `jetstream` is {}.
#pragma once

#include <cstdint>
#include <string>

#include "server/monitor/json_writer.h"
#include "server/monitor/query.h"
#include "server/monitor/response.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// /jsz's query (HandleJsz), with Jsz's defaults applied: limit 0 is 1024, consumers imply streams and
// streams imply accounts.
struct JszRequest {
  std::string acc;
  bool accounts = false;
  bool streams = false;
  bool consumers = false;
  bool config = false;
  bool leader_only = false;
  std::int64_t offset = 0;
  std::int64_t limit = 1024;
};

struct ParsedJsz {
  JszRequest request;
  std::string error;  // The 400 text; empty when the query is good.
  bool ok() const { return error.empty(); }
};

// Checks accounts, streams, consumers, config, offset, limit and leader-only in nats-server's order.
ParsedJsz parse_jsz(const Query& query);

// Whether the answer to `request` lists streams (then the snapshot needs stream_details, and their
// configs when request.config).
bool jsz_wants_stream_details(const JszRequest& request);

// The /jsz body. `jetstream` null: disabled, and leader-only is 400 "filtered response: not leader".
// Otherwise the standalone server is the leader; account_details holds $G when ?acc=$G or
// ?accounts (after offset and limit), with stream_detail when ?streams. A negative offset or limit,
// on which nats-server 2.9.10 panics and drops the connection, is taken as 0 / no limit.
// `query` is only for ?callback= (JSONP).
EndpointResult write_jsz(const ServerInfo& server, const JetStreamInfo* jetstream, const JszRequest& request,
                         const Query& query, SystemTime now);

// parse_jsz then write_jsz.
EndpointResult serve_jsz(const ServerInfo& server, const Query& query, SystemTime now,
                         const JetStreamInfo* jetstream = nullptr);

// /varz `jetstream`'s value: {} when `jetstream` is null, else {config, stats}.
void write_varz_jetstream(JsonWriter& json, const JetStreamInfo* jetstream);

}  // namespace tern::server::monitor
