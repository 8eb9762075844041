// CONNECT and INFO JSON, and the frame writers.
#include <catch2/catch.hpp>

#include <string>

#include "protocol/connect.h"
#include "protocol/frames.h"
#include "protocol/info.h"

using namespace tern::protocol;

TEST_CASE("CONNECT defaults verbose, pedantic and echo to true", "[connect]") {
  ConnectOptions options;
  REQUIRE(parse_connect("{}", options) == ConnectParseError::kNone);
  CHECK(options.verbose);
  CHECK(options.pedantic);
  CHECK(options.echo);
  CHECK_FALSE(options.headers);
  CHECK_FALSE(options.no_responders);
  CHECK(options.protocol == 0);
}

TEST_CASE("CONNECT reads every field", "[connect]") {
  ConnectOptions o;
  const char* json =
      R"({"verbose":false,"pedantic":false,"echo":false,"tls_required":true,"auth_token":"tok","user":"u",)"
      R"("pass":"p","nkey":"nk","jwt":"j","sig":"s","name":"svc","lang":"go","version":"1.2.3","protocol":1,)"
      R"("headers":true,"no_responders":true,"unknown":{"nested":[1,2,{"x":null}]}})";
  REQUIRE(parse_connect(json, o) == ConnectParseError::kNone);
  CHECK_FALSE(o.verbose);
  CHECK_FALSE(o.pedantic);
  CHECK_FALSE(o.echo);
  CHECK(o.tls_required);
  CHECK(o.auth_token == "tok");
  CHECK(o.user == "u");
  CHECK(o.pass == "p");
  CHECK(o.nkey == "nk");
  CHECK(o.jwt == "j");
  CHECK(o.sig == "s");
  CHECK(o.name == "svc");
  CHECK(o.lang == "go");
  CHECK(o.version == "1.2.3");
  CHECK(o.protocol == 1);
  CHECK(o.headers);
  CHECK(o.no_responders);
}

TEST_CASE("CONNECT follows Go's encoding/json", "[connect]") {
  SECTION("keys match case-insensitively") {
    ConnectOptions o;
    REQUIRE(parse_connect(R"({"Verbose":false,"ECHO":false})", o) == ConnectParseError::kNone);
    CHECK_FALSE(o.verbose);
    CHECK_FALSE(o.echo);
  }
  SECTION("a later duplicate wins") {
    ConnectOptions o;
    REQUIRE(parse_connect(R"({"verbose":false,"verbose":true})", o) == ConnectParseError::kNone);
    CHECK(o.verbose);
  }
  SECTION("null leaves the default") {
    ConnectOptions o;
    REQUIRE(parse_connect(R"({"verbose":null,"name":null})", o) == ConnectParseError::kNone);
    CHECK(o.verbose);
    CHECK(o.name.empty());
  }
  SECTION("absent keys keep what an earlier CONNECT set") {
    ConnectOptions o;
    REQUIRE(parse_connect(R"({"verbose":false,"name":"a"})", o) == ConnectParseError::kNone);
    REQUIRE(parse_connect(R"({"echo":false})", o) == ConnectParseError::kNone);
    CHECK_FALSE(o.verbose);
    CHECK_FALSE(o.echo);
    CHECK(o.name == "a");
  }
  SECTION("strings are unescaped") {
    ConnectOptions o;
    REQUIRE(parse_connect(R"({"name":"a\"b\u00e9"})", o) == ConnectParseError::kNone);
    CHECK(o.name == "a\"b\xc3\xa9");
  }
}

TEST_CASE("malformed CONNECT JSON is refused", "[connect]") {
  const char* bad[] = {
      "",
      "{",
      "{bad json",
      "[]",
      "\"x\"",
      R"({"verbose":false} x)",
      R"({"verbose":"x"})",
      R"({"echo":1})",
      R"({"name":5})",
      R"({"protocol":"1"})",
      R"({"protocol":1.5})",
      R"({"headers":"true"})",
  };
  for (const char* json : bad) {
    ConnectOptions o;
    INFO(json);
    CHECK(parse_connect(json, o) == ConnectParseError::kMalformed);
  }
  ConnectOptions o;
  CHECK(parse_connect("null", o) == ConnectParseError::kNone);
  CHECK(o.verbose);
  CHECK(parse_connect(R"({"protocol":-1})", o) == ConnectParseError::kNone);
  CHECK(o.protocol == -1);
}

