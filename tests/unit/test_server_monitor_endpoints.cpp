// /varz, /subsz, /accountz, /healthz, the endpoints of absent features and the root page: exact bodies
// for fixed snapshots, query checks and JSONP.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "server/monitor/accountz.h"
#include "server/monitor/healthz.h"
#include "server/monitor/inactive_features.h"
#include "server/monitor/jsz.h"
#include "server/monitor/root_page.h"
#include "server/monitor/subsz.h"
#include "server/monitor/varz.h"

using namespace std::chrono_literals;
using namespace tern::server::monitor;

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
  info.go = "ternd 0.1.0";
  info.host = "127.0.0.1";
  info.port = 4222;
  info.max_connections = 65536;
  info.ping_interval = 2min;
  info.ping_max = 2;
  info.http_host = "127.0.0.1";
  info.http_port = 8222;
  info.auth_timeout_seconds = 2;
  info.max_control_line = 4096;
  info.max_payload = 1048576;
  info.max_pending = 67108864;
  info.write_deadline = 10s;
  info.start = kBase + 141248230ns;
  info.config_load_time = info.start;
  info.mem = 11931648;
  info.cores = 2;
  info.cpu = 0.5;
  info.connections = 3;
  info.total_connections = 7;
  info.in_msgs = 10;
  info.out_msgs = 30;
  info.in_bytes = 100;
  info.out_bytes = 300;
  info.slow_consumers = 1;
  info.subscriptions = 4;
  info.http_req_stats = {{"/varz", 2}, {"/connz", 1}};
  return info;
}

SublistInfo sublist() {
  SublistInfo s;
  s.num_subscriptions = 3;
  s.num_cache = 5;
  s.num_inserts = 4;
  s.num_removes = 1;
  s.num_matches = 9;
  s.cache_hit_rate = 0.25;
  s.max_fanout = 2;
  s.avg_fanout = 0.8;
  return s;
}

const char* const kSublistText =
    "  \"num_subscriptions\": 3,\n"
    "  \"num_cache\": 5,\n"
    "  \"num_inserts\": 4,\n"
    "  \"num_removes\": 1,\n"
    "  \"num_matches\": 9,\n"
    "  \"cache_hit_rate\": 0.25,\n"
    "  \"max_fanout\": 2,\n"
    "  \"avg_fanout\": 0.8";

std::vector<SubscriptionInfo> subscriptions() {
  return {{"foo.*", "", "1", 2, 0, 1, "$G"},
          {"foo.bar", "workers", "2", 0, 5, 1, "$G"},
          {"baz", "", "1", 7, 0, 2, "$G"}};
}

std::string subsz(const std::string& query) {
  const auto parsed = parse_subsz(Query{query});
  REQUIRE(parsed.ok());
  return write_subsz(server(), sublist(), subscriptions(), parsed.request, kBase + 1s);
}

}  // namespace

