// The client's JetStream JSON requests (client/jetstream/json_requests.cpp), written byte for byte as
// nats.go writes them, and the codec's shared pieces: RFC 3339 times and base64 both ways, Go's string
// escaping, and the library's error messages. The responses are read in test_client_jetstream_json.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>

#include "client/jetstream/errors.h"
#include "client/jetstream/json_codec.h"

namespace {

using namespace tern::client::jetstream;
using namespace tern::client::jetstream::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// A UTC time from its calendar parts, built without the code under test.
SystemTime utc(int year, unsigned month, unsigned day, int hour, int minute, int second,
               std::int64_t nanos = 0) {
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                         std::chrono::day{day}};
  return SystemTime{std::chrono::sys_days{date}} + hours{hour} + minutes{minute} + seconds{second} +
         nanoseconds{nanos};
}

bool is_invalid_response(std::error_code error) {
  return error == make_error_code(Errc::kInvalidResponse);
}

}  // namespace

TEST_CASE("a stream configuration is written as nats.go writes it") {
  StreamConfig config;
  config.name = "ORDERS";
  config.subjects = {"ORDERS.*"};
  CHECK(
      write_stream_config(config) ==
      R"({"name":"ORDERS","subjects":["ORDERS.*"],"retention":"limits","max_consumers":-1,"max_msgs":-1,)"
      R"("max_bytes":-1,"discard":"old","max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"storage":"file",)"
      R"("num_replicas":1,"allow_direct":false,"mirror_direct":false})");

  // nats.go leaves out a zero max_msg_size (omitempty).
  config.max_msg_size = 0;
  config.subjects.clear();
  CHECK(
      write_stream_config(config) ==
      R"({"name":"ORDERS","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"discard":"old",)"
      R"("max_age":0,"max_msgs_per_subject":-1,"storage":"file","num_replicas":1,"allow_direct":false,)"
      R"("mirror_direct":false})");

  StreamConfig full;
  full.name = "KV_cfg";
  full.description = "<config> & more";
  full.subjects = {"$KV.cfg.>", "other"};
  full.retention = RetentionPolicy::kWorkQueue;
  full.max_consumers = 10;
  full.max_msgs = 1000;
  full.max_bytes = 1 << 20;
  full.max_msgs_per_subject = 5;
  full.max_age = hours{24};
  full.max_msg_size = 4096;
  full.discard = DiscardPolicy::kNew;
  full.storage = StorageType::kMemory;
  full.replicas = 3;
  full.no_ack = true;
  full.duplicate_window = seconds{30};
  full.sealed = true;
  full.deny_delete = true;
  full.deny_purge = true;
  full.allow_rollup = true;
  full.allow_direct = true;
  full.mirror_direct = true;
  full.republish = Republish{"$KV.cfg.>", "repub.>", true};
  const std::string written = write_stream_config(full);
  CHECK(
      written ==
      R"({"name":"KV_cfg","description":"\u003cconfig\u003e \u0026 more","subjects":["$KV.cfg.\u003e","other"],)"
      R"("retention":"workqueue","max_consumers":10,"max_msgs":1000,"max_bytes":1048576,"discard":"new",)"
      R"("max_age":86400000000000,"max_msgs_per_subject":5,"max_msg_size":4096,"storage":"memory",)"
      R"("num_replicas":3,"no_ack":true,"duplicate_window":30000000000,"sealed":true,"deny_delete":true,)"
      R"("deny_purge":true,"allow_rollup_hdrs":true,)"
      R"("republish":{"src":"$KV.cfg.\u003e","dest":"repub.\u003e","headers_only":true},)"
      R"("allow_direct":true,"mirror_direct":true})");

  // What is written reads back the same.
  const auto read_back = parse_stream_info(R"({"config":)" + written + R"(,"state":{}})");
  REQUIRE(read_back);
  const StreamConfig& back = read_back->config;
  CHECK(back.name == full.name);
  CHECK(back.description == full.description);
  CHECK(back.subjects == full.subjects);
  CHECK(back.retention == full.retention);
  CHECK(back.max_consumers == full.max_consumers);
  CHECK(back.max_msgs == full.max_msgs);
  CHECK(back.max_bytes == full.max_bytes);
  CHECK(back.max_msgs_per_subject == full.max_msgs_per_subject);
  CHECK(back.max_age == full.max_age);
  CHECK(back.max_msg_size == full.max_msg_size);
  CHECK(back.discard == full.discard);
  CHECK(back.storage == full.storage);
  CHECK(back.replicas == full.replicas);
  CHECK(back.no_ack);
  CHECK(back.duplicate_window == full.duplicate_window);
  CHECK(back.sealed);
  CHECK(back.deny_delete);
  CHECK(back.deny_purge);
  CHECK(back.allow_rollup);
  CHECK(back.allow_direct);
  CHECK(back.mirror_direct);
  REQUIRE(back.republish);
  CHECK(back.republish->source == "$KV.cfg.>");
  CHECK(back.republish->destination == "repub.>");
  CHECK(back.republish->headers_only);
}

