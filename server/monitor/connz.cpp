#include "server/monitor/connz.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "server/monitor/json_writer.h"
#include "server/monitor/subscription_detail.h"
#include "server/monitor/time_format.h"

namespace tern::server::monitor {

namespace {

struct SortName {
  std::string_view name;
  ConnzSort sort;
};

constexpr std::array<SortName, 13> kSortNames{{
    {"cid", ConnzSort::kCid},
    {"start", ConnzSort::kStart},
    {"subs", ConnzSort::kSubs},
    {"pending", ConnzSort::kPending},
    {"msgs_to", ConnzSort::kMsgsTo},
    {"msgs_from", ConnzSort::kMsgsFrom},
    {"bytes_to", ConnzSort::kBytesTo},
    {"bytes_from", ConnzSort::kBytesFrom},
    {"last", ConnzSort::kLast},
    {"idle", ConnzSort::kIdle},
    {"uptime", ConnzSort::kUptime},
    {"stop", ConnzSort::kStop},
    {"reason", ConnzSort::kReason},
}};

std::string to_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The end of a connection's life for uptime and idle: its stop when closed, else now.
SystemTime end_of(const ConnectionInfo& c, SystemTime now) {
  return c.stop ? *c.stop : now;
}

// Sorts descending by `key` (or ascending when `ascending`), ties by ascending cid.
template <typename Key>
void sort_by(std::vector<const ConnectionInfo*>& list, Key key, bool ascending) {
  std::stable_sort(list.begin(), list.end(), [&](const ConnectionInfo* a, const ConnectionInfo* b) {
    return ascending ? key(*a) < key(*b) : key(*b) < key(*a);
  });
}

void sort_connections(std::vector<const ConnectionInfo*>& list, ConnzSort sort, SystemTime now) {
  std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->cid < b->cid; });
  switch (sort) {
    case ConnzSort::kCid:
    case ConnzSort::kStart:
      return;
    case ConnzSort::kSubs:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.subscription_count; }, false);
    case ConnzSort::kPending:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.pending_bytes; }, false);
    case ConnzSort::kMsgsTo:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.out_msgs; }, false);
    case ConnzSort::kMsgsFrom:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.in_msgs; }, false);
    case ConnzSort::kBytesTo:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.out_bytes; }, false);
    case ConnzSort::kBytesFrom:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.in_bytes; }, false);
    case ConnzSort::kLast:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.last_activity; }, false);
    case ConnzSort::kIdle:
      // nats-server's byIdle compares last_activity - start (time active), not the idle time.
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.last_activity - c.start; }, false);
    case ConnzSort::kUptime:
      return sort_by(
          list, [now](const ConnectionInfo& c) { return end_of(c, now) - c.start; }, true);
    case ConnzSort::kStop:
      return sort_by(
          list, [](const ConnectionInfo& c) { return c.stop.value_or(SystemTime{}); }, false);
    case ConnzSort::kReason:
      return sort_by(
          list, [](const ConnectionInfo& c) { return std::string_view{c.reason}; }, true);
  }
}

void write_connection(JsonWriter& json, const ConnectionInfo& c, const ConnzRequest& request,
                      SystemTime now) {
  const SystemTime end = end_of(c, now);
  json.begin_object();
  json.field("cid", c.cid);
  json.field("kind", "Client");
  json.field("type", "nats");
  json.field("ip", c.ip);
  json.field("port", c.port);
  json.field("start", format_rfc3339_local(c.start));
  json.field("last_activity", format_rfc3339_local(c.last_activity));
  if (c.stop) json.field("stop", format_rfc3339_local(*c.stop));
  if (!c.reason.empty()) json.field("reason", c.reason);
  json.field("rtt", format_rtt(c.rtt));
  json.field("uptime", format_uptime(end - c.start));
  json.field("idle", format_uptime(end - c.last_activity));
  json.field("pending_bytes", c.pending_bytes);
  json.field("in_msgs", c.in_msgs);
  json.field("out_msgs", c.out_msgs);
  json.field("in_bytes", c.in_bytes);
  json.field("out_bytes", c.out_bytes);
  json.field("subscriptions", c.subscription_count);
  if (!c.name.empty()) json.field("name", c.name);
  if (!c.lang.empty()) json.field("lang", c.lang);
  if (!c.version.empty()) json.field("version", c.version);
  // Detail replaces the plain list; either is left out when the connection has no subscriptions.
  if (request.subs_detail && !c.subscriptions.empty()) {
    json.key("subscriptions_list_detail");
    json.begin_array();
    // nats-server keeps a closed connection's subscriptions as /subsz details, account included.
    for (const auto& sub : c.subscriptions)
      write_subscription_detail(json, sub, c.stop.has_value());
    json.end_array();
  } else if (request.subs && !c.subscriptions.empty()) {
    json.key("subscriptions_list");
    json.begin_array();
    for (const auto& sub : c.subscriptions)
      json.string(sub.subject);
    json.end_array();
  }
  json.end_object();
}

}  // namespace

