// The eight subject index figures, written as nats-server's SublistStats members.
#pragma once

#include "server/monitor/json_writer.h"
#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// Writes the figures as members of the object being written (no braces).
void write_sublist_members(JsonWriter& json, const SublistInfo& sublist);

}  // namespace tern::server::monitor
