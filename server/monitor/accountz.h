// /accountz: the account names, or with ?acc=NAME that account's detail.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/monitor/query.h"
#include "server/monitor/response.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// One account as /accountz?acc=NAME reports it. ternd has the global account "$G" only.
struct AccountSummary {
  std::string name;
  SystemTime update_time{};  // When the account was created (the server's start for "$G").
  std::uint64_t client_connections = 0;
  std::uint64_t subscriptions = 0;
  SublistInfo sublist;
  bool jetstream_enabled = false;  // JetStream is on ($G is then JetStream-enabled).
};

// The whole answer, JSONP included: 400 "Account NAME does not exist" for an unknown ?acc=. Without
// acc=, `accounts` lists the names in the given order. nats-server's `system_account` and the
// account's service imports (which nats-server has only because of its system account) are left out.
EndpointResult serve_accountz(const ServerInfo& server, const std::vector<AccountSummary>& accounts,
                              const Query& query, SystemTime now);

}  // namespace tern::server::monitor