TEST_CASE("CONNECT is written back as JSON the server parses", "[connect]") {
  ConnectOptions o;
  o.verbose = false;
  o.pedantic = false;
  o.name = "svc \"one\"";
  o.lang = "cpp";
  o.version = "0.1.0";
  o.protocol = 1;
  o.headers = true;
  o.no_responders = true;
  o.user = "u";
  o.pass = "p";
  std::string line;
  append_connect(line, o);
  CHECK(line ==
        R"(CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"user":"u","pass":"p",)"
        R"("name":"svc \"one\"","lang":"cpp","version":"0.1.0","protocol":1,"echo":true,"headers":true,)"
        "\"no_responders\":true}\r\n");
  ConnectOptions back;
  REQUIRE(parse_connect(std::string_view(line).substr(8, line.size() - 10), back) ==
          ConnectParseError::kNone);
  CHECK(back.name == o.name);
  CHECK(back.no_responders);
}

TEST_CASE("INFO has nats-server's field order and leaves out what does not apply", "[info]") {
  ServerInfo info;
  info.server_id = "NABC";
  info.server_name = "n1";
  info.version = "2.9.10";
  info.go = "ternd 0.1.0";
  info.host = "127.0.0.1";
  info.port = 4222;
  info.max_payload = 1048576;
  info.client_id = 7;
  info.client_ip = "127.0.0.1";
  std::string line;
  append_info(line, info);
  CHECK(line ==
        R"(INFO {"server_id":"NABC","server_name":"n1","version":"2.9.10","proto":1,"go":"ternd 0.1.0",)"
        R"("host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576,"client_id":7,)"
        "\"client_ip\":\"127.0.0.1\"} \r\n");

  info.auth_required = true;
  info.headers = false;
  info.client_id = 0;
  info.client_ip.clear();
  info.connect_urls = {"127.0.0.1:4222", "10.0.0.1:4222"};
  info.lame_duck_mode = true;
  line.clear();
  append_info(line, info);
  CHECK(line ==
        R"(INFO {"server_id":"NABC","server_name":"n1","version":"2.9.10","proto":1,"go":"ternd 0.1.0",)"
        R"("host":"127.0.0.1","port":4222,"headers":false,"auth_required":true,"max_payload":1048576,)"
        "\"connect_urls\":[\"127.0.0.1:4222\",\"10.0.0.1:4222\"],\"ldm\":true} \r\n");
}

namespace {

// The server part of the INFO lines nats-server 2.9.10 sent (below), as ternd would configure it.
ServerInfo recorded_server_info() {
  ServerInfo info;
  info.server_id = "NBKOWI3XKFG2CHFQ5BKQ6BS5AN3NVGUPEZVW7FJPGDFWFIVITXO2ODUG";
  info.server_name = info.server_id;
  info.version = "2.9.10";
  info.go = "go1.19.8";
  info.host = "127.0.0.1";
  info.port = 45223;
  info.max_payload = 1048576;
  return info;
}

constexpr std::string_view kRecordedInfoHead =
    R"(INFO {"server_id":"NBKOWI3XKFG2CHFQ5BKQ6BS5AN3NVGUPEZVW7FJPGDFWFIVITXO2ODUG",)"
    R"("server_name":"NBKOWI3XKFG2CHFQ5BKQ6BS5AN3NVGUPEZVW7FJPGDFWFIVITXO2ODUG","version":"2.9.10","proto":1,)"
    R"("go":"go1.19.8",)";

std::string info_line(std::string_view prefix, const InfoConnectionFields& connection) {
  std::string line;
  append_info_line(line, prefix, connection);
  return line;
}

}  // namespace

// Recorded from `nats-server -a 127.0.0.1 -p -1` (with `--user a --pass b` for auth_required, with
// `-a ::1` for IPv6): the INFO on accept, then the one after SIGUSR2 to a client that sent
// `CONNECT {"verbose":false,"protocol":1}` and `PING` and got its PONG.
TEST_CASE("the per-connection INFO line is nats-server's bytes", "[info]") {
  ServerInfo info = recorded_server_info();
  const std::string prefix = info_prefix(info);
  CHECK(prefix == std::string(kRecordedInfoHead) +
                      R"("host":"127.0.0.1","port":45223,"headers":true,"max_payload":1048576)");

  CHECK(info_line(prefix, {.client_id = 4, .client_ip = "127.0.0.1"}) ==
        std::string(kRecordedInfoHead) +
            R"("host":"127.0.0.1","port":45223,"headers":true,"max_payload":1048576,"client_id":4,)"
            "\"client_ip\":\"127.0.0.1\"} \r\n");
  CHECK(info_line(prefix, {.client_id = 4, .client_ip = "127.0.0.1", .lame_duck_mode = true}) ==
        std::string(kRecordedInfoHead) +
            R"("host":"127.0.0.1","port":45223,"headers":true,"max_payload":1048576,"client_id":4,)"
            "\"client_ip\":\"127.0.0.1\",\"ldm\":true} \r\n");

  info.auth_required = true;
  CHECK(info_line(info_prefix(info), {.client_id = 5, .client_ip = "127.0.0.1"}) ==
        std::string(kRecordedInfoHead) +
            R"("host":"127.0.0.1","port":45223,"headers":true,"auth_required":true,"max_payload":1048576,)"
            "\"client_id\":5,\"client_ip\":\"127.0.0.1\"} \r\n");

  info.auth_required = false;
  info.host = "::1";
  CHECK(info_line(info_prefix(info), {.client_id = 4, .client_ip = "::1"}) ==
        std::string(kRecordedInfoHead) +
            R"("host":"::1","port":45223,"headers":true,"max_payload":1048576,"client_id":4,)"
            "\"client_ip\":\"::1\"} \r\n");
}

