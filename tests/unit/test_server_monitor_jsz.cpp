// /jsz and /varz `jetstream` with JetStream on: exact bodies for made-up snapshots (the texts are
// nats-server 2.9.10's for the same figures, with times and ids replaced), the query's filters, and the
// disabled shapes.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

#include "server/jetstream/stream_config.h"
#include "server/monitor/jsz.h"
#include "server/monitor/varz.h"

using namespace std::chrono_literals;
using namespace tern::server::monitor;
namespace js = tern::server::jetstream;

namespace {

// 2026-12-05T12:30:46Z.
const SystemTime kBase{std::chrono::seconds{1796473846}};

ServerInfo server() {
  setenv("TZ", "UTC", 1);
  tzset();
  ServerInfo info;
  info.server_id = "NSERVER";
  info.server_name = "tern-1";
  info.version = "2.9.10";
  info.start = kBase;
  info.config_load_time = kBase;
  return info;
}

js::StreamConfig memo_config() {
  js::StreamConfig config;
  config.name = "MEMO";
  config.subjects = {"memo"};
  config.max_consumers = -1;
  config.max_msgs = 100;
  config.max_bytes = -1;
  config.max_msgs_per_subject = -1;
  config.max_msg_size = -1;
  config.storage = js::StorageType::kMemory;
  config.num_replicas = 1;
  config.duplicate_window_ns = 120'000'000'000;
  return config;
}

// Two streams: ORDERS (file, three messages on one subject) and MEMO (memory, one message).
JetStreamInfo jetstream(bool details, bool configs) {
  JetStreamInfo info;
  info.max_memory = 18957115392;
  info.max_storage = 60572359680;
  info.store_dir = "/data/jetstream";
  info.memory = 22;
  info.storage = 129;
  info.api_total = 3;
  info.api_errors = 1;
  info.streams = 2;
  info.messages = 4;
  info.bytes = 151;
  if (details) {
    JetStreamStreamInfo& memo = info.stream_details.emplace_back();
    memo.name = "MEMO";
    memo.created_ns = 1796473847528800151;
    memo.state = {1, 22, 1, 1796473847529582082, 1, 1796473847529582082, 1, 0};
    if (configs) memo.config = memo_config();
    JetStreamStreamInfo& orders = info.stream_details.emplace_back();
    orders.name = "ORDERS";
    orders.created_ns = 1796473847513971244;
    orders.state = {3, 129, 1, 1796473847529336036, 3, 1796473847529572900, 1, 0};
  }
  return info;
}

std::string jsz(const std::string& query, const JetStreamInfo* info) {
  const auto result = serve_jsz(server(), Query{query}, kBase, info);
  REQUIRE(result.status == 200);
  return result.body;
}

const char* const kHead =
    "{\n"
    "  \"server_id\": \"NSERVER\",\n"
    "  \"now\": \"2026-12-05T12:30:46Z\",\n"
    "  \"config\": {\n"
    "    \"max_memory\": 18957115392,\n"
    "    \"max_storage\": 60572359680,\n"
    "    \"store_dir\": \"/data/jetstream\"\n"
    "  },\n"
    "  \"memory\": 22,\n"
    "  \"storage\": 129,\n"
    "  \"reserved_memory\": 0,\n"
    "  \"reserved_storage\": 0,\n"
    "  \"accounts\": 1,\n"
    "  \"ha_assets\": 0,\n"
    "  \"api\": {\n"
    "    \"total\": 3,\n"
    "    \"errors\": 1\n"
    "  },\n"
    "  \"streams\": 2,\n"
    "  \"consumers\": 0,\n"
    "  \"messages\": 4,\n"
    "  \"bytes\": 151";

const char* const kAccountHead =
    ",\n"
    "  \"account_details\": [\n"
    "    {\n"
    "      \"name\": \"$G\",\n"
    "      \"id\": \"$G\",\n"
    "      \"memory\": 22,\n"
    "      \"storage\": 129,\n"
    "      \"reserved_memory\": 18446744073709551615,\n"
    "      \"reserved_storage\": 18446744073709551615,\n"
    "      \"accounts\": 0,\n"
    "      \"ha_assets\": 0,\n"
    "      \"api\": {\n"
    "        \"total\": 3,\n"
    "        \"errors\": 1\n"
    "      }";

const char* const kAccountTail =
    "\n"
    "    }\n"
    "  ]";

const char* const kMemoConfig =
    "          \"config\": {\n"
    "            \"name\": \"MEMO\",\n"
    "            \"subjects\": [\n"
    "              \"memo\"\n"
    "            ],\n"
    "            \"retention\": \"limits\",\n"
    "            \"max_consumers\": -1,\n"
    "            \"max_msgs\": 100,\n"
    "            \"max_bytes\": -1,\n"
    "            \"max_age\": 0,\n"
    "            \"max_msgs_per_subject\": -1,\n"
    "            \"max_msg_size\": -1,\n"
    "            \"discard\": \"old\",\n"
    "            \"storage\": \"memory\",\n"
    "            \"num_replicas\": 1,\n"
    "            \"duplicate_window\": 120000000000,\n"
    "            \"allow_direct\": false,\n"
    "            \"mirror_direct\": false,\n"
    "            \"sealed\": false,\n"
    "            \"deny_delete\": false,\n"
    "            \"deny_purge\": false,\n"
    "            \"allow_rollup_hdrs\": false\n"
    "          },\n";

std::string streams_text(bool with_config) {
  return std::string(
             ",\n"
             "      \"stream_detail\": [\n"
             "        {\n"
             "          \"name\": \"MEMO\",\n"
             "          \"created\": \"2026-12-05T12:30:47.528800151Z\",\n"
             "          \"cluster\": {\n"
             "            \"leader\": \"tern-1\"\n"
             "          },\n") +
         (with_config ? kMemoConfig : "") +
         "          \"state\": {\n"
         "            \"messages\": 1,\n"
         "            \"bytes\": 22,\n"
         "            \"first_seq\": 1,\n"
         "            \"first_ts\": \"2026-12-05T12:30:47.529582082Z\",\n"
         "            \"last_seq\": 1,\n"
         "            \"last_ts\": \"2026-12-05T12:30:47.529582082Z\",\n"
         "            \"num_subjects\": 1,\n"
         "            \"consumer_count\": 0\n"
         "          }\n"
         "        },\n"
         "        {\n"
         "          \"name\": \"ORDERS\",\n"
         "          \"created\": \"2026-12-05T12:30:47.513971244Z\",\n"
         "          \"cluster\": {\n"
         "            \"leader\": \"tern-1\"\n"
         "          },\n"
         "          \"state\": {\n"
         "            \"messages\": 3,\n"
         "            \"bytes\": 129,\n"
         "            \"first_seq\": 1,\n"
         "            \"first_ts\": \"2026-12-05T12:30:47.529336036Z\",\n"
         "            \"last_seq\": 3,\n"
         "            \"last_ts\": \"2026-12-05T12:30:47.5295729Z\",\n"
         "            \"num_subjects\": 1,\n"
         "            \"consumer_count\": 0\n"
         "          }\n"
         "        }\n"
         "      ]";
}

const std::string kPlain = std::string(kHead) + "\n}";
const std::string kWithAccount = std::string(kHead) + kAccountHead + kAccountTail + "\n}";

}  // namespace

