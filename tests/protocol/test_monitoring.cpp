// The monitoring port over real sockets: the same traffic to ternd and to nats-server, then the same
// requests to both. Field names and JSON types must be nats-server's (its bodies are the contract, with
// the exclusions of ../shared/monitoring.md), the figures must be what the traffic makes them, and bad
// requests must get nats-server's status and text.
#include <catch2/catch.hpp>

#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "tests/support/json_type.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"

using tern::test::Millis;
using tern::test::RawConnection;
using tern::test::ServerLaunch;
using tern::test::ServerProcess;

namespace {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One GET on a fresh connection that asks to be closed; the reply is read to the end.
HttpReply http_get(int port, const std::string& target) {
  RawConnection http(port);
  REQUIRE(http.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  std::string raw = http.read_for(Millis(5000));
  HttpReply reply;
  const std::size_t head_end = raw.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  const std::string head = raw.substr(0, head_end);
  reply.body = raw.substr(head_end + 4);
  REQUIRE(head.compare(0, 9, "HTTP/1.1 ") == 0);
  reply.status = std::stoi(head.substr(9, 3));
  if (head.find("Transfer-Encoding: chunked") != std::string::npos) {
    // nats-server's Go server sends large bodies in chunks: "<hex size>\r\n<bytes>\r\n" ... "0\r\n\r\n".
    std::string body;
    std::size_t at = 0;
    for (;;) {
      const std::size_t line_end = reply.body.find("\r\n", at);
      REQUIRE(line_end != std::string::npos);
      const std::size_t size = std::stoul(reply.body.substr(at, line_end - at), nullptr, 16);
      if (size == 0) break;
      body.append(reply.body, line_end + 2, size);
      at = line_end + 2 + size + 2;
    }
    reply.body = std::move(body);
  }
  const std::size_t type = head.find("Content-Type: ");
  if (type != std::string::npos)
    reply.content_type = head.substr(type + 14, head.find("\r\n", type) - type - 14);
  return reply;
}

ServerLaunch launch_with_monitoring(const std::string& executable) {
  ServerLaunch launch;
  launch.executable = executable;
  launch.extra_args = {"-m", "-1"};
  return launch;
}

// Every field path of a body with its type ("connections[].cid" -> "integer"). Objects that are maps
// (keyed by data) are given by `maps` and described by their values only.
void collect_schema(simdjson::dom::element value, const std::string& path,
                    std::map<std::string, std::string>& out, const std::set<std::string>& maps) {
  const std::string type = tern::test::json_type_name(value, /*integers_apart=*/true);
  if (!path.empty()) {
    // A number that happens to be whole in one body is the same field; only integers written with a
    // fraction matter, and those show as "number" on ternd's side where nats-server says "integer".
    out[path] = type;
  }
  if (type == "object") {
    if (maps.count(path) != 0) return;
    for (auto field : value.get_object()) {
      collect_schema(field.value, path.empty() ? std::string(field.key) : path + "." + std::string(field.key),
                     out, maps);
    }
  } else if (type == "array") {
    for (auto item : value.get_array())
      collect_schema(item, path + "[]", out, maps);
  }
}

std::map<std::string, std::string> schema_of(const std::string& body,
                                             const std::set<std::string>& maps = {}) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const auto error = parser.parse(body).get(root);
  INFO("body: " << body);
  REQUIRE(error == simdjson::SUCCESS);
  std::map<std::string, std::string> schema;
  collect_schema(root, "", schema, maps);
  return schema;
}

std::uint64_t uint_field(const std::string& body, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(body).get(root) == simdjson::SUCCESS);
  std::uint64_t value = 0;
  INFO(key << " in " << body);
  REQUIRE(root[key].get(value) == simdjson::SUCCESS);
  return value;
}

// The same traffic on both servers: a named subscriber with a plain and a queue subscription, and a
// publisher that sends three 5-byte messages to the plain one and one to nobody. Returns once the
// subscriber has all three, so the counters are settled.
struct Traffic {
  RawConnection subscriber;
  RawConnection publisher;

