// The nats-server configuration format. Every accept/reject case here was checked against
// `nats-server -t -c` (2.9.10); values against what nats-server advertises in INFO and /varz.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "server/config_file.h"

using tern::server::config::ConfigEntry;
using tern::server::config::ConfigValue;
using tern::server::config::EnvironmentLookup;
using tern::server::config::parse_config_file;
using tern::server::config::parse_config_text;
using tern::server::config::ParseError;
using Kind = ConfigValue::Kind;

namespace {

const std::filesystem::path kDataDir =
    std::filesystem::path(__FILE__).parent_path().parent_path() / "data" / "config";

EnvironmentLookup fake_environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

ConfigValue parse_ok(std::string_view text, const EnvironmentLookup& environment = fake_environment({})) {
  auto result = parse_config_text(text, "test.conf", environment);
  if (auto* error = std::get_if<ParseError>(&result)) FAIL("unexpected error: " << error->message);
  return std::get<ConfigValue>(std::move(result));
}

std::string parse_error(std::string_view text, const EnvironmentLookup& environment = fake_environment({})) {
  auto result = parse_config_text(text, "test.conf", environment);
  if (std::holds_alternative<ConfigValue>(result)) FAIL("expected an error for: " << text);
  return std::get<ParseError>(result).message;
}

const ConfigValue& value_of(const ConfigValue& map, std::string_view key) {
  const ConfigEntry* entry = map.find(key);
  if (entry == nullptr) FAIL("no key " << key);
  return entry->value;
}

std::int64_t integer_of(std::string_view text) {
  const ConfigValue root = parse_ok("v: " + std::string(text));
  const ConfigValue& value = value_of(root, "v");
  REQUIRE(value.kind == Kind::kInteger);
  return value.integer;
}

}  // namespace

TEST_CASE("key and value separators: colon, equals, whitespace") {
  for (const char* text :
       {"port: 4333", "port = 4333", "port 4333", "port:4333", "port=4333", "port\t4333"}) {
    CAPTURE(text);
    CHECK(value_of(parse_ok(text), "port").integer == 4333);
  }
}

TEST_CASE("statements end at newlines, semicolons, commas and comments") {
  const ConfigValue root =
      parse_ok("a: 1; b: 2, c: 3 # comment\nd: 4 // comment\n# whole line\n// whole line\ne: 5");
  for (const auto& [key, number] :
       std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}}) {
    CHECK(value_of(root, key).integer == number);
  }
}

TEST_CASE("quoted keys and key case are kept as written") {
  const ConfigValue root = parse_ok("\"port\": 1\n'host': x\nPORT: 2");
  CHECK(value_of(root, "port").integer == 1);
  CHECK(value_of(root, "host").text == "x");
  CHECK(value_of(root, "PORT").integer == 2);
}

TEST_CASE("a later entry with the same key replaces the earlier one") {
  const ConfigValue root = parse_ok("port: 1\nport: 2");
  REQUIRE(root.entries.size() == 1);
  CHECK(value_of(root, "port").integer == 2);
}

TEST_CASE("the whole file may be wrapped in braces") {
  CHECK(value_of(parse_ok("{ port: 4333 }"), "port").integer == 4333);
}

