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