TEST_CASE("a consumer creation is written as nats.go writes it") {
  ConsumerConfig pull;
  pull.durable_name = "worker";
  CHECK(
      write_consumer_create("ORD", pull) ==
      R"({"stream_name":"ORD","config":{"durable_name":"worker","deliver_policy":"all","ack_policy":"explicit",)"
      R"("replay_policy":"instant","num_replicas":0}})");

  ConsumerConfig full;
  full.durable_name = "d";
  full.name = "d";
  full.description = "a <push> & consumer";
  full.deliver_policy = DeliverPolicy::kByStartTime;
  full.opt_start_seq = 4;
  full.opt_start_time = utc(2020, 1, 2, 1, 4, 5, 500'000'000);
  full.ack_policy = AckPolicy::kAll;
  full.ack_wait = seconds{30};
  full.max_deliver = 5;
  full.backoff = {seconds{1}, milliseconds{2500}};
  full.filter_subject = "ord.*";
  full.replay_policy = ReplayPolicy::kOriginal;
  full.rate_limit_bps = 1000;
  full.sample_frequency = "50%";
  full.max_waiting = 7;
  full.max_ack_pending = 100;
  full.flow_control = true;
  full.idle_heartbeat = seconds{5};
  full.headers_only = true;
  full.max_request_batch = 10;
  full.max_request_expires = seconds{5};
  full.max_request_max_bytes = 1024;
  full.deliver_subject = "push.out";
  full.deliver_group = "grp";
  full.inactive_threshold = hours{1};
  full.num_replicas = 1;
  full.memory_storage = true;
  const std::string written = write_consumer_create("ORD", full);
  CHECK(
      written ==
      R"({"stream_name":"ORD","config":{"durable_name":"d","name":"d",)"
      R"("description":"a \u003cpush\u003e \u0026 consumer","deliver_policy":"by_start_time","opt_start_seq":4,)"
      R"("opt_start_time":"2020-01-02T01:04:05.5Z","ack_policy":"all","ack_wait":30000000000,"max_deliver":5,)"
      R"("backoff":[1000000000,2500000000],"filter_subject":"ord.*","replay_policy":"original",)"
      R"("rate_limit_bps":1000,"sample_freq":"50%","max_waiting":7,"max_ack_pending":100,"flow_control":true,)"
      R"("idle_heartbeat":5000000000,"headers_only":true,"max_batch":10,"max_expires":5000000000,)"
      R"("max_bytes":1024,"deliver_subject":"push.out","deliver_group":"grp","inactive_threshold":3600000000000,)"
      R"("num_replicas":1,"mem_storage":true}})");

  // What is written reads back the same, through a consumer info around it.
  const auto read_back = parse_consumer_info(R"({"name":"d",)" + written.substr(1));
  REQUIRE(read_back);
  const ConsumerConfig& back = read_back->config;
  CHECK(back.description == full.description);
  CHECK(back.deliver_policy == full.deliver_policy);
  CHECK(back.opt_start_seq == full.opt_start_seq);
  CHECK(back.opt_start_time == full.opt_start_time);
  CHECK(back.ack_policy == full.ack_policy);
  CHECK(back.backoff == full.backoff);
  CHECK(back.replay_policy == full.replay_policy);
  CHECK(back.sample_frequency == full.sample_frequency);
  CHECK(back.max_request_expires == full.max_request_expires);
  CHECK(back.inactive_threshold == full.inactive_threshold);
  CHECK(back.memory_storage);
}

