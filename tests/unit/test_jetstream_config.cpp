// Stream configuration reading and checking on inputs the captures do not cover: malformed nesting,
// Go's decoding corners, subject collisions and what counts as an identical configuration.
#include <catch2/catch.hpp>

#include "server/jetstream/stream_config_check.h"
#include "server/jetstream/subjects.h"

using namespace tern::server::jetstream;

namespace {

StreamConfig parsed(std::string_view body) {
  StreamConfig config;
  REQUIRE_FALSE(parse_stream_config(body, config));
  return config;
}

}  // namespace

TEST_CASE("bad nested values are invalid JSON, never a crash") {
  StreamConfig config;
  for (const char* body :
       {R"({"name":"S","sources":[null]})", R"({"name":"S","sources":{}})", R"({"name":"S","placement":[]})",
        R"({"name":"S","mirror":"x"})", R"({"name":"S","subjects":"S"})", R"({"name":"S","subjects":[1]})",
        R"({"name":"S","max_age":1e9})", R"({"name":"S","opt":{)", R"({"name":"S","sealed":"true"})",
        R"({"name":"S","mirror":{"external":[]}})", R"({"name":"S","num_replicas":99999999999999999999})"}) {
    INFO(body);
    const auto error = parse_stream_config(body, config);
    REQUIRE(error);
    CHECK(error->err_code == 10025);
  }
}

TEST_CASE("Go's decoding: case-insensitive keys, last duplicate wins, null leaves a field alone") {
  const auto config =
      parsed(R"({"name":"A","NAME":"B","max_msgs":5,"max_msgs":null,"subjects":null,"Discard":"NEW"})");
  CHECK(config.name == "B");
  CHECK(config.max_msgs == 5);
  CHECK(config.subjects.empty());
  CHECK(config.discard == DiscardPolicy::kNew);
}

TEST_CASE("defaults as checkStreamCfg fills them in") {
  auto config = parsed(R"({"name":"S","max_age":30000000000})");
  REQUIRE_FALSE(check_stream_config(config));
  CHECK(config.duplicate_window_ns == 30'000'000'000);
  CHECK(config.subjects == std::vector<std::string>{"S"});
  CHECK((config.max_msgs == -1 && config.max_bytes == -1 && config.max_msg_size == -1));
  CHECK((config.max_consumers == -1 && config.max_msgs_per_subject == -1 && config.num_replicas == 1));
  CHECK(config.storage == StorageType::kFile);

  auto long_age = parsed(R"({"name":"S","max_age":600000000000})");
  REQUIRE_FALSE(check_stream_config(long_age));
  CHECK(long_age.duplicate_window_ns == kDefaultDuplicateWindowNs);

  auto negative_age = parsed(R"({"name":"S","max_age":-1})");
  const auto error = check_stream_config(negative_age);
  REQUIRE(error);
  CHECK(error->description == "duplicates window can not be negative");
}

TEST_CASE("identical means reflect.DeepEqual: nil and empty sources differ") {
  auto a = parsed(R"({"name":"S"})");
  auto b = parsed(R"({"name":"S","sources":[]})");
  REQUIRE_FALSE(prepare_stream_create("S", a));
  REQUIRE_FALSE(prepare_stream_create("S", b));
  CHECK_FALSE(a == b);
  auto c = parsed(R"({"name":"S","subjects":["S"],"max_msgs":-1,"duplicate_window":120000000000})");
  REQUIRE_FALSE(prepare_stream_create("S", c));
  CHECK(a == c);
}

TEST_CASE("mirrors, sources and republish pass nats-server's checks, then ternd refuses them") {
  auto mirror = parsed(R"({"name":"M","mirror":{"name":"O"}})");
  REQUIRE_FALSE(prepare_stream_create("M", mirror));
  CHECK(mirror.subjects.empty());
  auto error = check_stream_create_supported(mirror);
  REQUIRE(error);
  CHECK(error->err_code == 10052);
  auto republish = parsed(R"({"name":"R","subjects":["r.>"],"republish":{"dest":"out.>"}})");
  REQUIRE_FALSE(prepare_stream_create("R", republish));
  CHECK(republish.republish->source == ">");
  error = check_stream_create_supported(republish);
  REQUIRE(error);
  CHECK(error->description == "republish is not supported");
  auto cycle = parsed(R"({"name":"R","subjects":["r.>"],"republish":{"dest":"r.x"}})");
  error = prepare_stream_create("R", cycle);
  REQUIRE(error);
  CHECK(error->description == "stream configuration for republish destination forms a cycle");
}

TEST_CASE("subjects collide as nats-server's SubjectsCollide says") {
  CHECK(subjects_collide("a.b", "a.b"));
  CHECK_FALSE(subjects_collide("a.b", "a.c"));
  CHECK(subjects_collide("a.*", "a.b"));
  CHECK(subjects_collide("a.>", "a.b.c"));
  CHECK_FALSE(subjects_collide("a.*", "a.b.c"));
  CHECK(subjects_collide("a.*.c", "a.b.*"));
  CHECK_FALSE(subjects_collide("a.*", "b.*"));
  CHECK(subjects_collide(">", "x.y"));
  CHECK(subjects_overlap({"x", "ORDERS.*"}, {"ORDERS.new"}));
  CHECK_FALSE(subjects_overlap({"ORDERS"}, {"ORDERS.x"}));
  CHECK(is_valid_subject("a.>"));
  CHECK_FALSE(is_valid_subject("a.>.b"));
  CHECK_FALSE(is_valid_subject("a..b"));
  CHECK_FALSE(is_valid_subject("a b"));
  CHECK(subject_has_wildcard("a.*"));
  CHECK_FALSE(subject_has_wildcard("a*.b"));
}

TEST_CASE("update: sealing adjusts the limits, unsealing is refused") {
  auto current = parsed(R"({"name":"S","max_age":5000000000})");
  REQUIRE_FALSE(prepare_stream_create("S", current));
  auto sealed = parsed(R"({"name":"S","max_age":5000000000,"sealed":true})");
  REQUIRE_FALSE(prepare_stream_update("S", sealed));
  REQUIRE_FALSE(check_stream_update(current, sealed));
  CHECK((sealed.max_age_ns == 0 && sealed.discard == DiscardPolicy::kNew && sealed.deny_delete &&
         sealed.deny_purge));
  CHECK(sealed.duplicate_window_ns == 5'000'000'000);
  auto unsealed = parsed(R"({"name":"S"})");
  REQUIRE_FALSE(prepare_stream_update("S", unsealed));
  const auto error = check_stream_update(sealed, unsealed);
  REQUIRE(error);
  CHECK(error->description == "stream configuration update can not unseal a sealed stream");
}