TEST_CASE("the INFO prefix leaves the per-connection fields to append_info_line", "[info]") {
  ServerInfo info = recorded_server_info();
  const std::string bare_prefix = info_prefix(info);
  info.client_id = 9;
  info.client_ip = "10.0.0.1";
  info.nonce = "n";
  info.connect_urls = {"a:1"};
  info.lame_duck_mode = true;
  CHECK(info_prefix(info) == bare_prefix);

  // Fields that do not apply are left out, as Go's omitempty does.
  CHECK(info_line(bare_prefix, {}) == bare_prefix + "} \r\n");
  CHECK(info_line(bare_prefix, {.lame_duck_mode = true}) == bare_prefix + ",\"ldm\":true} \r\n");
  CHECK(info_line("", {.client_id = 1}) == ",\"client_id\":1} \r\n");

  // IPv6 addresses, zone included, have nothing to escape in JSON; a quote or backslash would be escaped.
  CHECK(info_line("", {.client_id = 7, .client_ip = "fe80::1%eth0"}) ==
        ",\"client_id\":7,\"client_ip\":\"fe80::1%eth0\"} \r\n");
  CHECK(info_line("", {.client_id = 7, .client_ip = "a\"b\\c"}) ==
        ",\"client_id\":7,\"client_ip\":\"a\\\"b\\\\c\"} \r\n");
}

// Recorded from nats-server 2.9.10 started with `-n 'a<b>&"\c<U+2028>'`, and with `-n` given the bytes
// below: Go's json.Marshal escapes <, > and &, U+2028 and U+2029, and writes each byte that does not
// start valid UTF-8 (a lone FF, a cut sequence, an encoded surrogate) as \ufffd.
TEST_CASE("INFO strings are escaped as Go's json.Marshal escapes them", "[info]") {
  ServerInfo info = recorded_server_info();
  auto server_name_field = [&](std::string name) {
    info.server_name = std::move(name);
    const std::string prefix = info_prefix(info);
    const std::size_t at = prefix.find("\"server_name\":");
    return prefix.substr(at, prefix.find(",\"version\"") - at);
  };
  CHECK(server_name_field("a<b>&\"\\c\u2028") == R"("server_name":"a\u003cb\u003e\u0026\"\\c\u2028")");
  CHECK(server_name_field("\u2029") == R"("server_name":"\u2029")");
  CHECK(server_name_field("x\xffy\x01z\x7f\xe2\x82|\xed\xa0\x80|\xc3\xa9") ==
        "\"server_name\":\"x\\ufffdy\\u0001z\x7f\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\xc3\xa9\"");
  CHECK(server_name_field("\t\n\r\x1f") == R"("server_name":"\t\n\r\u001f")");
}

TEST_CASE("append_info_line writes what append_info writes and parse_info reads it back", "[info]") {
  ServerInfo info = recorded_server_info();
  info.auth_required = true;
  info.host = "::";
  const std::string prefix = info_prefix(info);
  for (const bool lame_duck : {false, true}) {
    const std::string line = info_line(
        prefix,
        {.client_id = 18446744073709551615u, .client_ip = "2001:db8::7", .lame_duck_mode = lame_duck});
    ServerInfo whole = info;
    whole.client_id = 18446744073709551615u;
    whole.client_ip = "2001:db8::7";
    whole.lame_duck_mode = lame_duck;
    std::string expected;
    append_info(expected, whole);
    CHECK(line == expected);

    REQUIRE(line.starts_with("INFO "));
    REQUIRE(line.ends_with(" \r\n"));
    ServerInfo back;
    REQUIRE(parse_info(std::string_view(line).substr(5, line.size() - 5 - 3), back));
    CHECK(back.server_id == info.server_id);
    CHECK(back.server_name == info.server_name);
    CHECK(back.version == info.version);
    CHECK(back.go == info.go);
    CHECK(back.host == "::");
    CHECK(back.port == info.port);
    CHECK(back.headers);
    CHECK(back.auth_required);
    CHECK(back.max_payload == info.max_payload);
    CHECK(back.client_id == 18446744073709551615u);
    CHECK(back.client_ip == "2001:db8::7");
    CHECK(back.lame_duck_mode == lame_duck);
  }
}

