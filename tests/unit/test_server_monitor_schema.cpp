// Side by side with nats-server: the field names and JSON types of each endpoint's body, against bodies
// recorded from nats-server 2.9.10 for an equivalent state (tests/data/monitor, re-recorded with
// tests/data/monitor/capture.sh). Values differ (ids, times); the schema must not, except for the
// fields the contract excludes, listed per endpoint below.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "tests/support/json_type.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "server/monitor/accountz.h"
#include "server/monitor/connz.h"
#include "server/monitor/healthz.h"
#include "server/monitor/inactive_features.h"
#include "server/monitor/jsz.h"
#include "server/monitor/subsz.h"
#include "server/monitor/varz.h"

using namespace std::chrono_literals;
using namespace tern::server::monitor;

namespace {

using Schema = std::set<std::string>;

const SystemTime kBase{std::chrono::seconds{1796473846}};

// The maps keyed by data: their keys are collapsed to "*".
const std::set<std::string> kMaps{"http_req_stats", "outbound_gateways", "inbound_gateways"};

void collect(const simdjson::dom::element& value, const std::string& path, Schema& out) {
  out.insert(path + ":" + tern::test::json_type_name(value, /*integers_apart=*/false));
  if (value.is_object()) {
    for (const auto field : value.get_object()) {
      const std::string key{field.key};
      const std::string child = path.empty() ? key : path + "." + (kMaps.count(path) ? "*" : key);
      collect(field.value, child, out);
    }
  } else if (value.is_array()) {
    for (const auto item : value.get_array())
      collect(item, path + "[]", out);
  }
}

Schema schema_of(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const auto error = parser.parse(json).get(root);
  REQUIRE(error == simdjson::SUCCESS);
  Schema schema;
  collect(root, "", schema);
  return schema;
}

// The recorded body's schema, without the paths (and their children) the contract leaves out.
Schema recorded(const std::string& name, const std::vector<std::string>& excluded = {}) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / "data" / "monitor" / name;
  std::ifstream file(path);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  Schema schema = schema_of(text.str());
  for (auto it = schema.begin(); it != schema.end();) {
    bool drop = false;
    for (const auto& prefix : excluded) {
      drop = drop || it->rfind(prefix + ":", 0) == 0 || it->rfind(prefix + ".", 0) == 0 ||
             it->rfind(prefix + "[]", 0) == 0;
    }
    it = drop ? schema.erase(it) : std::next(it);
  }
  return schema;
}

ServerInfo server() {
  ServerInfo info;
  info.server_id = "NSERVER";
  info.server_name = "NSERVER";
  info.version = "2.9.10";
  info.go = "ternd";
  info.start = kBase;
  info.config_load_time = kBase;
  info.cpu = 2;
  info.http_req_stats = {{"/varz", 1}};
  return info;
}

SublistInfo sublist() {
  SublistInfo s;
  s.cache_hit_rate = 0.5;
  s.avg_fanout = 0.8;
  return s;
}

// The state capture.sh makes: "keeper" open with foo.* and foo.bar (queue, max 5), "gone" closed.
ConnectionInfo keeper() {
  ConnectionInfo c;
  c.cid = 5;
  c.ip = "127.0.0.1";
  c.port = 45802;
  c.start = c.last_activity = kBase;
  c.rtt = 506us;
  c.subscription_count = 2;
  c.name = "keeper";
  c.lang = "py";
  c.version = "1.0";
  c.subscriptions = {{"foo.*", "", "1", 1, 0, 5}, {"foo.bar", "workers", "2", 0, 5, 5}};
  return c;
}

ConnectionInfo gone() {
  ConnectionInfo c;
  c.cid = 4;
  c.ip = "127.0.0.1";
  c.port = 45790;
  c.start = c.last_activity = kBase;
  c.stop = kBase + 1s;
  c.reason = "Read Error";
  c.subscription_count = 1;
  c.name = "gone";
  c.lang = "py";
  c.version = "1.0";
  c.subscriptions = {{"a.b", "", "9", 1, 0, 4}};
  return c;
}

std::string connz(const std::string& query) {
  const auto parsed = parse_connz(Query{query});
  REQUIRE(parsed.ok());
  return write_connz(server(), {keeper()}, {gone()}, parsed.request, kBase + 2s);
}

}  // namespace

