#include "server/monitor/subsz.h"

#include <algorithm>
#include <string_view>

#include "protocol/subject.h"
#include "server/monitor/json_writer.h"
#include "server/monitor/sublist_stats.h"
#include "server/monitor/subscription_detail.h"
#include "server/monitor/time_format.h"

namespace tern::server::monitor {

namespace {

constexpr std::string_view kGlobalAccount = "$G";

// nats-server's IsValidLiteralSubject: no empty token and no wildcard token; unlike a publish subject
// on the wire, whitespace is not checked.
bool is_literal_test_subject(std::string_view subject) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = subject.find('.', start);
    const std::string_view token = subject.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (token.empty() || token == "*" || token == ">") return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

ParsedSubsz parse_subsz(const Query& query) {
  ParsedSubsz parsed;
  SubszRequest& request = parsed.request;
  const auto subs = decode_bool(query, "subs");
  if (!subs.ok()) return {request, subs.error};
  const auto offset = decode_int(query, "offset");
  if (!offset.ok()) return {request, offset.error};
  const auto limit = decode_int(query, "limit");
  if (!limit.ok()) return {request, limit.error};
  request.subs = subs.value;
  request.offset = std::max<std::int64_t>(offset.value, 0);
  request.limit = limit.value <= 0 ? 1024 : limit.value;
  request.test = query.get("test");
  request.account = query.get("acc");
  if (!request.test.empty() && !is_literal_test_subject(request.test)) {
    return {request, "invalid test subject, must be valid publish subject: " + request.test};
  }
  return parsed;
}

std::string write_subsz(const ServerInfo& server, const SublistInfo& sublist,
                        const std::vector<SubscriptionInfo>& subscriptions, const SubszRequest& request,
                        SystemTime now) {
  const bool account_matches = request.account.empty() || request.account == kGlobalAccount;
  const SublistInfo figures = account_matches ? sublist : SublistInfo{};

  std::vector<const SubscriptionInfo*> matching;
  if (request.subs) {
    for (const auto& sub : subscriptions) {
      if (!request.account.empty() && sub.account != request.account) continue;
      if (!request.test.empty() && !protocol::subject_matches(sub.subject, request.test)) continue;
      matching.push_back(&sub);
    }
  }
  const auto size = static_cast<std::int64_t>(matching.size());
  const std::int64_t first = std::min(request.offset, size);
  const std::int64_t last = request.limit >= size - first ? size : first + request.limit;

  JsonWriter json;
  json.begin_object();
  if (first == last) {
    // nats-server marshals only the embedded SublistStats when the page is empty.
    write_sublist_members(json, figures);
    json.end_object();
    return json.take();
  }
  json.field("server_id", server.server_id);
  json.field("now", format_rfc3339_utc(now));
  write_sublist_members(json, figures);
  // nats-server's `total` is the size of this page, not the number of matches.
  json.field("total", last - first);
  json.field("offset", request.offset);
  json.field("limit", request.limit);
  json.key("subscriptions_list");
  json.begin_array();
  for (std::int64_t i = first; i < last; ++i)
    write_subscription_detail(json, *matching[static_cast<std::size_t>(i)], true);
  json.end_array();
  json.end_object();
  return json.take();
}

}  // namespace tern::server::monitor
