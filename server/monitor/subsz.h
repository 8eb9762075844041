// /subsz and /subscriptionsz: subject index statistics, and with ?subs=1 a page of subscriptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/monitor/query.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

struct SubszRequest {
  bool subs = false;
  std::int64_t offset = 0;
  std::int64_t limit = 1024;  // Already defaulted: 1024 when absent or <= 0.
  std::string test;           // A literal subject; only subscriptions matching it are listed.
  std::string account;        // acc=: only this account; "" for all.

  // Whether the caller must copy the subscriptions (of all connections) into the snapshot.
  bool wants_subscriptions() const { return subs; }
};

struct ParsedSubsz {
  SubszRequest request;
  std::string error;  // nats-server's 400 text; empty when the query is good.
  bool ok() const { return error.empty(); }
};

// Reads subs, offset, limit, test and acc in nats-server's order. A test subject that is not a
// literal (an empty token, or a '*' or '>' token) is a 400; like nats-server, whitespace is accepted.
ParsedSubsz parse_subsz(const Query& query);

// The body. `sublist` holds the global account's figures, the only account ternd has: with acc= naming
// another account they are all zero, as nats-server adds up the figures of the accounts it matched.
// Without a non-empty page the body is the eight statistics alone, as in nats-server.
std::string write_subsz(const ServerInfo& server, const SublistInfo& sublist,
                        const std::vector<SubscriptionInfo>& subscriptions, const SubszRequest& request,
                        SystemTime now);

}  // namespace tern::server::monitor
