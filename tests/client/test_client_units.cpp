// The client's pure parts, without a server: headers, URLs, ids, backoff, errors.
#include <set>

#include "client/client.h"
#include "client/nuid.h"
#include "client/server_pool.h"
#include "client/server_url.h"

#include <catch2/catch.hpp>

using namespace tern::client;

TEST_CASE("headers encode and decode", "[client][unit]") {
  Headers headers;
  headers.add("A", "1");
  headers.add("A", "2");
  headers.add("Key", "value with spaces");
  std::string wire;
  REQUIRE_FALSE(encode_headers(headers, wire));
  CHECK(wire == "NATS/1.0\r\nA: 1\r\nA: 2\r\nKey: value with spaces\r\n\r\n");
  const auto decoded = decode_headers(wire);
  REQUIRE(decoded);
  CHECK(*decoded == headers);

  headers.set("A", "3");
  CHECK(headers.get_all("A") == std::vector<std::string_view>{"3"});
  CHECK(headers.erase("A") == 1);
  CHECK_FALSE(headers.contains("A"));
  CHECK_FALSE(headers.get("missing"));
}

TEST_CASE("header status lines", "[client][unit]") {
  const auto no_responders = decode_headers("NATS/1.0 503\r\n\r\n");
  REQUIRE(no_responders);
  CHECK(no_responders->status() == 503);
  CHECK(no_responders->description().empty());
  const auto described = decode_headers("NATS/1.0 408 Request Timeout\r\nX: y\r\n\r\n");
  REQUIRE(described);
  CHECK(described->status() == 408);
  CHECK(described->description() == "Request Timeout");
  CHECK(described->get("X") == "y");
  std::string wire;
  REQUIRE_FALSE(encode_headers(*described, wire));
  CHECK(wire == "NATS/1.0 408 Request Timeout\r\nX: y\r\n\r\n");
  CHECK_FALSE(decode_headers("HTTP/1.1 200\r\n\r\n"));
  CHECK_FALSE(decode_headers("NATS/1.0 abc\r\n\r\n"));
  CHECK_FALSE(decode_headers("NATS/1.05\r\n\r\n"));
  CHECK_FALSE(decode_headers("NATS/1.0503\r\n\r\n"));
  CHECK_FALSE(decode_headers("NATS/1.1 503\r\n\r\n"));
  CHECK_FALSE(decode_headers("NATS/1.0\r\nno colon\r\n\r\n"));
}

TEST_CASE("invalid headers are refused", "[client][unit]") {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"", "v"}, {"a b", "v"}, {"a:b", "v"}, {"k", "line\r\nbreak"}, {"k\n", "v"}}) {
    Headers headers;
    headers.add(key, value);
    std::string wire = "unchanged";
    CHECK(encode_headers(headers, wire) == Errc::kInvalidHeader);
    CHECK(wire == "unchanged");
  }
}

TEST_CASE("server URLs", "[client][unit]") {
  auto plain = parse_server_url("nats://example.com:4333");
  REQUIRE(plain);
  CHECK(plain->host == "example.com");
  CHECK(plain->port == 4333);
  auto defaults = parse_server_url("localhost");
  REQUIRE(defaults);
  CHECK(defaults->port == kDefaultPort);
  auto user = parse_server_url("nats://alice:p%40ss@10.0.0.1:4222");
  REQUIRE(user);
  CHECK(user->user == "alice");
  CHECK(user->password == "p@ss");
  CHECK(user->redacted() == "nats://10.0.0.1:4222");
  auto token = parse_server_url("tcp://s3cr3t@host");
  REQUIRE(token);
  CHECK(token->token == "s3cr3t");
  auto ipv6 = parse_server_url("nats://[::1]:4222");
  REQUIRE(ipv6);
  CHECK(ipv6->host == "::1");
  CHECK(ipv6->host_port() == "[::1]:4222");
  CHECK_FALSE(parse_server_url("tls://host:4222"));
  CHECK_FALSE(parse_server_url("nats://host:0"));
  CHECK_FALSE(parse_server_url("nats://host:70000"));
  CHECK_FALSE(parse_server_url("nats://host:"));
  CHECK_FALSE(parse_server_url("nats://:4222"));
}

