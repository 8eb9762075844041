// One subscription as nats-server's SubDetail: in /connz?subs=detail and in /subsz?subs=1.
#pragma once

#include "server/monitor/json_writer.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// Writes the object. /connz leaves the account out for open connections; nats-server fills it in
// /subsz and for closed connections, whose subscriptions it kept as /subsz details.
void write_subscription_detail(JsonWriter& json, const SubscriptionInfo& sub, bool with_account);

}  // namespace tern::server::monitor