TEST_CASE("jsz with JetStream on: totals, config and stats", "[monitor][jsz]") {
  const auto info = jetstream(false, false);
  CHECK(jsz("", &info) == kPlain);
  // The standalone server is the leader.
  CHECK(jsz("leader-only=true", &info) == kPlain);
  // An account that does not exist lists nothing.
  CHECK(jsz("acc=nope", &info) == kPlain);
}

TEST_CASE("jsz account details follow accounts, acc, offset and limit", "[monitor][jsz]") {
  const auto info = jetstream(false, false);
  CHECK(jsz("accounts=true", &info) == kWithAccount);
  CHECK(jsz("acc=$G", &info) == kWithAccount);
  CHECK(jsz("acc=nope&accounts=1", &info) == kWithAccount);
  CHECK(jsz("accounts=true&limit=0", &info) == kWithAccount);
  CHECK(jsz("accounts=true&limit=1", &info) == kWithAccount);
  CHECK(jsz("accounts=true&offset=1", &info) == kPlain);
  CHECK(jsz("accounts=true&offset=7", &info) == kPlain);
  // nats-server panics on these; ternd takes them as no offset and no limit.
  CHECK(jsz("accounts=true&offset=-1", &info) == kWithAccount);
  CHECK(jsz("accounts=true&limit=-1", &info) == kWithAccount);
}

