// /connz: query checks with nats-server's 400 texts, exact bodies, every sort, paging and closed ones.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <string>
#include <vector>

#include "server/monitor/connz.h"

using namespace std::chrono_literals;
using tern::server::monitor::ConnectionInfo;
using tern::server::monitor::ConnzSort;
using tern::server::monitor::ConnzState;
using tern::server::monitor::parse_connz;
using tern::server::monitor::Query;
using tern::server::monitor::ServerInfo;
using tern::server::monitor::SubscriptionInfo;
using tern::server::monitor::SystemTime;
using tern::server::monitor::write_connz;

namespace {

// 2026-12-05T12:30:46Z.
const SystemTime kBase{std::chrono::seconds{1796473846}};

ServerInfo server() {
  setenv("TZ", "UTC", 1);
  tzset();
  ServerInfo info;
  info.server_id = "NSERVER";
  return info;
}

ConnectionInfo connection(std::uint64_t cid) {
  ConnectionInfo c;
  c.cid = cid;
  c.ip = "127.0.0.1";
  c.port = 50000 + static_cast<int>(cid);
  c.start = kBase + std::chrono::seconds{cid};
  c.last_activity = c.start;
  return c;
}

std::string connz(std::vector<ConnectionInfo> open, std::vector<ConnectionInfo> closed,
                  const std::string& query, SystemTime now = kBase + 100s) {
  const auto parsed = parse_connz(Query{query});
  REQUIRE(parsed.ok());
  return write_connz(server(), std::move(open), std::move(closed), parsed.request, now);
}

// The cids of the listed connections, in order (connection fields are indented six spaces).
std::vector<std::uint64_t> cids(const std::string& body) {
  static const std::regex kCid("\n      \"cid\": ([0-9]+)");
  std::vector<std::uint64_t> out;
  for (std::sregex_iterator it(body.begin(), body.end(), kCid), end; it != end; ++it) {
    out.push_back(std::stoull((*it)[1]));
  }
  return out;
}

std::string error_of(const std::string& query) {
  return parse_connz(Query{query}).error;
}

}  // namespace