TEST_CASE("the small request bodies") {
  CHECK(write_purge_request({}) == "");
  CHECK(write_purge_request({.subject = "", .sequence = 10, .keep = 0}) == R"({"seq":10})");
  CHECK(write_purge_request({.subject = "ORDERS.new", .sequence = 0, .keep = 5}) ==
        R"({"filter":"ORDERS.new","keep":5})");

  CHECK(write_paged_request(0) == "{}");
  CHECK(write_paged_request(2) == R"({"offset":2})");
  CHECK(write_paged_request(0, "ORDERS.*") == R"({"subject":"ORDERS.*"})");
  CHECK(write_paged_request(256, "ORDERS.*") == R"({"offset":256,"subject":"ORDERS.*"})");

  CHECK(write_message_get(1, "") == R"({"seq":1})");
  CHECK(write_message_get(0, "ORDERS.shipped") == R"({"last_by_subj":"ORDERS.shipped"})");

  CHECK(write_message_delete(1, false) == R"({"seq":1,"no_erase":true})");
  CHECK(write_message_delete(1, true) == R"({"seq":1})");

  // nats.go's nextRequest puts expires before batch.
  CHECK(write_pull_request(10, {}, false, 0, {}) == R"({"batch":10})");
  CHECK(write_pull_request(1, seconds{5}, true, 1024, seconds{1}) ==
        R"({"expires":5000000000,"batch":1,"no_wait":true,"max_bytes":1024,"idle_heartbeat":1000000000})");
  CHECK(write_pull_request(1, nanoseconds{-1}, false, 0, nanoseconds{-1}) == R"({"batch":1})");
}

TEST_CASE("RFC 3339 as Go's time.RFC3339Nano") {
  CHECK(format_rfc3339(utc(2026, 12, 5, 17, 18, 28, 25'096'202)) == "2026-12-05T17:18:28.025096202Z");
  CHECK(format_rfc3339(utc(2026, 12, 5, 17, 18, 28, 500'000'000)) == "2026-12-05T17:18:28.5Z");
  CHECK(format_rfc3339(utc(2026, 12, 5, 17, 18, 28, 120)) == "2026-12-05T17:18:28.00000012Z");
  CHECK(format_rfc3339(utc(2026, 12, 5, 17, 18, 28)) == "2026-12-05T17:18:28Z");
  CHECK(format_rfc3339(utc(2024, 2, 29, 0, 0, 0)) == "2024-02-29T00:00:00Z");
  // Before 1970 the fraction still counts forward from the second.
  CHECK(format_rfc3339(SystemTime{milliseconds{-500}}) == "1969-12-31T23:59:59.5Z");
  // Go's zero time and SystemTime{} stand for each other.
  CHECK(format_rfc3339(SystemTime{}) == "0001-01-01T00:00:00Z");
  REQUIRE(parse_rfc3339("0001-01-01T00:00:00Z"));
  CHECK(*parse_rfc3339("0001-01-01T00:00:00Z") == SystemTime{});
  CHECK(*parse_rfc3339("0001-01-01T02:00:00+02:00") == SystemTime{});

  CHECK(*parse_rfc3339("2026-12-05T17:18:28.025096202Z") == utc(2026, 12, 5, 17, 18, 28, 25'096'202));
  CHECK(*parse_rfc3339("2026-12-05T17:18:28Z") == utc(2026, 12, 5, 17, 18, 28));
  CHECK(*parse_rfc3339("2026-12-05T17:18:28.1Z") == utc(2026, 12, 5, 17, 18, 28, 100'000'000));
  CHECK(*parse_rfc3339("2026-12-05T17:18:28.12345Z") == utc(2026, 12, 5, 17, 18, 28, 123'450'000));
  CHECK(*parse_rfc3339("2020-01-02T03:04:05.5+02:00") == utc(2020, 1, 2, 1, 4, 5, 500'000'000));
  CHECK(*parse_rfc3339("2020-01-01T20:30:00-05:30") == utc(2020, 1, 2, 2, 0, 0));
  CHECK(*parse_rfc3339("2020-01-01T00:00:00+00:00") == utc(2020, 1, 1, 0, 0, 0));
  CHECK(*parse_rfc3339("1969-12-31T23:59:59.5Z") == SystemTime{milliseconds{-500}});

  // Round trips, offsets normalised to UTC.
  for (const char* text :
       {"2026-12-05T17:18:28.025096202Z", "2026-12-05T17:18:28.5Z", "2026-12-05T17:18:28Z",
        "2262-04-11T23:47:16.854775807Z", "1677-09-21T00:12:43.145224193Z", "0001-01-01T00:00:00Z"}) {
    const auto time = parse_rfc3339(text);
    REQUIRE(time);
    CHECK(format_rfc3339(*time) == text);
  }
  CHECK(format_rfc3339(*parse_rfc3339("2020-01-02T03:04:05.5+02:00")) == "2020-01-02T01:04:05.5Z");

  for (const char* bad : {"",
                          "2026-12-05",
                          "2026-12-05T17:18:28",
                          "2026-12-05T17:18:28z",
                          "2026-12-05t17:18:28Z",
                          "2026-12-05 17:18:28Z",
                          "2026-12-05T17:18:28.Z",
                          "2026-12-05T17:18:28.1234567890Z",
                          "2026-13-05T17:18:28Z",
                          "2026-02-30T17:18:28Z",
                          "2026-12-05T24:00:00Z",
                          "2026-12-05T17:60:00Z",
                          "2026-12-05T17:18:60Z",
                          "2026-12-05T17:18:28+0200",
                          "2026-12-05T17:18:28+24:00",
                          "2026-12-05T17:18:28Zjunk",
                          "26-12-05T17:18:28Z",
                          "2026-12-05T17:18:28.5",
                          "3000-01-01T00:00:00Z",
                          "1000-01-01T00:00:00Z"}) {
    INFO(bad);
    const auto time = parse_rfc3339(bad);
    REQUIRE_FALSE(time);
    CHECK(is_invalid_response(time.error()));
  }
}