  explicit Traffic(int port) : subscriber(port), publisher(port) {
    subscriber.read_info_line();
    REQUIRE(subscriber.send(
        "CONNECT {\"verbose\":false,\"name\":\"watcher\",\"lang\":\"raw\",\"version\":\"1.0\"}\r\n"
        "SUB foo 1\r\nSUB bar workers 2\r\nPING\r\n"));
    REQUIRE(subscriber.expect("PONG\r\n", Millis(5000)).matched);
    publisher.read_info_line();
    REQUIRE(
        publisher.send("CONNECT {\"verbose\":false}\r\nPUB foo 5\r\nhello\r\nPUB foo 5\r\nhello\r\n"
                       "PUB foo 5\r\nhello\r\nPUB nobody 5\r\nhello\r\nPING\r\n"));
    REQUIRE(publisher.expect("PONG\r\n", Millis(5000)).matched);
    for (int i = 0; i < 3; ++i)
      REQUIRE(subscriber.expect("MSG foo 1 5\r\nhello\r\n", Millis(5000)).matched);
  }
};

// Fields nats-server sends that a single ternd has no counterpart for (../shared/monitoring.md,
// "optional (excluded)"), by endpoint.
const std::set<std::string> kExcluded = {"system_account", "account_detail.imports"};

bool excluded(const std::string& path) {
  for (const auto& prefix : kExcluded) {
    if (path.compare(0, prefix.size(), prefix) == 0 &&
        (path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '['))
      return true;
  }
  return false;
}

void compare_schemas(const std::string& endpoint, const std::string& ternd_body, const std::string& nats_body,
                     const std::set<std::string>& maps = {}) {
  auto ternd = schema_of(ternd_body, maps);
  auto nats = schema_of(nats_body, maps);
  std::erase_if(nats, [](const auto& entry) { return excluded(entry.first); });
  std::erase_if(ternd, [](const auto& entry) { return excluded(entry.first); });
  INFO(endpoint << "\nternd: " << ternd_body << "\nnats-server: " << nats_body);
  for (const auto& [path, type] : nats) {
    CAPTURE(path);
    REQUIRE(ternd.count(path) == 1);
    // Either server writes a float that happens to be whole as an integer (cpu 0): both are numbers.
    if ((type == "integer" && ternd[path] == "number") || (type == "number" && ternd[path] == "integer"))
      continue;
    CHECK(ternd[path] == type);
  }
  for (const auto& [path, type] : ternd) {
    CAPTURE(path);
    CHECK(nats.count(path) == 1);
  }
}

// The same GETs to both servers: status, content type and the bodies' field names and types agree.
void compare_endpoints(const ServerProcess& ternd, const ServerProcess& nats,
                       const std::vector<std::string>& targets) {
  const std::set<std::string> varz_maps = {"http_req_stats"};
  for (const std::string& target : targets) {
    CAPTURE(target);
    const HttpReply t = http_get(ternd.monitor_port(), target);
    const HttpReply n = http_get(nats.monitor_port(), target);
    CHECK(t.status == n.status);
    CHECK(t.content_type == n.content_type);
    compare_schemas(target, t.body, n.body, target == "/varz" ? varz_maps : std::set<std::string>{});
  }
}

