#include "server/monitor/accountz.h"

#include <algorithm>

#include "server/monitor/json_writer.h"
#include "server/monitor/sublist_stats.h"
#include "server/monitor/time_format.h"

namespace tern::server::monitor {

namespace {

void write_account_detail(JsonWriter& json, const AccountSummary& account) {
  // AccountInfo's field order; is_system and the JWT fields are omitempty and never set here.
  json.key("account_detail");
  json.begin_object();
  json.field("account_name", account.name);
  json.field("update_time", format_rfc3339_local(account.update_time));
  json.field("expired", false);
  json.field("complete", true);
  json.field("jetstream_enabled", account.jetstream_enabled);
  json.field("leafnode_connections", 0);
  json.field("client_connections", account.client_connections);
  json.field("subscriptions", account.subscriptions);
  json.key("sublist_stats");
  json.begin_object();
  write_sublist_members(json, account.sublist);
  json.end_object();
  json.end_object();
}

}  // namespace

EndpointResult serve_accountz(const ServerInfo& server, const std::vector<AccountSummary>& accounts,
                              const Query& query, SystemTime now) {
  const std::string name = query.get("acc");
  const auto found = std::find_if(accounts.begin(), accounts.end(),
                                  [&](const AccountSummary& account) { return account.name == name; });
  if (!name.empty() && found == accounts.end()) return bad_request("Account " + name + " does not exist");

  JsonWriter json;
  json.begin_object();
  json.field("server_id", server.server_id);
  json.field("now", format_rfc3339_utc(now));
  if (name.empty()) {
    // nats-server starts from an empty slice, so `accounts` is omitted only if there are none.
    if (!accounts.empty()) {
      json.key("accounts");
      json.begin_array();
      for (const auto& account : accounts)
        json.string(account.name);
      json.end_array();
    }
  } else {
    write_account_detail(json, *found);
  }
  json.end_object();
  return json_result(json.take(), query);
}

}  // namespace tern::server::monitor