TEST_CASE("jsz stream details, with and without configs", "[monitor][jsz]") {
  const auto with_streams = jetstream(true, false);
  const std::string streams = std::string(kHead) + kAccountHead + streams_text(false) + kAccountTail + "\n}";
  CHECK(jsz("streams=true", &with_streams) == streams);
  // Consumers imply streams (and there are no consumers to list).
  CHECK(jsz("consumers=true", &with_streams) == streams);
  CHECK(jsz("acc=$G&streams=1", &with_streams) == streams);
  // config without streams adds nothing.
  const auto no_streams = jetstream(false, false);
  CHECK(jsz("config=true", &no_streams) == kPlain);
  const auto with_configs = jetstream(true, true);
  CHECK(jsz("streams=true&config=true", &with_configs) ==
        std::string(kHead) + kAccountHead + streams_text(true) + kAccountTail + "\n}");
  // No streams at all: stream_detail is left out, as Go omits an empty slice.
  auto empty = jetstream(false, false);
  empty.streams = 0;
  CHECK(jsz("streams=true", &empty).find("stream_detail") == std::string::npos);
}

TEST_CASE("jsz domain, JSONP and query errors with JetStream on", "[monitor][jsz]") {
  auto info = jetstream(false, false);
  info.domain = "hub";
  CHECK(jsz("", &info).find("    \"store_dir\": \"/data/jetstream\",\n    \"domain\": \"hub\"\n  },\n") !=
        std::string::npos);
  const auto jsonp = serve_jsz(server(), Query{"callback=cb"}, kBase, &info);
  CHECK(jsonp.content_type == "application/javascript");
  CHECK(jsonp.body.rfind("cb({\n", 0) == 0);
  CHECK(serve_jsz(server(), Query{"streams=x"}, kBase, &info).body ==
        "Error decoding boolean for 'streams': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(serve_jsz(server(), Query{"offset=x"}, kBase, &info).status == 400);
}

TEST_CASE("jsz query defaults", "[monitor][jsz]") {
  const auto parsed = parse_jsz(Query{"consumers=1"});
  REQUIRE(parsed.ok());
  CHECK(parsed.request.streams);
  CHECK(parsed.request.accounts);
  CHECK(parsed.request.limit == 1024);
  CHECK(jsz_wants_stream_details(parsed.request));
  CHECK_FALSE(jsz_wants_stream_details(parse_jsz(Query{"accounts=1&config=1"}).request));
}

TEST_CASE("varz jetstream: config and stats when on, {} when off", "[monitor][jsz][varz]") {
  ServerInfo info = server();
  const std::string off = write_varz(info, kBase);
  CHECK(off.find("  \"jetstream\": {},\n") != std::string::npos);
  info.jetstream = jetstream(false, false);
  const std::string on = write_varz(info, kBase);
  CHECK(on.find("  \"websocket\": {},\n"
                "  \"jetstream\": {\n"
                "    \"config\": {\n"
                "      \"max_memory\": 18957115392,\n"
                "      \"max_storage\": 60572359680,\n"
                "      \"store_dir\": \"/data/jetstream\"\n"
                "    },\n"
                "    \"stats\": {\n"
                "      \"memory\": 22,\n"
                "      \"storage\": 129,\n"
                "      \"reserved_memory\": 0,\n"
                "      \"reserved_storage\": 0,\n"
                "      \"accounts\": 1,\n"
                "      \"ha_assets\": 0,\n"
                "      \"api\": {\n"
                "        \"total\": 3,\n"
                "        \"errors\": 1\n"
                "      }\n"
                "    }\n"
                "  },\n"
                "  \"tls_timeout\": ") != std::string::npos);
}