ParsedConnz parse_connz(const Query& query) {
  ParsedConnz parsed;
  ConnzRequest& request = parsed.request;

  const auto auth = decode_bool(query, "auth");
  if (!auth.ok()) return {request, auth.error};
  request.auth = auth.value;

  // "detail" (any case) asks for the detailed list; anything else must be a bool.
  request.subs_detail = to_lower(query.get("subs")) == "detail";
  if (!request.subs_detail) {
    const auto subs = decode_bool(query, "subs");
    if (!subs.ok()) return {request, subs.error};
    request.subs = subs.value;
  }

  const auto offset = decode_int(query, "offset");
  if (!offset.ok()) return {request, offset.error};
  const auto limit = decode_int(query, "limit");
  if (!limit.ok()) return {request, limit.error};
  const auto cid = decode_uint64(query, "cid");
  if (!cid.ok()) return {request, cid.error};

  const std::string state = query.get("state");
  const std::string lower_state = to_lower(state);
  if (state.empty() || lower_state == "open") {
    request.state = ConnzState::kOpen;
  } else if (lower_state == "closed") {
    request.state = ConnzState::kClosed;
  } else if (lower_state == "all" || lower_state == "any") {
    request.state = ConnzState::kAll;
  } else {
    return {request, "Error decoding state for " + state};
  }

  // Sort names are case-sensitive in nats-server.
  const std::string sort = query.get("sort");
  if (!sort.empty()) {
    const auto found = std::find_if(kSortNames.begin(), kSortNames.end(),
                                    [&](const SortName& entry) { return entry.name == sort; });
    if (found == kSortNames.end()) return {request, "invalid sorting option: " + sort};
    request.sort = found->sort;
  }
  if (request.sort == ConnzSort::kStop && request.state != ConnzState::kClosed) {
    return {request, "sort by stop only valid on closed connections"};
  }
  if (request.sort == ConnzSort::kReason && request.state != ConnzState::kClosed) {
    return {request, "sort by reason only valid on closed connections"};
  }

  request.offset = std::max<std::int64_t>(offset.value, 0);
  request.limit = limit.value <= 0 ? 1024 : limit.value;
  request.cid = cid.value;
  if (request.cid > 0) request.limit = 1;
  return parsed;
}

std::string write_connz(const ServerInfo& server, std::vector<ConnectionInfo> open,
                        std::vector<ConnectionInfo> closed, const ConnzRequest& request, SystemTime now) {
  if (!request.wants_open()) open.clear();
  if (!request.wants_closed()) closed.clear();
  // `total` counts the state's connections before cid= and paging narrow them.
  const std::size_t total = open.size() + closed.size();

  std::vector<const ConnectionInfo*> list;
  if (request.cid > 0) {
    // nats-server looks a cid up among closed connections for state=closed and state=all, and among
    // open ones only for state=open: with state=all an open connection's cid finds nothing.
    const auto& pool = request.wants_closed() ? closed : open;
    const auto found =
        std::find_if(pool.begin(), pool.end(), [&](const ConnectionInfo& c) { return c.cid == request.cid; });
    if (found != pool.end()) list.push_back(&*found);
  } else {
    for (const auto& c : open)
      list.push_back(&c);
    for (const auto& c : closed)
      list.push_back(&c);
  }
  sort_connections(list, request.sort, now);

  const auto size = static_cast<std::int64_t>(list.size());
  const std::int64_t first = std::min(request.offset, size);
  // Both are non-negative, so comparing limit with the room left avoids overflowing their sum.
  const std::int64_t last = request.limit >= size - first ? size : first + request.limit;

  JsonWriter json;
  json.begin_object();
  json.field("server_id", server.server_id);
  json.field("now", format_rfc3339_utc(now));
  json.field("num_connections", last - first);
  json.field("total", static_cast<std::uint64_t>(total));
  json.field("offset", request.offset);
  json.field("limit", request.limit);
  json.key("connections");
  json.begin_array();
  for (std::int64_t i = first; i < last; ++i) {
    write_connection(json, *list[static_cast<std::size_t>(i)], request, now);
  }
  json.end_array();
  json.end_object();
  return json.take();
}

}  // namespace tern::server::monitor
