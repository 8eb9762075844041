// What the fuzz targets found, each as the smallest input that shows it, kept as regression tests now
// that the code is fixed. docs/reliability.md describes each finding.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "protocol/connect.h"
#include "protocol/info.h"

using tern::protocol::ConnectOptions;
using tern::protocol::ConnectParseError;
using tern::protocol::ServerInfo;

// nats-server 2.9.10 (Go's encoding/json) accepts strings that are not valid UTF-8 and replaces the bad
// bytes with U+FFFD: `CONNECT {"name":"\xff"}` then `PING` gets `+OK` and `PONG`. simdjson rejects the
// document, so ternd closed such a client without a word until parse_connect learnt to read it as Go does.
TEST_CASE("CONNECT strings that are not valid UTF-8 are accepted, as nats-server does", "[fuzz]") {
  for (const std::string& json :
       {std::string("{\"name\":\"\xff\"}"), std::string("{\"name\":\"\xed\xa0\x80\"}"),
        std::string(R"({"lang":"\ud800"})")}) {
    INFO(json);
    ConnectOptions options;
    CHECK(tern::protocol::parse_connect(json, options) == ConnectParseError::kNone);
  }
}

// client_id is unsigned (Go: uint64), and append_info writes it so; parse_info reads it as int64, so it
// rejects what append_info wrote for any id of 2^63 or more and accepts negative ids. Found by fuzz_info
// with the input {"client_id":-1}.
TEST_CASE("an INFO client_id of 2^63 or more survives append_info and parse_info", "[fuzz]") {
  ServerInfo info;
  info.client_id = UINT64_MAX;
  std::string line;
  tern::protocol::append_info(line, info);
  const std::string json = line.substr(5, line.size() - 5 - 3);  // Without "INFO " and " \r\n".
  ServerInfo again;
  REQUIRE(tern::protocol::parse_info(json, again));
  CHECK(again.client_id == UINT64_MAX);
}

TEST_CASE("a negative INFO client_id is refused, as Go refuses it for a uint64", "[fuzz]") {
  ServerInfo info;
  CHECK_FALSE(tern::protocol::parse_info(R"({"client_id":-1})", info));
}