TEST_CASE("varz for a fixed snapshot", "[monitor][varz]") {
  CHECK(write_varz(server(), kBase + 3723s) ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"server_name\": \"tern-1\",\n"
        "  \"version\": \"2.9.10\",\n"
        "  \"proto\": 1,\n"
        "  \"go\": \"ternd 0.1.0\",\n"
        "  \"host\": \"127.0.0.1\",\n"
        "  \"port\": 4222,\n"
        "  \"max_connections\": 65536,\n"
        "  \"ping_interval\": 120000000000,\n"
        "  \"ping_max\": 2,\n"
        "  \"http_host\": \"127.0.0.1\",\n"
        "  \"http_port\": 8222,\n"
        "  \"http_base_path\": \"\",\n"
        "  \"https_port\": 0,\n"
        "  \"auth_timeout\": 2,\n"
        "  \"max_control_line\": 4096,\n"
        "  \"max_payload\": 1048576,\n"
        "  \"max_pending\": 67108864,\n"
        "  \"cluster\": {},\n"
        "  \"gateway\": {},\n"
        "  \"leaf\": {},\n"
        "  \"mqtt\": {},\n"
        "  \"websocket\": {},\n"
        "  \"jetstream\": {},\n"
        "  \"tls_timeout\": 2,\n"
        "  \"write_deadline\": 10000000000,\n"
        "  \"start\": \"2026-12-05T12:30:46.14124823Z\",\n"
        "  \"now\": \"2026-12-05T13:32:49Z\",\n"
        "  \"uptime\": \"1h2m2s\",\n"
        "  \"mem\": 11931648,\n"
        "  \"cores\": 2,\n"
        "  \"gomaxprocs\": 1,\n"
        "  \"cpu\": 0.5,\n"
        "  \"connections\": 3,\n"
        "  \"total_connections\": 7,\n"
        "  \"routes\": 0,\n"
        "  \"remotes\": 0,\n"
        "  \"leafnodes\": 0,\n"
        "  \"in_msgs\": 10,\n"
        "  \"out_msgs\": 30,\n"
        "  \"in_bytes\": 100,\n"
        "  \"out_bytes\": 300,\n"
        "  \"slow_consumers\": 1,\n"
        "  \"subscriptions\": 4,\n"
        "  \"http_req_stats\": {\n"
        "    \"/connz\": 1,\n"
        "    \"/varz\": 2\n"
        "  },\n"
        "  \"config_load_time\": \"2026-12-05T12:30:46.14124823Z\"\n"
        "}");
}

TEST_CASE("subsz without subs=1 is the statistics alone", "[monitor][subsz]") {
  const std::string stats_only = std::string("{\n") + kSublistText + "\n}";
  CHECK(subsz("") == stats_only);
  CHECK(subsz("subs=0") == stats_only);
  // An empty page also gives the short shape.
  CHECK(subsz("subs=1&test=nothing.here") == stats_only);
  CHECK(subsz("subs=1&offset=3") == stats_only);
}

TEST_CASE("subsz with subs=1 lists a page of subscriptions", "[monitor][subsz]") {
  CHECK(subsz("subs=1&test=foo.bar") == std::string("{\n") +
                                            "  \"server_id\": \"NSERVER\",\n"
                                            "  \"now\": \"2026-12-05T12:30:47Z\",\n" +
                                            kSublistText +
                                            ",\n"
                                            "  \"total\": 2,\n"
                                            "  \"offset\": 0,\n"
                                            "  \"limit\": 1024,\n"
                                            "  \"subscriptions_list\": [\n"
                                            "    {\n"
                                            "      \"account\": \"$G\",\n"
                                            "      \"subject\": \"foo.*\",\n"
                                            "      \"sid\": \"1\",\n"
                                            "      \"msgs\": 2,\n"
                                            "      \"cid\": 1\n"
                                            "    },\n"
                                            "    {\n"
                                            "      \"account\": \"$G\",\n"
                                            "      \"subject\": \"foo.bar\",\n"
                                            "      \"qgroup\": \"workers\",\n"
                                            "      \"sid\": \"2\",\n"
                                            "      \"msgs\": 0,\n"
                                            "      \"max\": 5,\n"
                                            "      \"cid\": 1\n"
                                            "    }\n"
                                            "  ]\n"
                                            "}");
  // total is the page's size, as in nats-server.
  const std::string paged = subsz("subs=1&offset=1&limit=1");
  CHECK(paged.find("\"total\": 1,\n  \"offset\": 1,\n  \"limit\": 1,") != std::string::npos);
  CHECK(paged.find("\"subject\": \"foo.bar\"") != std::string::npos);
  CHECK(paged.find("\"subject\": \"baz\"") == std::string::npos);
  CHECK(subsz("subs=1&acc=$G").find("\"subject\": \"baz\"") != std::string::npos);
}