TEST_CASE("INFO from nats-server parses", "[info]") {
  const char* json =
      R"({"server_id":"NDDY","server_name":"x","version":"2.9.10","proto":1,"go":"go1.19.8",)"
      R"("host":"0.0.0.0","port":4222,"headers":true,"auth_required":true,"max_payload":1048576,)"
      R"("client_id":50,"client_ip":"127.0.0.1","connect_urls":["a:1","b:2"],"nonce":"n","cluster":"c"})";
  ServerInfo info;
  REQUIRE(parse_info(json, info));
  CHECK(info.server_id == "NDDY");
  CHECK(info.version == "2.9.10");
  CHECK(info.port == 4222);
  CHECK(info.headers);
  CHECK(info.auth_required);
  CHECK(info.max_payload == 1048576);
  CHECK(info.client_id == 50);
  CHECK(info.connect_urls == std::vector<std::string>{"a:1", "b:2"});
  CHECK(info.nonce == "n");
  ServerInfo bad;
  CHECK_FALSE(parse_info("{\"port\":\"x\"}", bad));
  CHECK_FALSE(parse_info("nope", bad));
}

TEST_CASE("frame writers", "[frames]") {
  char buf[256];
  auto msg = [&](std::string_view subject, std::string_view sid, std::string_view reply, std::string_view hdr,
                 std::string_view size) {
    const std::size_t n = msg_line_size(subject, sid, reply, hdr, size);
    char* end = write_msg_line(buf, subject, sid, reply, hdr, size);
    REQUIRE(static_cast<std::size_t>(end - buf) == n);
    return std::string(buf, n);
  };
  CHECK(msg("foo", "1", "", "", "5") == "MSG foo 1 5\r\n");
  CHECK(msg("foo.bar", "22", "_INBOX.x", "", "0") == "MSG foo.bar 22 _INBOX.x 0\r\n");
  CHECK(msg("foo", "1", "", "12", "14") == "HMSG foo 1 12 14\r\n");
  CHECK(msg("foo", "1", "r", "12", "14") == "HMSG foo 1 r 12 14\r\n");

  auto pub = [&](std::string_view subject, std::string_view reply, std::size_t hdr, std::size_t total,
                 bool h) {
    const std::size_t n = pub_line_size(subject, reply, hdr, total, h);
    char* end = write_pub_line(buf, subject, reply, hdr, total, h);
    REQUIRE(static_cast<std::size_t>(end - buf) == n);
    return std::string(buf, n);
  };
  CHECK(pub("foo", "", 0, 5, false) == "PUB foo 5\r\n");
  CHECK(pub("foo", "r", 0, 1048576, false) == "PUB foo r 1048576\r\n");
  CHECK(pub("foo", "", 12, 14, true) == "HPUB foo 12 14\r\n");
  CHECK(pub("foo", "r", 10, 10, true) == "HPUB foo r 10 10\r\n");

  std::string s;
  append_sub(s, "foo.*", "", "1");
  append_sub(s, "foo", "q", "2");
  append_unsub(s, "1", 0);
  append_unsub(s, "2", 10);
  append_err(s, "Unknown Protocol Operation");
  CHECK(s == "SUB foo.* 1\r\nSUB foo q 2\r\nUNSUB 1\r\nUNSUB 2 10\r\n-ERR 'Unknown Protocol Operation'\r\n");
}

// Recorded from nats-server 2.9.10: a client sent `CONNECT {"verbose":false,"headers":true,
// "no_responders":true}`, `SUB _INBOX.abc.* 7`, `PUB nobody _INBOX.abc.1 2` with payload `hi`, and
// later `SUB _INBOX.xyz 9` and an HPUB to nobody with reply `_INBOX.xyz`.
TEST_CASE("the no-responders status is nats-server's bytes", "[frames]") {
  auto no_responders = [](std::string_view reply, std::string_view sid) {
    char buf[256];
    const std::size_t n = no_responders_size(reply, sid);
    REQUIRE(n <= sizeof buf);
    char* end = write_no_responders(buf, reply, sid);
    REQUIRE(static_cast<std::size_t>(end - buf) == n);
    return std::string(buf, n);
  };
  CHECK(no_responders("_INBOX.abc.1", "7") == "HMSG _INBOX.abc.1 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  CHECK(no_responders("_INBOX.xyz", "9") == "HMSG _INBOX.xyz 9 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  CHECK(no_responders("r", "sid-1") == "HMSG r sid-1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
}