// A private store directory for one server's JetStream, removed at the end.
struct StoreDir {
  std::filesystem::path path = tern::test::make_temp_dir("tern-jsz-store-");
  StoreDir() = default;
  StoreDir(const StoreDir&) = delete;
  StoreDir& operator=(const StoreDir&) = delete;
  ~StoreDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

ServerLaunch launch_with_jetstream(const std::string& executable, const StoreDir& store) {
  ServerLaunch launch = launch_with_monitoring(executable);
  launch.extra_args.insert(launch.extra_args.end(), {"-js", "-sd", store.path.string()});
  return launch;
}

// The same JetStream traffic on both servers: a file stream ORDERS with three messages on one subject,
// a memory stream MEMO with one, and one failed API request. Every request and publish is answered
// (reply or PubAck) before it returns, so the figures are settled.
void jetstream_traffic(int port) {
  RawConnection client(port);
  client.read_info_line();
  REQUIRE(client.send("CONNECT {\"verbose\":false}\r\nSUB _INBOX.jsz 1\r\n"));
  const auto request = [&](const std::string& subject, const std::string& body) {
    REQUIRE(client.send("PUB " + subject + " _INBOX.jsz " + std::to_string(body.size()) + "\r\n" + body +
                        "\r\n"));
    const auto head = client.read_line(Millis(5000));
    REQUIRE(head.has_value());
    CHECK(head->rfind("MSG _INBOX.jsz 1 ", 0) == 0);
    const auto reply = client.read_line(Millis(5000));
    REQUIRE(reply.has_value());
    return *reply;
  };
  CHECK(
      request("$JS.API.STREAM.CREATE.ORDERS", R"({"name":"ORDERS","subjects":["orders.>"],"storage":"file"})")
          .find("\"did_create\":true") != std::string::npos);
  CHECK(request("$JS.API.STREAM.CREATE.MEMO",
                R"({"name":"MEMO","subjects":["memo"],"storage":"memory","max_msgs":100})")
            .find("\"did_create\":true") != std::string::npos);
  CHECK(request("$JS.API.STREAM.CREATE.bad", "{}").find("\"error\"") != std::string::npos);
  for (int i = 0; i < 3; ++i)
    CHECK(request("orders.a", "hello").find("\"stream\":\"ORDERS\"") != std::string::npos);
  CHECK(request("memo", "hi").find("\"stream\":\"MEMO\"") != std::string::npos);
}

}  // namespace

TEST_CASE("monitoring endpoints have nats-server's fields and JSON types", "[monitoring][differential]") {
  ServerProcess ternd(launch_with_monitoring(TERN_TERND_PATH));
  ServerProcess nats(launch_with_monitoring(TERN_NATS_SERVER_PATH));
  REQUIRE(ternd.monitor_port() > 0);
  REQUIRE(nats.monitor_port() > 0);
  Traffic on_ternd(ternd.port());
  Traffic on_nats(nats.port());
  compare_endpoints(ternd, nats,
                    {"/varz", "/connz", "/connz?subs=1", "/connz?subs=detail", "/subsz", "/subsz?subs=1",
                     "/routez", "/gatewayz", "/leafz", "/accountz", "/accountz?acc=$G", "/healthz", "/jsz"});
}

TEST_CASE("bad monitoring requests get nats-server's status and text", "[monitoring][differential]") {
  ServerProcess ternd(launch_with_monitoring(TERN_TERND_PATH));
  ServerProcess nats(launch_with_monitoring(TERN_NATS_SERVER_PATH));
  for (const std::string target :
       {"/connz?sort=bogus", "/connz?limit=x", "/connz?offset=-x", "/connz?state=nope", "/connz?subs=maybe",
        "/connz?sort=stop", "/connz?cid=abc", "/subsz?test=a.*", "/subsz?subs=x", "/healthz?js-enabled=x",
        "/accountz?acc=nope", "/varzz", "/varz/x", "/connz/", "/nothing"}) {
    CAPTURE(target);
    const HttpReply t = http_get(ternd.monitor_port(), target);
    const HttpReply n = http_get(nats.monitor_port(), target);
    CHECK(t.status == n.status);
    CHECK(t.body == n.body);
  }
}