TEST_CASE("subsz for another account has zero figures and no list", "[monitor][subsz]") {
  const std::string body = subsz("subs=1&acc=OTHER");
  CHECK(body.rfind("{\n  \"num_subscriptions\": 0,\n  \"num_cache\": 0,", 0) == 0);
  CHECK(body.find("\"cache_hit_rate\": 0,") != std::string::npos);
  CHECK(body.find("subscriptions_list") == std::string::npos);
}

TEST_CASE("subsz query errors", "[monitor][subsz]") {
  CHECK(parse_subsz(Query{"test=a.*"}).error == "invalid test subject, must be valid publish subject: a.*");
  CHECK(parse_subsz(Query{"test=a..b"}).error == "invalid test subject, must be valid publish subject: a..b");
  CHECK(parse_subsz(Query{"test=>"}).error == "invalid test subject, must be valid publish subject: >");
  CHECK(parse_subsz(Query{"test=a."}).error == "invalid test subject, must be valid publish subject: a.");
  CHECK(parse_subsz(Query{"test=a.b*.c"}).ok());
  CHECK(parse_subsz(Query{"test="}).ok());
  CHECK(parse_subsz(Query{"subs=x"}).error ==
        "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(parse_subsz(Query{"limit=x"}).error ==
        "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(parse_subsz(Query{"offset=x&limit=y"}).error ==
        "Error decoding int for 'offset': strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(parse_subsz(Query{"limit=-1"}).request.limit == 1024);
  CHECK(parse_subsz(Query{"subs=true"}).request.wants_subscriptions());
}

TEST_CASE("accountz lists accounts or details one", "[monitor][accountz]") {
  AccountSummary global;
  global.name = "$G";
  global.update_time = kBase + 141448690ns;
  global.client_connections = 3;
  global.subscriptions = 3;
  global.sublist = sublist();
  const std::vector<AccountSummary> accounts{global};

  const auto list = serve_accountz(server(), accounts, Query{""}, kBase + 2s);
  CHECK(list.status == 200);
  CHECK(list.content_type == "application/json");
  CHECK(list.body ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:30:48Z\",\n"
        "  \"accounts\": [\n"
        "    \"$G\"\n"
        "  ]\n"
        "}");

  const auto detail = serve_accountz(server(), accounts, Query{"acc=%24G"}, kBase + 2s);
  CHECK(detail.body == std::string("{\n"
                                   "  \"server_id\": \"NSERVER\",\n"
                                   "  \"now\": \"2026-12-05T12:30:48Z\",\n"
                                   "  \"account_detail\": {\n"
                                   "    \"account_name\": \"$G\",\n"
                                   "    \"update_time\": \"2026-12-05T12:30:46.14144869Z\",\n"
                                   "    \"expired\": false,\n"
                                   "    \"complete\": true,\n"
                                   "    \"jetstream_enabled\": false,\n"
                                   "    \"leafnode_connections\": 0,\n"
                                   "    \"client_connections\": 3,\n"
                                   "    \"subscriptions\": 3,\n"
                                   "    \"sublist_stats\": {\n"
                                   "      \"num_subscriptions\": 3,\n"
                                   "      \"num_cache\": 5,\n"
                                   "      \"num_inserts\": 4,\n"
                                   "      \"num_removes\": 1,\n"
                                   "      \"num_matches\": 9,\n"
                                   "      \"cache_hit_rate\": 0.25,\n"
                                   "      \"max_fanout\": 2,\n"
                                   "      \"avg_fanout\": 0.8\n"
                                   "    }\n"
                                   "  }\n"
                                   "}"));

  const auto unknown = serve_accountz(server(), accounts, Query{"acc=nope"}, kBase);
  CHECK(unknown.status == 400);
  CHECK(unknown.content_type == "text/plain; charset=utf-8");
  CHECK(unknown.body == "Account nope does not exist");
}

TEST_CASE("healthz is compact and checks its bools", "[monitor][healthz]") {
  const auto ok = serve_healthz(Query{"js-enabled-only=true"});
  CHECK(ok.status == 200);
  CHECK(ok.content_type == "application/json");
  CHECK(ok.body == R"({"status":"ok"})");
  CHECK(serve_healthz(Query{"js-enabled=x"}).body ==
        "Error decoding boolean for 'js-enabled': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(serve_healthz(Query{"js-enabled-only=x"}).status == 400);
  CHECK(serve_healthz(Query{"js-server-only=x"}).body ==
        "Error decoding boolean for 'js-server-only': strconv.ParseBool: parsing \"x\": invalid syntax");
}

TEST_CASE("JSONP wraps any JSON body", "[monitor][jsonp]") {
  const auto wrapped = serve_healthz(Query{"callback=cb"});
  CHECK(wrapped.content_type == "application/javascript");
  CHECK(wrapped.body == R"(cb({"status":"ok"}))");
  const auto json = json_result("{}", Query{"callback="});
  CHECK(json.content_type == "application/json");
  CHECK(json.body == "{}");
}

TEST_CASE("routez, gatewayz and leafz are empty", "[monitor][inactive]") {
  CHECK(serve_routez(server(), Query{"subs=detail"}, kBase).body ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:30:46Z\",\n"
        "  \"num_routes\": 0,\n"
        "  \"routes\": []\n"
        "}");
  CHECK(serve_gatewayz(server(), Query{""}, kBase).body ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:30:46Z\",\n"
        "  \"outbound_gateways\": {},\n"
        "  \"inbound_gateways\": {}\n"
        "}");
  CHECK(serve_leafz(server(), Query{""}, kBase).body ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:30:46Z\",\n"
        "  \"leafnodes\": 0,\n"
        "  \"leafs\": null\n"
        "}");
  CHECK(serve_routez(server(), Query{"subs=x"}, kBase).body ==
        "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(serve_leafz(server(), Query{"subs=x"}, kBase).status == 400);
  CHECK(serve_gatewayz(server(), Query{"accs=x"}, kBase).body ==
        "Error decoding boolean for 'accs': strconv.ParseBool: parsing \"x\": invalid syntax");
}

TEST_CASE("jsz is disabled with zeros", "[monitor][inactive]") {
  CHECK(serve_jsz(server(), Query{""}, kBase).body ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:30:46Z\",\n"
        "  \"disabled\": true,\n"
        "  \"config\": {\n"
        "    \"max_memory\": 0,\n"
        "    \"max_storage\": 0\n"
        "  },\n"
        "  \"memory\": 0,\n"
        "  \"storage\": 0,\n"
        "  \"reserved_memory\": 0,\n"
        "  \"reserved_storage\": 0,\n"
        "  \"accounts\": 0,\n"
        "  \"ha_assets\": 0,\n"
        "  \"api\": {\n"
        "    \"total\": 0,\n"
        "    \"errors\": 0\n"
        "  },\n"
        "  \"streams\": 0,\n"
        "  \"consumers\": 0,\n"
        "  \"messages\": 0,\n"
        "  \"bytes\": 0\n"
        "}");
  CHECK(serve_jsz(server(), Query{"accounts=x"}, kBase).body ==
        "Error decoding boolean for 'accounts': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(serve_jsz(server(), Query{"limit=x"}, kBase).body ==
        "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
  const auto leader = serve_jsz(server(), Query{"leader-only=true"}, kBase);
  CHECK(leader.status == 400);
  CHECK(leader.body == "filtered response: not leader");
}

TEST_CASE("the root page links every endpoint relatively", "[monitor][root]") {
  const auto page = serve_root_page(server());
  CHECK(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  for (const char* link : {"./varz", "./connz", "./subsz", "./routez", "./gatewayz", "./leafz", "./accountz",
                           "./jsz", "./healthz"}) {
    INFO(link);
    CHECK(page.body.find(std::string("<a href=\"") + link + "\"") != std::string::npos);
  }
  ServerInfo based = server();
  based.http_base_path = "/mon/";
  CHECK(serve_root_page(based).body.find("<a href=\"./mon/varz\">General</a>") != std::string::npos);
}
