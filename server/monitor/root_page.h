// The monitoring root page `/`: HTML linking to every endpoint, as nats-server's HandleRoot does.
#pragma once

#include "server/monitor/response.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// nats-server's link list (less /accstatz, which ternd does not serve) and text/html type. Each link
// is "." + the path joined to http_base_path as Go's path.Join does ("./varz" without a base path).
// nats-server serves it only for the exact base path; other unknown paths are the caller's 404.
EndpointResult serve_root_page(const ServerInfo& server);

}  // namespace tern::server::monitor