TEST_CASE("monitoring figures follow the traffic", "[monitoring]") {
  ServerProcess ternd(launch_with_monitoring(TERN_TERND_PATH));
  {
    Traffic traffic(ternd.port());
    const HttpReply varz = http_get(ternd.monitor_port(), "/varz");
    REQUIRE(varz.status == 200);
    CHECK(uint_field(varz.body, "in_msgs") == 4);
    CHECK(uint_field(varz.body, "in_bytes") == 20);
    CHECK(uint_field(varz.body, "out_msgs") == 3);
    CHECK(uint_field(varz.body, "out_bytes") == 15);
    CHECK(uint_field(varz.body, "connections") == 2);
    CHECK(uint_field(varz.body, "total_connections") == 2);
    CHECK(uint_field(varz.body, "subscriptions") == 2);
    CHECK(uint_field(varz.body, "port") == static_cast<std::uint64_t>(ternd.port()));
    CHECK(uint_field(varz.body, "http_port") == static_cast<std::uint64_t>(ternd.monitor_port()));

    const HttpReply connz = http_get(ternd.monitor_port(), "/connz?sort=msgs_to&subs=detail");
    REQUIRE(connz.status == 200);
    CHECK(uint_field(connz.body, "num_connections") == 2);
    CHECK(uint_field(connz.body, "total") == 2);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    REQUIRE(parser.parse(connz.body).get(root) == simdjson::SUCCESS);
    simdjson::dom::array list;
    REQUIRE(root["connections"].get(list) == simdjson::SUCCESS);
    // Sorted by messages delivered, most first: the subscriber (3), then the publisher (0).
    auto first = list.at(0);
    CHECK(std::string_view(first["name"]) == "watcher");
    CHECK(std::string_view(first["lang"]) == "raw");
    CHECK(std::uint64_t(first["out_msgs"]) == 3);
    CHECK(std::uint64_t(first["out_bytes"]) == 15);
    CHECK(std::uint64_t(first["subscriptions"]) == 2);
    simdjson::dom::array detail;
    REQUIRE(first["subscriptions_list_detail"].get(detail) == simdjson::SUCCESS);
    CHECK(detail.size() == 2);
    auto second = list.at(1);
    CHECK(std::uint64_t(second["in_msgs"]) == 4);
    CHECK(std::uint64_t(second["in_bytes"]) == 20);
    CHECK(second["name"].error() == simdjson::NO_SUCH_FIELD);  // omitempty

    const HttpReply one = http_get(ternd.monitor_port(), "/connz?limit=1&offset=1&sort=cid");
    CHECK(uint_field(one.body, "num_connections") == 1);
    CHECK(uint_field(one.body, "total") == 2);
    CHECK(uint_field(one.body, "offset") == 1);
  }
  // Both connections closed: they are kept, with their reason.
  for (int attempt = 0; attempt < 250; ++attempt) {
    if (uint_field(http_get(ternd.monitor_port(), "/varz").body, "connections") == 0) break;
    ::usleep(20 * 1000);
  }
  const HttpReply closed = http_get(ternd.monitor_port(), "/connz?state=closed&subs=1");
  REQUIRE(closed.status == 200);
  CHECK(uint_field(closed.body, "num_connections") == 2);
  CHECK(closed.body.find("\"reason\": \"Client Closed\"") != std::string::npos);
  CHECK(closed.body.find("\"subscriptions_list\"") != std::string::npos);

  const HttpReply subsz = http_get(ternd.monitor_port(), "/subsz");
  CHECK(uint_field(subsz.body, "num_inserts") == 2);
  CHECK(uint_field(subsz.body, "num_removes") == 2);
  CHECK(uint_field(subsz.body, "num_subscriptions") == 0);
}