TEST_CASE("varz has nats-server's fields and types", "[monitor][schema]") {
  CHECK(schema_of(write_varz(server(), kBase + 1s)) == recorded("varz.json", {"system_account"}));
}

TEST_CASE("connz has nats-server's fields and types", "[monitor][schema]") {
  CHECK(schema_of(connz("subs=detail")) == recorded("connz_detail.json"));
  CHECK(schema_of(connz("subs=1")) == recorded("connz_subs.json"));
  CHECK(schema_of(connz("state=closed&subs=detail")) == recorded("connz_closed.json"));
}

TEST_CASE("subsz has nats-server's fields and types", "[monitor][schema]") {
  std::vector<SubscriptionInfo> subs = keeper().subscriptions;
  const auto plain = parse_subsz(Query{""});
  CHECK(schema_of(write_subsz(server(), sublist(), subs, plain.request, kBase)) == recorded("subsz.json"));
  const auto listed = parse_subsz(Query{"subs=1"});
  CHECK(schema_of(write_subsz(server(), sublist(), subs, listed.request, kBase)) ==
        recorded("subsz_subs.json"));
}

TEST_CASE("accountz has nats-server's fields and types", "[monitor][schema]") {
  AccountSummary global;
  global.name = "$G";
  global.sublist = sublist();
  const std::vector<AccountSummary> accounts{global};
  CHECK(schema_of(serve_accountz(server(), accounts, Query{""}, kBase).body) ==
        recorded("accountz.json", {"system_account"}));
  CHECK(schema_of(serve_accountz(server(), accounts, Query{"acc=$G"}, kBase).body) ==
        recorded("accountz_detail.json", {"system_account", "account_detail.imports"}));
}

TEST_CASE("the other endpoints have nats-server's fields and types", "[monitor][schema]") {
  CHECK(schema_of(serve_routez(server(), Query{""}, kBase).body) == recorded("routez.json"));
  CHECK(schema_of(serve_gatewayz(server(), Query{""}, kBase).body) == recorded("gatewayz.json"));
  CHECK(schema_of(serve_leafz(server(), Query{""}, kBase).body) == recorded("leafz.json"));
  CHECK(schema_of(serve_jsz(server(), Query{""}, kBase).body) == recorded("jsz.json"));
  CHECK(schema_of(serve_healthz(Query{""}).body) == recorded("healthz.json"));
}

namespace {

// A file stream and a memory stream, as capture_jetstream.sh makes them.
JetStreamInfo jetstream() {
  JetStreamInfo info;
  info.max_memory = 1 << 30;
  info.max_storage = 1 << 30;
  info.store_dir = "/tmp/store/jetstream";
  info.memory = 22;
  info.storage = 129;
  info.api_total = 2;
  info.streams = 2;
  info.messages = 4;
  info.bytes = 151;
  for (const char* name : {"MEMO", "ORDERS"}) {
    JetStreamStreamInfo& stream = info.stream_details.emplace_back();
    stream.name = name;
    stream.created_ns = 1796473847528800151;
    stream.state = {1, 22, 1, 1796473847529582082, 1, 1796473847529582082, 1, 0};
    // A validated configuration, as a stream holds it.
    tern::server::jetstream::StreamConfig config;
    config.name = name;
    config.subjects = {name};
    config.max_consumers = config.max_msgs = config.max_bytes = config.max_msgs_per_subject = -1;
    config.max_msg_size = -1;
    config.storage = tern::server::jetstream::StorageType::kFile;
    config.num_replicas = 1;
    config.duplicate_window_ns = 120'000'000'000;
    stream.config = config;
  }
  return info;
}

}  // namespace

TEST_CASE("jsz and varz with JetStream on have nats-server's fields and types", "[monitor][schema][jsz]") {
  const JetStreamInfo info = jetstream();
  CHECK(schema_of(serve_jsz(server(), Query{""}, kBase, &info).body) == recorded("jsz_jetstream.json"));
  CHECK(schema_of(serve_jsz(server(), Query{"streams=true&config=true"}, kBase, &info).body) ==
        recorded("jsz_jetstream_streams.json"));
  ServerInfo with_jetstream = server();
  with_jetstream.jetstream = info;
  CHECK(schema_of(write_varz(with_jetstream, kBase + 1s)) ==
        recorded("varz_jetstream.json", {"system_account"}));
}
