#include "server/monitor/subscription_detail.h"

namespace tern::server::monitor {

void write_subscription_detail(JsonWriter& json, const SubscriptionInfo& sub, bool with_account) {
  // SubDetail's field order; account, qgroup and max are omitempty.
  json.begin_object();
  if (with_account && !sub.account.empty()) json.field("account", sub.account);
  json.field("subject", sub.subject);
  if (!sub.queue.empty()) json.field("qgroup", sub.queue);
  json.field("sid", sub.sid);
  json.field("msgs", sub.msgs);
  if (sub.max != 0) json.field("max", sub.max);
  json.field("cid", sub.cid);
  json.end_object();
}

}  // namespace tern::server::monitor