TEST_CASE("/healthz, JSONP, the root page and /metrics", "[monitoring]") {
  ServerProcess ternd(launch_with_monitoring(TERN_TERND_PATH));
  const HttpReply health = http_get(ternd.monitor_port(), "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "{\"status\":\"ok\"}");
  const HttpReply jsonp = http_get(ternd.monitor_port(), "/healthz?callback=cb");
  CHECK(jsonp.content_type == "application/javascript");
  CHECK(jsonp.body == "cb({\"status\":\"ok\"})");
  const HttpReply root = http_get(ternd.monitor_port(), "/");
  CHECK(root.content_type.rfind("text/html", 0) == 0);
  for (const char* link : {"./varz", "./connz", "./subsz", "./healthz", "./dashboard", "./metrics"})
    CHECK(root.body.find(link) != std::string::npos);

  Traffic traffic(ternd.port());
  const HttpReply metrics = http_get(ternd.monitor_port(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(metrics.body.find("\ntern_in_msgs_total 4\n") != std::string::npos);
  CHECK(metrics.body.find("\ntern_out_msgs_total 3\n") != std::string::npos);
  CHECK(metrics.body.find("\ntern_in_bytes_total 20\n") != std::string::npos);
  CHECK(metrics.body.find("\ntern_connections 2\n") != std::string::npos);
  CHECK(metrics.body.find("\ntern_subscriptions 2\n") != std::string::npos);
  CHECK(metrics.body.find("\ntern_in_msg_size_bytes_bucket{le=\"16\"} 4\n") != std::string::npos);
  CHECK(metrics.body.find("\ntern_in_msg_size_bytes_count 4\n") != std::string::npos);
}

TEST_CASE("/metrics passes promtool check metrics", "[monitoring][prometheus]") {
  if (!std::filesystem::exists("/usr/bin/promtool"))
    TERN_SKIP("promtool is not installed (Debian prometheus)");
  ServerProcess ternd(launch_with_monitoring(TERN_TERND_PATH));
  Traffic traffic(ternd.port());
  const HttpReply metrics = http_get(ternd.monitor_port(), "/metrics");
  REQUIRE(metrics.status == 200);
  const auto dir = tern::test::make_temp_dir("tern-metrics");
  const auto file = dir / "metrics.txt";
  std::ofstream(file) << metrics.body;
  const std::string command = "/usr/bin/promtool check metrics < " + file.string() + " > " +
                              (dir / "promtool.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log(dir / "promtool.log");
  const std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  INFO("promtool: " << output);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(output.empty());
}

TEST_CASE("idle and half-sent HTTP clients do not stall ternd, and their number is bounded", "[monitoring]") {
  auto launch = launch_with_monitoring(TERN_TERND_PATH);
  launch.config_text = "http_max_connections: 52\n";
  ServerProcess ternd(launch);
  std::vector<RawConnection> idle;
  for (int i = 0; i < 25; ++i)
    idle.emplace_back(ternd.monitor_port());
  for (int i = 0; i < 25; ++i) {
    // Half a request, never finished.
    idle.emplace_back(ternd.monitor_port());
    REQUIRE(idle.back().send("GET /connz HTTP/1.1\r\nHost: 127.0"));
  }
  // The client port answers meanwhile, and so does the monitoring port for a well-behaved request.
  RawConnection client(ternd.port());
  client.read_info_line();
  REQUIRE(client.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  CHECK(client.expect("PONG\r\n", Millis(5000)).matched);
  CHECK(http_get(ternd.monitor_port(), "/healthz").status == 200);
  // Past http_max_connections (52, with 50 held open here), new HTTP connections are closed at once; the
  // two that fit stay open (and cost this test their full wait).
  std::vector<RawConnection> extra;
  for (int i = 0; i < 20; ++i)
    extra.emplace_back(ternd.monitor_port());
  int refused = 0;
  for (RawConnection& c : extra) {
    if (c.expect_closed(Millis(2000)).closed) ++refused;
  }
  CHECK(refused >= 18);
  CHECK(client.send("PING\r\n"));
  CHECK(client.expect("PONG\r\n", Millis(5000)).matched);
}

TEST_CASE("a client that never reads a large /connz does not stall ternd", "[monitoring]") {
  ServerProcess ternd(launch_with_monitoring(TERN_TERND_PATH));
  // Enough connections, each with subscriptions, for /connz?subs=detail to run to megabytes.
  std::vector<RawConnection> clients;
  std::string subs;
  for (int s = 0; s < 200; ++s)
    subs += "SUB subject.number." + std::to_string(s) + " " + std::to_string(s) + "\r\n";
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back(ternd.port());
    clients.back().read_info_line();
    REQUIRE(clients.back().send("CONNECT {\"verbose\":false}\r\n" + subs + "PING\r\n"));
    REQUIRE(clients.back().expect("PONG\r\n", Millis(10000)).matched);
  }
  // Never read: the replies (about 2 MB each) fill the sockets and wait on ternd's side.
  std::vector<RawConnection> stuck;
  for (int i = 0; i < 4; ++i) {
    stuck.emplace_back(ternd.monitor_port());
    REQUIRE(stuck.back().send("GET /connz?subs=detail&limit=100000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  RawConnection probe(ternd.port());
  probe.read_info_line();
  REQUIRE(probe.send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  CHECK(probe.expect("PONG\r\n", Millis(5000)).matched);
  const HttpReply varz = http_get(ternd.monitor_port(), "/varz");
  CHECK(varz.status == 200);
  CHECK(uint_field(varz.body, "connections") == 51);
}

TEST_CASE("/varz counts the requests served per path, and http_base_path moves every path", "[monitoring]") {
  auto launch = launch_with_monitoring(TERN_TERND_PATH);
  launch.config_text = "http_base_path: /nats\n";
  ServerProcess ternd(launch);
  const int port = ternd.monitor_port();
  CHECK(http_get(port, "/varz").status == 404);
  CHECK(http_get(port, "/nats/connz").status == 200);
  CHECK(http_get(port, "/nats/connz?sort=bogus").status == 400);  // Not counted, as in nats-server.
  CHECK(http_get(port, "/nats/subscriptionsz").status == 200);    // Counted as /subsz.
  CHECK(http_get(port, "/nats/healthz").status == 200);
  CHECK(http_get(port, "/nats/healthz?js-enabled=x").status == 400);  // Counted.
  const HttpReply varz = http_get(port, "/nats/varz");
  REQUIRE(varz.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(varz.body).get(root) == simdjson::SUCCESS);
  CHECK(std::uint64_t(root["http_req_stats"]["/connz"]) == 1);
  CHECK(std::uint64_t(root["http_req_stats"]["/subsz"]) == 1);
  CHECK(std::uint64_t(root["http_req_stats"]["/healthz"]) == 2);
  CHECK(std::uint64_t(root["http_req_stats"]["/varz"]) == 1);
  CHECK(std::string_view(root["http_base_path"]) == "/nats");
}

TEST_CASE("with JetStream on, /jsz and /varz jetstream have nats-server's fields, types and figures",
          "[monitoring][differential][jetstream]") {
  StoreDir ternd_store;
  StoreDir nats_store;
  ServerProcess ternd(launch_with_jetstream(TERN_TERND_PATH, ternd_store));
  ServerProcess nats(launch_with_jetstream(TERN_NATS_SERVER_PATH, nats_store));
  REQUIRE(ternd.monitor_port() > 0);
  REQUIRE(nats.monitor_port() > 0);
  jetstream_traffic(ternd.port());
  jetstream_traffic(nats.port());
  compare_endpoints(
      ternd, nats,
      {"/varz", "/jsz", "/jsz?accounts=true", "/jsz?streams=true", "/jsz?streams=true&config=true",
       "/jsz?consumers=true&config=true", "/jsz?acc=$G", "/jsz?acc=$G&streams=1", "/jsz?accounts=1&offset=1",
       "/jsz?leader-only=true", "/accountz?acc=$G"});
  // The figures the same traffic makes: usage, totals and API counters are equal.
  const HttpReply t = http_get(ternd.monitor_port(), "/jsz");
  const HttpReply n = http_get(nats.monitor_port(), "/jsz");
  for (const char* key : {"memory", "storage", "reserved_memory", "reserved_storage", "accounts", "ha_assets",
                          "streams", "consumers", "messages", "bytes"}) {
    CAPTURE(key);
    CHECK(uint_field(t.body, key) == uint_field(n.body, key));
  }
  CHECK(uint_field(t.body, "messages") == 4);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(t.body).get(root) == simdjson::SUCCESS);
  std::string_view store_dir;
  REQUIRE(root["config"]["store_dir"].get(store_dir) == simdjson::SUCCESS);
  CHECK(store_dir == (ternd_store.path / "jetstream").string());
  std::uint64_t total = 0;
  REQUIRE(root["api"]["total"].get(total) == simdjson::SUCCESS);
  CHECK(total == 3);
}