TEST_CASE("base64 both ways, as encoding/json writes []byte") {
  CHECK(encode_base64("") == "");
  CHECK(encode_base64("order-1") == "b3JkZXItMQ==");
  CHECK(encode_base64("ab") == "YWI=");
  CHECK(encode_base64(std::string("\xfb\xff", 2)) == "+/8=");
  CHECK(*decode_base64("") == "");
  CHECK(*decode_base64("b3JkZXItMQ==") == "order-1");
  CHECK(*decode_base64("YWI=") == "ab");
  CHECK(*decode_base64("YWJj") == "abc");
  CHECK(*decode_base64("+/8=") == std::string("\xfb\xff", 2));

  std::string every_byte;
  for (int i = 0; i < 256; ++i)
    every_byte.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= every_byte.size(); ++length) {
    const std::string bytes = every_byte.substr(every_byte.size() - length);
    const auto decoded = decode_base64(encode_base64(bytes));
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }

  for (const char* bad : {"a", "ab", "abc", "abcde", "ab=c", "a===", "====", "=abc",
                          "ab$=", "YW I=", "YWI=YWI=", "YWI\n", "YQ==="}) {
    INFO(bad);
    const auto decoded = decode_base64(bad);
    REQUIRE_FALSE(decoded);
    CHECK(is_invalid_response(decoded.error()));
  }
}

TEST_CASE("JSON strings are escaped as Go's encoding/json escapes them") {
  std::string out;
  append_json_string(out, "a<b>&\"c\\\n\x01\xe2\x80\xa8");
  CHECK(out == R"("a\u003cb\u003e\u0026\"c\\\n\u0001\u2028")");
}

TEST_CASE("every library error has a message of its own") {
  std::set<std::string> messages;
  for (int value = static_cast<int>(Errc::kNotEnabled); value <= static_cast<int>(Errc::kKeyExists);
       ++value) {
    const std::string message = make_error_code(static_cast<Errc>(value)).message();
    INFO(value << ": " << message);
    CHECK_FALSE(message.empty());
    CHECK(message != "unknown");
    CHECK(message.find("JetStream API error") == std::string::npos);
    CHECK(messages.insert(message).second);
  }
  CHECK(make_error_code(ApiErrc::kConsumerNotFound).message() == "consumer not found");
  CHECK(std::error_code(99999, jetstream_category()).message() == "JetStream API error 99999");
}
