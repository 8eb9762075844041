#include "server/monitor/sublist_stats.h"

namespace tern::server::monitor {

void write_sublist_members(JsonWriter& json, const SublistInfo& sublist) {
  json.field("num_subscriptions", sublist.num_subscriptions);
  json.field("num_cache", sublist.num_cache);
  json.field("num_inserts", sublist.num_inserts);
  json.field("num_removes", sublist.num_removes);
  json.field("num_matches", sublist.num_matches);
  json.field("cache_hit_rate", sublist.cache_hit_rate);
  json.field("max_fanout", sublist.max_fanout);
  json.field("avg_fanout", sublist.avg_fanout);
}

}  // namespace tern::server::monitor