TEST_CASE("connz query errors are nats-server's texts, in its order", "[monitor][connz]") {
  CHECK(error_of("sort=bogus") == "invalid sorting option: bogus");
  CHECK(error_of("sort=IDLE") == "invalid sorting option: IDLE");
  CHECK(error_of("limit=x") == "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(error_of("offset=x") ==
        "Error decoding int for 'offset': strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(error_of("state=x") == "Error decoding state for x");
  CHECK(error_of("subs=x") ==
        "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(error_of("auth=x") ==
        "Error decoding boolean for 'auth': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(error_of("cid=x") ==
        "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"x\": invalid syntax");
  CHECK(error_of("sort=stop") == "sort by stop only valid on closed connections");
  CHECK(error_of("sort=reason&state=all") == "sort by reason only valid on closed connections");
  // Several bad values: the first in nats-server's order is reported.
  CHECK(error_of("sort=bogus&state=x&limit=y&auth=z").rfind("Error decoding boolean for 'auth'", 0) == 0);
  CHECK(error_of("sort=bogus&state=x") == "Error decoding state for x");
}

TEST_CASE("connz query values and defaults", "[monitor][connz]") {
  const auto defaults = parse_connz(Query{""}).request;
  CHECK(defaults.sort == ConnzSort::kCid);
  CHECK(defaults.limit == 1024);
  CHECK(defaults.offset == 0);
  CHECK(defaults.state == ConnzState::kOpen);
  CHECK_FALSE(defaults.wants_subscriptions());
  CHECK_FALSE(defaults.wants_closed());

  const auto paged = parse_connz(Query{"limit=-1&offset=-5"}).request;
  CHECK(paged.limit == 1024);
  CHECK(paged.offset == 0);
  CHECK(parse_connz(Query{"limit=0"}).request.limit == 1024);
  CHECK(parse_connz(Query{"cid=7&limit=50"}).request.limit == 1);

  CHECK(parse_connz(Query{"state=CLOSED&sort=stop"}).request.state == ConnzState::kClosed);
  CHECK(parse_connz(Query{"state=Any"}).request.state == ConnzState::kAll);
  CHECK(parse_connz(Query{"state=all"}).request.wants_open());
  const auto detail = parse_connz(Query{"subs=DeTail"}).request;
  CHECK(detail.subs_detail);
  CHECK(detail.wants_subscriptions());
  CHECK(parse_connz(Query{"subs=1"}).request.subs);
}

TEST_CASE("an empty connz", "[monitor][connz]") {
  CHECK(connz({}, {}, "cid=99") ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:32:26Z\",\n"
        "  \"num_connections\": 0,\n"
        "  \"total\": 0,\n"
        "  \"offset\": 0,\n"
        "  \"limit\": 1,\n"
        "  \"connections\": []\n"
        "}");
}

TEST_CASE("an open connection with every field, and subs=1", "[monitor][connz]") {
  ConnectionInfo c = connection(5);
  c.last_activity = kBase + 40s + 250ms;
  c.rtt = 512345ns;
  c.pending_bytes = 3;
  c.in_msgs = 10;
  c.out_msgs = 20;
  c.in_bytes = 100;
  c.out_bytes = 200;
  c.subscription_count = 2;
  c.name = "svc";
  c.lang = "go";
  c.version = "1.30.0";
  c.subscriptions = {{"foo.>", "", "1", 4, 0, 5}, {"bar", "q", "2", 0, 10, 5}};
  const std::string expected_head =
      "{\n"
      "  \"server_id\": \"NSERVER\",\n"
      "  \"now\": \"2026-12-05T12:32:26.5Z\",\n"
      "  \"num_connections\": 1,\n"
      "  \"total\": 1,\n"
      "  \"offset\": 0,\n"
      "  \"limit\": 1024,\n"
      "  \"connections\": [\n"
      "    {\n"
      "      \"cid\": 5,\n"
      "      \"kind\": \"Client\",\n"
      "      \"type\": \"nats\",\n"
      "      \"ip\": \"127.0.0.1\",\n"
      "      \"port\": 50005,\n"
      "      \"start\": \"2026-12-05T12:30:51Z\",\n"
      "      \"last_activity\": \"2026-12-05T12:31:26.25Z\",\n"
      "      \"rtt\": \"512\xC2\xB5s\",\n"
      "      \"uptime\": \"1m35s\",\n"
      "      \"idle\": \"1m0s\",\n"
      "      \"pending_bytes\": 3,\n"
      "      \"in_msgs\": 10,\n"
      "      \"out_msgs\": 20,\n"
      "      \"in_bytes\": 100,\n"
      "      \"out_bytes\": 200,\n"
      "      \"subscriptions\": 2,\n"
      "      \"name\": \"svc\",\n"
      "      \"lang\": \"go\",\n"
      "      \"version\": \"1.30.0\"";
  const SystemTime now = kBase + 100s + 500ms;
  CHECK(connz({c}, {}, "", now) == expected_head + "\n    }\n  ]\n}");
  CHECK(connz({c}, {}, "subs=1", now) == expected_head +
                                             ",\n"
                                             "      \"subscriptions_list\": [\n"
                                             "        \"foo.\\u003e\",\n"
                                             "        \"bar\"\n"
                                             "      ]\n"
                                             "    }\n  ]\n}");
  CHECK(connz({c}, {}, "subs=detail", now) == expected_head +
                                                  ",\n"
                                                  "      \"subscriptions_list_detail\": [\n"
                                                  "        {\n"
                                                  "          \"subject\": \"foo.\\u003e\",\n"
                                                  "          \"sid\": \"1\",\n"
                                                  "          \"msgs\": 4,\n"
                                                  "          \"cid\": 5\n"
                                                  "        },\n"
                                                  "        {\n"
                                                  "          \"subject\": \"bar\",\n"
                                                  "          \"qgroup\": \"q\",\n"
                                                  "          \"sid\": \"2\",\n"
                                                  "          \"msgs\": 0,\n"
                                                  "          \"max\": 10,\n"
                                                  "          \"cid\": 5\n"
                                                  "        }\n"
                                                  "      ]\n"
                                                  "    }\n  ]\n}");
}

TEST_CASE("omitempty fields are absent", "[monitor][connz]") {
  const std::string body = connz({connection(1)}, {}, "subs=detail");
  for (const char* absent : {"\"name\"", "\"lang\"", "\"version\"", "\"stop\"", "\"reason\"",
                             "subscriptions_list", "\"account\"", "null"}) {
    INFO(absent);
    CHECK(body.find(absent) == std::string::npos);
  }
  CHECK(body.find("\"rtt\": \"0s\"") != std::string::npos);
  CHECK(body.find("\"subscriptions\": 0") != std::string::npos);
}

TEST_CASE("a closed connection has stop and reason, and its own uptime", "[monitor][connz]") {
  ConnectionInfo c = connection(3);
  c.last_activity = kBase + 10s;
  c.stop = kBase + 20s + 123us;
  c.reason = "Client Closed";
  c.subscription_count = 1;
  c.subscriptions = {{"a", "", "9", 1, 0, 3}};
  const std::string body = connz({connection(1)}, {c}, "state=closed&subs=1");
  CHECK(body ==
        "{\n"
        "  \"server_id\": \"NSERVER\",\n"
        "  \"now\": \"2026-12-05T12:32:26Z\",\n"
        "  \"num_connections\": 1,\n"
        "  \"total\": 1,\n"
        "  \"offset\": 0,\n"
        "  \"limit\": 1024,\n"
        "  \"connections\": [\n"
        "    {\n"
        "      \"cid\": 3,\n"
        "      \"kind\": \"Client\",\n"
        "      \"type\": \"nats\",\n"
        "      \"ip\": \"127.0.0.1\",\n"
        "      \"port\": 50003,\n"
        "      \"start\": \"2026-12-05T12:30:49Z\",\n"
        "      \"last_activity\": \"2026-12-05T12:30:56Z\",\n"
        "      \"stop\": \"2026-12-05T12:31:06.000123Z\",\n"
        "      \"reason\": \"Client Closed\",\n"
        "      \"rtt\": \"0s\",\n"
        "      \"uptime\": \"17s\",\n"
        "      \"idle\": \"10s\",\n"
        "      \"pending_bytes\": 0,\n"
        "      \"in_msgs\": 0,\n"
        "      \"out_msgs\": 0,\n"
        "      \"in_bytes\": 0,\n"
        "      \"out_bytes\": 0,\n"
        "      \"subscriptions\": 1,\n"
        "      \"subscriptions_list\": [\n"
        "        \"a\"\n"
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}");
}

TEST_CASE("a closed connection's subscription details name the account", "[monitor][connz]") {
  ConnectionInfo c = connection(4);
  c.stop = kBase + 20s;
  c.reason = "Read Error";
  c.subscriptions = {{"a.b", "", "9", 1, 0, 4}};
  CHECK(connz({}, {c}, "state=closed&subs=detail")
            .find("      \"subscriptions_list_detail\": [\n"
                  "        {\n"
                  "          \"account\": \"$G\",\n"
                  "          \"subject\": \"a.b\",\n"
                  "          \"sid\": \"9\",\n"
                  "          \"msgs\": 1,\n"
                  "          \"cid\": 4\n"
                  "        }\n") != std::string::npos);
}

TEST_CASE("state picks open, closed or both, and total counts them", "[monitor][connz]") {
  ConnectionInfo closed = connection(2);
  closed.stop = kBase + 50s;
  closed.reason = "Client Closed";
  const std::vector<ConnectionInfo> open{connection(3), connection(1)};
  CHECK(cids(connz(open, {closed}, "")) == std::vector<std::uint64_t>{1, 3});
  CHECK(cids(connz(open, {closed}, "state=closed")) == std::vector<std::uint64_t>{2});
  CHECK(cids(connz(open, {closed}, "state=all")) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(connz(open, {closed}, "state=any").find("\"total\": 3,") != std::string::npos);
  CHECK(connz(open, {closed}, "state=closed").find("\"total\": 1,") != std::string::npos);
}

TEST_CASE("cid picks one connection; total is not reduced", "[monitor][connz]") {
  ConnectionInfo closed = connection(2);
  closed.stop = kBase + 50s;
  const std::vector<ConnectionInfo> open{connection(1), connection(3)};
  const std::string body = connz(open, {closed}, "cid=3");
  CHECK(cids(body) == std::vector<std::uint64_t>{3});
  CHECK(body.find("\"num_connections\": 1,\n  \"total\": 2,\n  \"offset\": 0,\n  \"limit\": 1,") !=
        std::string::npos);
  CHECK(cids(connz(open, {closed}, "cid=4")).empty());
  CHECK(cids(connz(open, {closed}, "cid=2&state=closed")) == std::vector<std::uint64_t>{2});
  // nats-server's quirk: with state=all only closed connections are searched by cid.
  CHECK(cids(connz(open, {closed}, "cid=2&state=all")) == std::vector<std::uint64_t>{2});
  CHECK(cids(connz(open, {closed}, "cid=3&state=all")).empty());
}

TEST_CASE("every sort, with ties in ascending cid", "[monitor][connz]") {
  std::vector<ConnectionInfo> open;
  for (std::uint64_t cid = 1; cid <= 4; ++cid)
    open.push_back(connection(cid));
  // Distinct figures per sort key; cid 1 and 2 tie on each to show the tie-break.
  const std::uint64_t figures[] = {5, 5, 9, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    auto& c = open[i];
    c.subscription_count = figures[i];
    c.pending_bytes = figures[i];
    c.out_msgs = figures[i];
    c.in_msgs = figures[i];
    c.out_bytes = figures[i];
    c.in_bytes = figures[i];
  }
  // Input order must not matter.
  std::swap(open[0], open[3]);
  const std::vector<std::uint64_t> descending{3, 1, 2, 4};
  for (const char* sort : {"subs", "pending", "msgs_to", "msgs_from", "bytes_to", "bytes_from"}) {
    INFO(sort);
    CHECK(cids(connz(open, {}, std::string("sort=") + sort)) == descending);
  }
  CHECK(cids(connz(open, {}, "sort=cid")) == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(cids(connz(open, {}, "sort=start")) == std::vector<std::uint64_t>{1, 2, 3, 4});

  // start = base + cid seconds. last: most recent activity first.
  for (auto& c : open)
    c.last_activity = kBase + std::chrono::seconds{10 * (c.cid % 3)};
  // last_activity: cid1 +10, cid2 +20, cid3 +0, cid4 +10.
  CHECK(cids(connz(open, {}, "sort=last")) == std::vector<std::uint64_t>{2, 1, 4, 3});
  // idle orders by last_activity - start, descending: cid1 9, cid2 18, cid3 -3, cid4 6.
  CHECK(cids(connz(open, {}, "sort=idle")) == std::vector<std::uint64_t>{2, 1, 4, 3});
  // uptime ascending: the youngest (largest start) first.
  CHECK(cids(connz(open, {}, "sort=uptime")) == std::vector<std::uint64_t>{4, 3, 2, 1});
}

TEST_CASE("closed-only sorts: stop newest first, reason A-Z, uptime uses stop", "[monitor][connz]") {
  std::vector<ConnectionInfo> closed;
  const char* reasons[] = {"Slow Consumer (Pending Bytes)", "Client Closed", "Stale Connection",
                           "Client Closed"};
  const int stops[] = {30, 60, 45, 60};
  for (std::uint64_t cid = 1; cid <= 4; ++cid) {
    ConnectionInfo c = connection(cid);
    c.stop = kBase + std::chrono::seconds{stops[cid - 1]};
    c.reason = reasons[cid - 1];
    closed.push_back(c);
  }
  CHECK(cids(connz({}, closed, "state=closed&sort=stop")) == std::vector<std::uint64_t>{2, 4, 3, 1});
  CHECK(cids(connz({}, closed, "state=closed&sort=reason")) == std::vector<std::uint64_t>{2, 4, 1, 3});
  // Uptimes (stop - start): 29, 58, 42, 56.
  CHECK(cids(connz({}, closed, "state=closed&sort=uptime")) == std::vector<std::uint64_t>{1, 3, 4, 2});
}

TEST_CASE("offset and limit page the sorted list", "[monitor][connz]") {
  std::vector<ConnectionInfo> open;
  for (std::uint64_t cid = 1; cid <= 5; ++cid)
    open.push_back(connection(cid));
  const std::string page = connz(open, {}, "offset=1&limit=2");
  CHECK(cids(page) == std::vector<std::uint64_t>{2, 3});
  CHECK(page.find("\"num_connections\": 2,\n  \"total\": 5,\n  \"offset\": 1,\n  \"limit\": 2,") !=
        std::string::npos);
  CHECK(cids(connz(open, {}, "offset=4&limit=9")) == std::vector<std::uint64_t>{5});
  CHECK(cids(connz(open, {}, "offset=7")).empty());
  CHECK(connz(open, {}, "offset=7").find("\"connections\": []") != std::string::npos);
  CHECK(cids(connz(open, {}, "offset=1&limit=9223372036854775807")) ==
        std::vector<std::uint64_t>{2, 3, 4, 5});
  CHECK(cids(connz(open, {}, "sort=uptime&limit=2")) == std::vector<std::uint64_t>{5, 4});
}
