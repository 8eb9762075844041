// The monitoring JSON writer against the bytes Go's encoding/json writes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "server/monitor/json_writer.h"

using tern::server::monitor::append_go_float;
using tern::server::monitor::JsonWriter;

namespace {

std::string go_float(double value) {
  std::string out;
  append_go_float(out, value);
  return out;
}

}  // namespace

TEST_CASE("floats are written as Go writes a float64", "[monitor][json]") {
  CHECK(go_float(0) == "0");
  CHECK(go_float(2) == "2");
  CHECK(go_float(0.5) == "0.5");
  CHECK(go_float(0.8) == "0.8");
  CHECK(go_float(2.5) == "2.5");
  CHECK(go_float(-3.25) == "-3.25");
  CHECK(go_float(0.1 + 0.2) == "0.30000000000000004");
  CHECK(go_float(1e20) == "100000000000000000000");
  CHECK(go_float(1e21) == "1e+21");
  CHECK(go_float(1.5e300) == "1.5e+300");
  CHECK(go_float(1e-6) == "0.000001");
  CHECK(go_float(1e-7) == "1e-7");
  CHECK(go_float(2.5e-10) == "2.5e-10");
  CHECK(go_float(-1e-7) == "-1e-7");
  CHECK(go_float(123456789.0) == "123456789");
  CHECK(go_float(std::nan("")) == "0");
  CHECK(go_float(std::numeric_limits<double>::infinity()) == "0");
}

TEST_CASE("the indented style is MarshalIndent's with two spaces", "[monitor][json]") {
  JsonWriter json;
  json.begin_object();
  json.field("s", "a\"<b>");
  json.field("i", std::int64_t{-7});
  json.field("u", std::uint64_t{18446744073709551615u});
  json.field("f", 2.0);
  json.field("b", false);
  json.key("empty_object");
  json.begin_object();
  json.end_object();
  json.key("empty_array");
  json.begin_array();
  json.end_array();
  json.key("n");
  json.null();
  json.key("list");
  json.begin_array();
  json.string("x");
  json.begin_object();
  json.field("k", 1);
  json.end_object();
  json.end_array();
  json.end_object();
  CHECK(json.text() ==
        "{\n"
        "  \"s\": \"a\\\"\\u003cb\\u003e\",\n"
        "  \"i\": -7,\n"
        "  \"u\": 18446744073709551615,\n"
        "  \"f\": 2,\n"
        "  \"b\": false,\n"
        "  \"empty_object\": {},\n"
        "  \"empty_array\": [],\n"
        "  \"n\": null,\n"
        "  \"list\": [\n"
        "    \"x\",\n"
        "    {\n"
        "      \"k\": 1\n"
        "    }\n"
        "  ]\n"
        "}");
}

TEST_CASE("the compact style has no spaces or line breaks", "[monitor][json]") {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.begin_object();
  json.field("status", "ok");
  json.key("list");
  json.begin_array();
  json.integer(1);
  json.number(0.5);
  json.end_array();
  json.end_object();
  CHECK(json.take() == R"({"status":"ok","list":[1,0.5]})");
}

TEST_CASE("an empty top-level object is {}", "[monitor][json]") {
  JsonWriter json;
  json.begin_object();
  json.end_object();
  CHECK(json.text() == "{}");
}
