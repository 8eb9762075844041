// /connz: its query, then the body for the connections the caller copied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/monitor/query.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// nats-server's sort options. Every order descends except kCid/kStart (ascending cid), kUptime
// (shortest uptime first) and kReason (A-Z).
enum class ConnzSort : std::uint8_t {
  kCid,
  kStart,
  kSubs,
  kPending,
  kMsgsTo,
  kMsgsFrom,
  kBytesTo,
  kBytesFrom,
  kLast,
  kIdle,
  kUptime,
  kStop,
  kReason,
};

enum class ConnzState : std::uint8_t { kOpen, kClosed, kAll };

struct ConnzRequest {
  ConnzSort sort = ConnzSort::kCid;
  bool auth = false;  // Accepted; ternd has no users or accounts to add.
  bool subs = false;
  bool subs_detail = false;
  std::int64_t offset = 0;
  std::int64_t limit = 1024;  // Already defaulted: 1024 when absent or <= 0, and 1 with cid.
  std::uint64_t cid = 0;      // 0: every connection.
  ConnzState state = ConnzState::kOpen;

  // Whether the caller must copy each connection's subscriptions into the snapshot.
  bool wants_subscriptions() const { return subs || subs_detail; }
  bool wants_open() const { return state != ConnzState::kClosed; }
  bool wants_closed() const { return state != ConnzState::kOpen; }
};

struct ParsedConnz {
  ConnzRequest request;
  std::string error;  // nats-server's 400 text; empty when the query is good.
  bool ok() const { return error.empty(); }
};

// Reads the query in nats-server's order, so that with several bad parameters the same one is
// reported: auth, subs, offset, limit, cid, state, then the sort option.
ParsedConnz parse_connz(const Query& query);

// The /connz body. `open` and `closed` are the connections of the kinds the request wants (the others
// are ignored), with subscription lists when wants_subscriptions(); closed ones oldest first.
// Ties in a sort keep ascending cid (nats-server leaves their order to chance).
std::string write_connz(const ServerInfo& server, std::vector<ConnectionInfo> open,
                        std::vector<ConnectionInfo> closed, const ConnzRequest& request, SystemTime now);

}  // namespace tern::server::monitor