TEST_CASE("server pool merges connect_urls", "[client][unit]") {
  Options options;
  options.servers = {"nats://u:p@a:1", "nats://b:2"};
  auto pool = ServerPool::from_options(options);
  REQUIRE(pool);
  pool->merge_connect_urls({"a:1", "c:3", "bad:url:x", "c:3"});
  CHECK(pool->size() == 3);
  CHECK(pool->current().host == "a");
  CHECK(pool->advance().host == "b");
  const ServerUrl& discovered = pool->advance();
  CHECK(discovered.host == "c");
  CHECK(discovered.user == "u");  // Credentials of the server that advertised it.
  CHECK(pool->advance().host == "a");
  options.servers = {"nats://ok:1", "http://bad"};
  CHECK(ServerPool::from_options(options).error() == Errc::kInvalidUrl);
  // An INFO listing thousands of servers adds only kMaxDiscoveredServers of them.
  std::vector<std::string> many;
  for (int i = 0; i < 5000; ++i)
    many.push_back("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":4222");
  pool->merge_connect_urls(many);
  CHECK(pool->size() == 2 + ServerPool::kMaxDiscoveredServers);  // c:3 counts among them.
}

TEST_CASE("reconnect backoff doubles per round, is capped and jittered", "[client][unit]") {
  Options options;
  options.reconnect_wait = std::chrono::milliseconds(100);
  options.reconnect_wait_max = std::chrono::milliseconds(1000);
  options.reconnect_jitter = 0.5;
  using std::chrono::milliseconds;
  CHECK(reconnect_delay(options, 0, 1, 0.0) == milliseconds(100));
  CHECK(reconnect_delay(options, 1, 1, 0.0) == milliseconds(200));
  CHECK(reconnect_delay(options, 3, 1, 0.0) == milliseconds(800));
  CHECK(reconnect_delay(options, 4, 1, 0.0) == milliseconds(1000));
  CHECK(reconnect_delay(options, 400, 1, 0.0) == milliseconds(1000));
  CHECK(reconnect_delay(options, 1, 1, 0.999) >= milliseconds(100));
  CHECK(reconnect_delay(options, 1, 2, 0.0) == milliseconds(100));  // Still the first round of two servers.
}

TEST_CASE("nuids are unique and well formed", "[client][unit]") {
  Nuid nuid;
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = nuid.next();
    REQUIRE(id.size() == Nuid::kLength);
    ids.insert(id);
  }
  CHECK(ids.size() == 10000);
  CHECK(Nuid().next().substr(0, Nuid::kPrefixLength) != Nuid().next().substr(0, Nuid::kPrefixLength));
  for (std::uint64_t v : {0ULL, 1ULL, 61ULL, 62ULL, 123456789ULL})
    CHECK(from_base62(to_base62(v)) == v);
  CHECK_FALSE(from_base62(""));
  CHECK_FALSE(from_base62("a.b"));
}

TEST_CASE("errors have a category and messages", "[client][unit]") {
  const std::error_code timeout = Errc::kTimeout;
  CHECK(timeout.category().name() == std::string("tern.client"));
  CHECK(timeout.message() == "timeout");
  CHECK(std::error_code(Errc::kNoResponders).message() == "no responders");
  Expected<int> value = 3;
  CHECK(value);
  CHECK(*value == 3);
  CHECK_FALSE(value.error());
  Expected<int> failed = Errc::kTimeout;
  CHECK_FALSE(failed);
  CHECK(failed.error() == Errc::kTimeout);
  CHECK_THROWS_AS(failed.value(), BadExpectedAccess);
}
