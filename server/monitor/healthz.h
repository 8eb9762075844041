// /healthz: the health probe, compact JSON.
#pragma once

#include "server/monitor/query.h"
#include "server/monitor/response.h"

namespace tern::server::monitor {

// {"status":"ok"}: ternd serves monitoring only once it accepts clients, and has no JetStream whose
// state could make it unhealthy. Checks js-enabled, js-enabled-only and js-server-only (bools).
EndpointResult serve_healthz(const Query& query);

}  // namespace tern::server::monitor
