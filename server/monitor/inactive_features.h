// The endpoints of features ternd does not have (clustering, gateways, leaf nodes): their
// empty shapes, and their query checks, so that tools see what a plain nats-server answers.
#pragma once

#include "server/monitor/query.h"
#include "server/monitor/response.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// /routez: `routes` is []. Checks subs (a bool or "detail").
EndpointResult serve_routez(const ServerInfo& server, const Query& query, SystemTime now);

// /gatewayz: both gateway maps {}. Checks accs.
EndpointResult serve_gatewayz(const ServerInfo& server, const Query& query, SystemTime now);

// /leafz: `leafs` is null, as nats-server's nil slice. Checks subs.
EndpointResult serve_leafz(const ServerInfo& server, const Query& query, SystemTime now);

}  // namespace tern::server::monitor
