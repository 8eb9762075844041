// Monitoring query strings as Go's url.ParseQuery reads them, and nats-server's 400 texts.
#include <catch2/catch.hpp>

#include <string>

#include "server/monitor/query.h"

using tern::server::monitor::decode_bool;
using tern::server::monitor::decode_int;
using tern::server::monitor::decode_uint64;
using tern::server::monitor::go_quote;
using tern::server::monitor::Query;

TEST_CASE("query values are decoded and the first one wins", "[monitor][query]") {
  const Query query("a=1&b=x%20y+z&a=2&c&d=&%zz=bad&e=%4&f;g=1&=v&h=%C2%B5");
  CHECK(query.get("a") == "1");
  CHECK(query.get("b") == "x y z");
  CHECK(query.get("c").empty());
  CHECK(query.get("d").empty());
  CHECK(query.get("e").empty());  // A bad escape drops the pair.
  CHECK(query.get("f").empty());  // Go drops pairs holding ';'.
  CHECK(query.get("g").empty());
  CHECK(query.get("") == "v");
  CHECK(query.get("h") == "\xC2\xB5");
  CHECK(query.get("missing").empty());
  CHECK(Query{""}.get("a").empty());
  CHECK(Query{"sort=%24G"}.get("sort") == "$G");
}

TEST_CASE("bools are strconv.ParseBool's", "[monitor][query]") {
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    const auto decoded = decode_bool(Query{std::string("subs=") + yes}, "subs");
    CHECK(decoded.ok());
    CHECK(decoded.value);
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    const auto decoded = decode_bool(Query{std::string("subs=") + no}, "subs");
    CHECK(decoded.ok());
    CHECK_FALSE(decoded.value);
  }
  CHECK_FALSE(decode_bool(Query{""}, "subs").value);
  CHECK(decode_bool(Query{"subs=x"}, "subs").error ==
        "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax");
  CHECK(decode_bool(Query{"js-enabled=yes"}, "js-enabled").error ==
        "Error decoding boolean for 'js-enabled': strconv.ParseBool: parsing \"yes\": invalid syntax");
  CHECK(decode_bool(Query{"auth=tRue"}, "auth").error ==
        "Error decoding boolean for 'auth': strconv.ParseBool: parsing \"tRue\": invalid syntax");
}

TEST_CASE("ints are strconv.Atoi's", "[monitor][query]") {
  CHECK(decode_int(Query{"limit=42"}, "limit").value == 42);
  CHECK(decode_int(Query{"limit=-5"}, "limit").value == -5);
  CHECK(decode_int(Query{"limit=%2B7"}, "limit").value == 7);
  CHECK(decode_int(Query{"limit=-9223372036854775808"}, "limit").value == INT64_MIN);
  CHECK(decode_int(Query{"limit=9223372036854775807"}, "limit").value == INT64_MAX);
  CHECK(decode_int(Query{"limit=x"}, "limit").error ==
        "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(decode_int(Query{"offset=x"}, "offset").error ==
        "Error decoding int for 'offset': strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(decode_int(Query{"limit=-"}, "limit").error ==
        "Error decoding int for 'limit': strconv.Atoi: parsing \"-\": invalid syntax");
  CHECK(decode_int(Query{"limit=1.5"}, "limit").error ==
        "Error decoding int for 'limit': strconv.Atoi: parsing \"1.5\": invalid syntax");
  CHECK(decode_int(Query{"limit=9223372036854775808"}, "limit").error ==
        "Error decoding int for 'limit': strconv.Atoi: parsing \"9223372036854775808\": value out of range");
}

TEST_CASE("uint64s are strconv.ParseUint's", "[monitor][query]") {
  CHECK(decode_uint64(Query{"cid=18446744073709551615"}, "cid").value == UINT64_MAX);
  CHECK(decode_uint64(Query{"cid=x"}, "cid").error ==
        "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"x\": invalid syntax");
  CHECK(decode_uint64(Query{"cid=-1"}, "cid").error ==
        "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax");
  CHECK(decode_uint64(Query{"cid=%2B1"}, "cid").error ==
        "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"+1\": invalid syntax");
  CHECK(decode_uint64(Query{"cid=18446744073709551616"}, "cid").error ==
        "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"18446744073709551616\": value out of "
        "range");
}

TEST_CASE("rejected text is quoted like strconv.Quote", "[monitor][query]") {
  CHECK(go_quote("x") == "\"x\"");
  CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(go_quote("\n\t\x01\x7f") == "\"\\n\\t\\x01\\x7f\"");
  CHECK(go_quote("\xC2\xB5") == "\"\xC2\xB5\"");
  CHECK(go_quote("\xff") == "\"\\xff\"");
}