TEST_CASE("strings: double quoted with escapes, single quoted raw, bare words, blocks") {
  CHECK(value_of(parse_ok(R"(s: "a\tb\n\"q\"\\\x41")"), "s").text == "a\tb\n\"q\"\\A");
  CHECK(value_of(parse_ok(R"(s: 'a\tb')"), "s").text == "a\\tb");
  CHECK(value_of(parse_ok("s: hello-world_1.x/y"), "s").text == "hello-world_1.x/y");
  CHECK(value_of(parse_ok("s: abc#notacomment"), "s").text == "abc#notacomment");
  CHECK(value_of(parse_ok("s: (\nline one\nline two\n)\n"), "s").text == "\nline one\nline two\n");
  CHECK(value_of(parse_ok("s: \"$NOT_A_VARIABLE\""), "s").text == "$NOT_A_VARIABLE");
  CHECK(value_of(parse_ok("s: \"true\""), "s").kind == Kind::kString);
}

TEST_CASE("addresses stay strings") {
  CHECK(value_of(parse_ok("h: 1.2.3.4"), "h").text == "1.2.3.4");
  CHECK(value_of(parse_ok("h: 127.0.0.1:4222"), "h").text == "127.0.0.1:4222");
  CHECK(value_of(parse_ok("h: ::1"), "h").text == "::1");
}

TEST_CASE("booleans in nats-server's spellings, any case") {
  for (const char* word : {"true", "TRUE", "True", "yes", "on", "ON"}) {
    const ConfigValue value = value_of(parse_ok(std::string("b: ") + word), "b");
    CHECK(value.kind == Kind::kBool);
    CHECK(value.boolean);
  }
  for (const char* word : {"false", "no", "off", "Off"}) {
    const ConfigValue value = value_of(parse_ok(std::string("b: ") + word), "b");
    CHECK(value.kind == Kind::kBool);
    CHECK_FALSE(value.boolean);
  }
}

TEST_CASE("integers and size suffixes: decimal letters, binary with b/i/ib") {
  CHECK(integer_of("1000") == 1000);
  CHECK(integer_of("-5") == -5);
  CHECK(integer_of("1K") == 1000);
  CHECK(integer_of("1k") == 1000);
  CHECK(integer_of("1KB") == 1024);
  CHECK(integer_of("1kb") == 1024);
  CHECK(integer_of("1Ki") == 1024);
  CHECK(integer_of("1KiB") == 1024);
  CHECK(integer_of("1M") == 1000000);
  CHECK(integer_of("1MB") == 1048576);
  CHECK(integer_of("1mb") == 1048576);
  CHECK(integer_of("1Mi") == 1048576);
  CHECK(integer_of("1G") == 1000000000);
  CHECK(integer_of("1GB") == 1073741824);
  CHECK(integer_of("1T") == 1000000000000);
  CHECK(integer_of("1TB") == 1099511627776);
  CHECK(integer_of("1P") == 1000000000000000);
  CHECK(integer_of("1PB") == 1125899906842624);
  CHECK(integer_of("1E") == 1000000000000000000);
  CHECK(integer_of("-1MB") == -1048576);
}

TEST_CASE("numbers followed by other letters are bare strings") {
  for (const char* text : {"1B", "0x10", "1_000", "1mbx", "4abc"}) {
    const ConfigValue value = value_of(parse_ok(std::string("v: ") + text), "v");
    CHECK(value.kind == Kind::kString);
    CHECK(value.text == text);
  }
}

TEST_CASE("floats and datetimes") {
  const ConfigValue f = value_of(parse_ok("f: 1.5"), "f");
  CHECK(f.kind == Kind::kFloat);
  CHECK(f.number == 1.5);
  CHECK(value_of(parse_ok("f: -0.25"), "f").number == -0.25);
  const ConfigValue d = value_of(parse_ok("d: 2020-01-02T03:04:05Z"), "d");
  CHECK(d.kind == Kind::kDatetime);
  CHECK(d.text == "2020-01-02T03:04:05Z");
}

TEST_CASE("arrays: comma or newline separated, trailing comma, comments, nesting") {
  const ConfigValue root = parse_ok("a: [1, 2\n 3 # c\n // c\n \"x\", [4], {k: v},\n]");
  const ConfigValue& a = value_of(root, "a");
  REQUIRE(a.kind == Kind::kArray);
  REQUIRE(a.items.size() == 6);
  CHECK(a.items[2].integer == 3);
  CHECK(a.items[3].text == "x");
  // nats-server's lexer does not end a number at ']', so a number right before it is a string.
  CHECK(a.items[4].items[0].text == "4");
  CHECK(value_of(a.items[5], "k").text == "v");
  CHECK(value_of(parse_ok("a: []"), "a").items.empty());
}

TEST_CASE("maps: with or without separator, entries separated by newline, comma or semicolon") {
  for (const char* text :
       {"m { a: 1, b: 2 }", "m: { a = 1; b = 2 }", "m {\n a 1\n b 2\n}", "m = {a:1\n\nb:2}"}) {
    CAPTURE(text);
    const ConfigValue root = parse_ok(text);
    const ConfigValue& m = value_of(root, "m");
    REQUIRE(m.kind == Kind::kMap);
    CHECK(value_of(m, "a").integer == 1);
    CHECK(value_of(m, "b").integer == 2);
  }
}

TEST_CASE("variables from earlier keys, enclosing maps and the environment") {
  const ConfigValue root = parse_ok("P = 4333\nport: $P\nm { U = a\n user: $U }\nn { user: $P }");
  CHECK(value_of(root, "port").integer == 4333);
  CHECK(root.find("P")->used_as_variable);
  CHECK_FALSE(root.find("port")->used_as_variable);
  CHECK(value_of(value_of(root, "m"), "user").text == "a");
  CHECK(value_of(root, "m").find("U")->used_as_variable);
  CHECK(value_of(value_of(root, "n"), "user").integer == 4333);

  const auto environment = fake_environment({{"PORT", "4444"}, {"SIZE", "1MB"}, {"QUOTED", "\"4444\""}});
  const ConfigValue from_env = parse_ok("port: $PORT\nsize: $SIZE\nq: $QUOTED", environment);
  CHECK(value_of(from_env, "port").integer == 4444);
  CHECK(value_of(from_env, "size").integer == 1048576);
  CHECK(value_of(from_env, "q").text == "4444");
}

TEST_CASE("a bare bcrypt hash is a string, not a variable") {
  const char* hash = "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG";
  CHECK(value_of(parse_ok(std::string("p: ") + hash), "p").text == hash);
}

TEST_CASE("unknown variables are errors naming the variable and line") {
  CHECK(parse_error("a: 1\nport: $NOPE") == "test.conf:2:7: variable reference for 'NOPE' can not be found");
  CHECK(parse_error("port: ${P}").find("'{P'") != std::string::npos);
  // An environment value that does not parse is not found either.
  CHECK_FALSE(parse_error("v: $BAD", fake_environment({{"BAD", "a b"}})).empty());
}

TEST_CASE("syntax errors name file, line and column") {
  CHECK(parse_error("port: 4333 4334") ==
        "test.conf:1:12: Expected a top-level value to end with a new line, comment or EOF, but got '4' "
        "instead.");
  CHECK(parse_error("port:\n") == "test.conf:1:6: Expected value but found new line");
  CHECK(parse_error("= 5") == "test.conf:1:1: Unexpected key separator '='");
  CHECK(parse_error("a: 1\nh: \"abc") == "test.conf:2:4: Unexpected EOF.");
  CHECK(parse_error("h: 'abc") == "test.conf:1:4: Unexpected EOF.");
  CHECK(parse_error(R"(h: "a\qb")").find("Invalid escape character 'q'") != std::string::npos);
  CHECK(parse_error(R"(h: "a\x4Gb")").find("Expected two hexadecimal digits") != std::string::npos);
  CHECK(parse_error("m { a: 1") == "test.conf:1:9: Unexpected EOF processing map.");
  CHECK(parse_error("a: [1, 2") == "test.conf:1:9: Unexpected EOF processing array.");
  CHECK(parse_error("a: [1 2]").find("Expected an array value terminator") != std::string::npos);
  CHECK(parse_error("a: [,]").find("Unexpected array value terminator") != std::string::npos);
  CHECK(parse_error("m { a: 1 b: 2 }").find("Expected a map value terminator") != std::string::npos);
  CHECK(parse_error("m { , }").find("Unexpected key separator") == std::string::npos);
  CHECK(parse_error("h: (abc)") == "test.conf:1:4: Unexpected EOF processing block.");
  CHECK(parse_error("h: .5") == "test.conf:1:4: Floats must start with a digit");
  CHECK(parse_error("h: 1.x").find("Floats must have a digit after the '.'") != std::string::npos);
  CHECK(parse_error("h: 2020-01-01").find("ISO8601") != std::string::npos);
  CHECK(parse_error("h: 20-01").find("All ISO8601 dates must be in full Zulu form.") != std::string::npos);
  CHECK(parse_error("p: 99999999999999999999") ==
        "test.conf:1:4: integer '99999999999999999999' is out of the range");
  CHECK(parse_error("p: 10E") == "test.conf:1:4: integer '10E' is out of the range");
  CHECK(parse_error("p: 1MBB") == "test.conf:1:4: unknown size suffix in '1MBB'");
  CHECK(parse_error("p: 1.5MB").find("but got 'M' instead") != std::string::npos);
  CHECK(parse_error("p: -x") == "test.conf:1:5: Expected a digit but got 'x'.");
  CHECK(parse_error("server_name: hello world").find("but got 'w' instead") != std::string::npos);
  CHECK(parse_error("a: 1\n/ b: 2").find("test.conf:2:1:") == 0);
}

TEST_CASE("quirks kept from nats-server") {
  CHECK(parse_ok("port").entries.empty());  // A key alone at the end of the file is ignored.
  CHECK(value_of(parse_ok("port: 4333 }"), "port").integer == 4333);  // A stray '}' ends a statement.
  CHECK(value_of(parse_ok("h: abc;def"), "h").text == "abc");
  CHECK(value_of(parse_ok("p\n4333"), "p").integer ==
        4333);  // Without a separator the value may follow a newline.
}

TEST_CASE("deep nesting is an error, not a crash") {
  const std::string deep = "a: " + std::string(1000, '[') + std::string(1000, ']');
  CHECK(parse_error(deep).find("nested too deeply") != std::string::npos);
}

TEST_CASE("locations of values and keys") {
  const ConfigValue root = parse_ok("a: 1\n  m {\n    k: v\n  }");
  const ConfigEntry* m = root.find("m");
  CHECK(m->key_location.to_string() == "test.conf:2:3");
  CHECK(m->value.find("k")->key_location.to_string() == "test.conf:3:5");
  CHECK(m->value.find("k")->value.location.to_string() == "test.conf:3:8");
}

TEST_CASE("include: relative to the including file, bare or quoted, at top level and in maps") {
  auto result = parse_config_file(kDataDir / "main.conf", fake_environment({}));
  if (auto* error = std::get_if<ParseError>(&result)) FAIL(error->message);
  const ConfigValue& root = std::get<ConfigValue>(result);
  CHECK(value_of(root, "port").integer == 4333);
  CHECK(value_of(root, "max_pending").integer == 64 * 1024 * 1024);
  CHECK(value_of(root, "max_payload").integer == 2 * 1024 * 1024);
  CHECK(value_of(root, "ping_interval").text == "30s");  // From sub/limits.conf including sub/nested.conf.
  const ConfigValue& users = value_of(value_of(root, "authorization"), "users");
  REQUIRE(users.items.size() == 2);
  CHECK(value_of(users.items[1], "user").text == "bob");
  const std::string nested_file = (kDataDir / "sub" / "nested.conf").lexically_normal().string();
  CHECK(root.find("ping_interval")->key_location.file == nested_file);
}

TEST_CASE("include errors") {
  auto missing =
      parse_config_text("include missing.conf", (kDataDir / "x.conf").string(), fake_environment({}));
  REQUIRE(std::holds_alternative<ParseError>(missing));
  CHECK(std::get<ParseError>(missing).message.find("error parsing include file 'missing.conf', open ") !=
        std::string::npos);

  auto broken = parse_config_file(kDataDir / "bad_include.conf", fake_environment({}));
  REQUIRE(std::holds_alternative<ParseError>(broken));
  CHECK(std::get<ParseError>(broken).message.find("bad_include.conf:2:1: error parsing include file "
                                                  "'sub/broken.conf', ") != std::string::npos);
  CHECK(std::get<ParseError>(broken).message.find("broken.conf:2:1: Unexpected EOF processing array.") !=
        std::string::npos);

  auto cycle = parse_config_file(kDataDir / "cycle.conf", fake_environment({}));
  REQUIRE(std::holds_alternative<ParseError>(cycle));
  CHECK(std::get<ParseError>(cycle).message.find("includes nested too deeply") != std::string::npos);

  CHECK(parse_error("include [a]").find("Expected include value") != std::string::npos);
}

TEST_CASE("a missing file is an error naming it") {
  auto result = parse_config_file("/nonexistent/ternd.conf");
  REQUIRE(std::holds_alternative<ParseError>(result));
  CHECK(std::get<ParseError>(result).message == "open /nonexistent/ternd.conf: No such file or directory");
}
