// The /varz body: identity, configuration echo and counters.
#pragma once

#include <string>

#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// nats-server's Varz as MarshalIndent writes it for a plain single server, in its field order.
// `system_account` is left out: ternd has no system account. /varz takes no query parameters.
std::string write_varz(const ServerInfo& server, SystemTime now);

}  // namespace tern::server::monitor
