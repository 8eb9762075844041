// The client's JetStream JSON responses (client/jetstream/json_codec.cpp): replies nats-server 2.9.10
// sent, copied verbatim from the recordings in tests/data/jetstream/ (the file and exchange are named above
// each), read into exact values. The requests and shared pieces are tested in
// test_client_jetstream_requests.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <set>
#include <string>

#include "client/jetstream/errors.h"
#include "client/jetstream/json_codec.h"
#include "tests/unit/jetstream_golden.h"

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

TEST_CASE("a stream's info as nats-server sends it") {
  // info.txt, info_orders.
  const auto info = parse_stream_info(
      R"json({"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{"name":"ORDERS","subjects":["ORDERS.*"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false},"created":"2026-12-05T17:18:28.025096202Z","state":{"messages":4,"bytes":305,"first_seq":1,"first_ts":"2026-12-05T17:18:30.090355977Z","last_seq":4,"last_ts":"2026-12-05T17:18:30.092193337Z","num_subjects":2,"consumer_count":0}})json");
  REQUIRE(info);
  const StreamConfig& config = info->config;
  CHECK(config.name == "ORDERS");
  CHECK(config.description.empty());
  CHECK(config.subjects == std::vector<std::string>{"ORDERS.*"});
  CHECK(config.retention == RetentionPolicy::kLimits);
  CHECK(config.max_consumers == -1);
  CHECK(config.max_msgs == -1);
  CHECK(config.max_bytes == -1);
  CHECK(config.max_age == nanoseconds{0});
  CHECK(config.max_msgs_per_subject == -1);
  CHECK(config.max_msg_size == -1);
  CHECK(config.discard == DiscardPolicy::kOld);
  CHECK(config.storage == StorageType::kFile);
  CHECK(config.replicas == 1);
  CHECK(config.duplicate_window == seconds{120});
  CHECK_FALSE(config.allow_direct);
  CHECK_FALSE(config.mirror_direct);
  CHECK_FALSE(config.sealed);
  CHECK_FALSE(config.deny_delete);
  CHECK_FALSE(config.deny_purge);
  CHECK_FALSE(config.allow_rollup);
  CHECK_FALSE(config.republish);
  CHECK(info->created == utc(2026, 12, 5, 17, 18, 28, 25'096'202));
  CHECK(info->state.messages == 4);
  CHECK(info->state.bytes == 305);
  CHECK(info->state.first_seq == 1);
  CHECK(info->state.first_time == utc(2026, 12, 5, 17, 18, 30, 90'355'977));
  CHECK(info->state.last_seq == 4);
  CHECK(info->state.last_time == utc(2026, 12, 5, 17, 18, 30, 92'193'337));
  CHECK(info->state.num_deleted == 0);
  CHECK(info->state.num_subjects == 2);
  CHECK(info->state.consumer_count == 0);
}

TEST_CASE("an empty work-queue stream: Go's zero times and escaped subjects") {
  // consumers.txt, stream_info_wq_consumer_count.
  const auto info = parse_stream_info(
      R"json({"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{"name":"WQ","subjects":["wq.\u003e"],"retention":"workqueue","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false},"created":"2026-12-05T23:38:05.716949262Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":3}})json");
  REQUIRE(info);
  CHECK(info->config.name == "WQ");
  CHECK(info->config.subjects == std::vector<std::string>{"wq.>"});
  CHECK(info->config.retention == RetentionPolicy::kWorkQueue);
  CHECK(info->created == utc(2026, 12, 5, 23, 38, 5, 716'949'262));
  CHECK(info->state.first_time == SystemTime{});
  CHECK(info->state.last_time == SystemTime{});
  CHECK(info->state.num_subjects == 0);
  CHECK(info->state.consumer_count == 3);
}

TEST_CASE("a KV bucket's stream as STREAM.CREATE answers") {
  // create.txt, create_kv.
  const auto info = parse_stream_info(
      R"json({"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"KV_cfg","subjects":["$KV.cfg.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":5,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":true,"deny_purge":false,"allow_rollup_hdrs":true},"created":"2026-12-05T17:18:28.030034817Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"did_create":true})json");
  REQUIRE(info);
  CHECK(info->config.name == "KV_cfg");
  CHECK(info->config.subjects == std::vector<std::string>{"$KV.cfg.>"});
  CHECK(info->config.max_msgs_per_subject == 5);
  CHECK(info->config.discard == DiscardPolicy::kNew);
  CHECK(info->config.allow_direct);
  CHECK(info->config.deny_delete);
  CHECK(info->config.allow_rollup);
  CHECK_FALSE(info->config.deny_purge);
  CHECK(info->created == utc(2026, 12, 5, 17, 18, 28, 30'034'817));
}

TEST_CASE("an API error becomes api_error(err_code) with the server's description") {
  // info.txt, info_missing.
  const auto info = parse_stream_info(
      R"json({"type":"io.nats.jetstream.api.v1.stream_info_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0})json");
  REQUIRE_FALSE(info);
  CHECK(info.error().value() == 10059);
  CHECK(info.error().category() == jetstream_category());
  CHECK(is_api_error(info.error(), ApiErrc::kStreamNotFound));
  CHECK(info.error().message() == "stream not found");
  CHECK(last_api_error() == "stream not found");

  // consumers.txt, error_backoff_without_max_deliver: the description's escapes are read.
  const auto consumer = parse_consumer_info(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_create_response","error":{"code":400,"err_code":10116,"description":"max deliver is required to be \u003e length of backoff values"}})json");
  REQUIRE_FALSE(consumer);
  CHECK(consumer.error().value() == 10116);
  CHECK(last_api_error() == "max deliver is required to be > length of backoff values");

  // A successful parse forgets the last description, and so does a response that cannot be read.
  REQUIRE(parse_error(
              R"json({"type":"io.nats.jetstream.api.v1.stream_msg_delete_response","success":true})json") ==
          std::error_code());
  CHECK(last_api_error().empty());
  REQUIRE(parse_error(R"({"error":{"code":404,"err_code":10059,"description":"stream not found"}})"));
  CHECK(is_invalid_response(parse_error("{")));
  CHECK(last_api_error().empty());
}

TEST_CASE("parse_error tells success from errors") {
  // messages.txt, msg_delete_no_erase and msg_delete_again.
  CHECK(parse_error(
            R"json({"type":"io.nats.jetstream.api.v1.stream_msg_delete_response","success":true})json") ==
        std::error_code());
  const auto error = parse_error(
      R"json({"type":"io.nats.jetstream.api.v1.stream_msg_delete_response","error":{"code":500,"err_code":10057,"description":"no message found"}})json");
  CHECK(error.value() == 10057);
  CHECK(last_api_error() == "no message found");
  CHECK(parse_error("{}") == std::error_code());
  CHECK(is_invalid_response(parse_error(R"({"success":false})")));
  CHECK(is_invalid_response(parse_error(R"({"error":"stream not found"})")));
  CHECK(is_invalid_response(parse_error(R"({"error":{"description":"no code"}})")));
  // An error without err_code is still an error, by its code.
  CHECK(parse_error(R"({"error":{"code":503,"description":"unavailable"}})").value() == 503);
  CHECK(is_invalid_response(parse_error("")));
  CHECK(is_invalid_response(parse_error("[]")));
  CHECK(is_invalid_response(parse_error("NATS/1.0 503\r\n\r\n")));
}

TEST_CASE("a legacy durable push consumer with backoff, as created") {
  // consumers.txt, create_legacy_durable.
  const auto info = parse_consumer_info(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"ORD","name":"legacy","created":"2026-12-05T23:38:05.742525715Z","config":{"durable_name":"legacy","deliver_policy":"last","ack_policy":"none","ack_wait":1000000000,"max_deliver":5,"backoff":[1000000000,2000000000],"replay_policy":"original","rate_limit_bps":1000,"sample_freq":"50%","headers_only":true,"deliver_subject":"legacy.out","num_replicas":0},"delivered":{"consumer_seq":0,"stream_seq":2},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":1})json");
  REQUIRE(info);
  CHECK(info->stream_name == "ORD");
  CHECK(info->name == "legacy");
  CHECK(info->created == utc(2026, 12, 5, 23, 38, 5, 742'525'715));
  const ConsumerConfig& config = info->config;
  CHECK(config.durable_name == "legacy");
  CHECK(config.name.empty());
  CHECK(config.deliver_policy == DeliverPolicy::kLast);
  CHECK(config.ack_policy == AckPolicy::kNone);
  CHECK(config.ack_wait == seconds{1});
  CHECK(config.max_deliver == 5);
  CHECK(config.backoff == std::vector<nanoseconds>{seconds{1}, seconds{2}});
  CHECK(config.replay_policy == ReplayPolicy::kOriginal);
  CHECK(config.rate_limit_bps == 1000);
  CHECK(config.sample_frequency == "50%");
  CHECK(config.headers_only);
  CHECK(config.deliver_subject == "legacy.out");
  CHECK(config.num_replicas == 0);
  CHECK(config.max_waiting == 0);
  CHECK_FALSE(config.opt_start_time);
  CHECK(info->delivered.consumer_seq == 0);
  CHECK(info->delivered.stream_seq == 2);
  CHECK_FALSE(info->delivered.last_active);
  CHECK(info->ack_floor.consumer_seq == 0);
  CHECK(info->ack_floor.stream_seq == 0);
  CHECK(info->num_ack_pending == 0);
  CHECK(info->num_redelivered == 0);
  CHECK(info->num_waiting == 0);
  CHECK(info->num_pending == 1);
  CHECK_FALSE(info->push_bound);
}

TEST_CASE("consumers by start time, pull options and push options, as created") {
  // consumers.txt, create_by_start_time_offset: the start time keeps the offset it was given.
  const auto by_time = parse_consumer_info(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"ORD","name":"bytimeoff","created":"2026-12-05T23:38:05.74748003Z","config":{"durable_name":"bytimeoff","name":"bytimeoff","deliver_policy":"by_start_time","opt_start_time":"2020-01-02T03:04:05.5+02:00","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"num_replicas":0},"delivered":{"consumer_seq":0,"stream_seq":0},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":3})json");
  REQUIRE(by_time);
  CHECK(by_time->created == utc(2026, 12, 5, 23, 38, 5, 747'480'030));
  CHECK(by_time->config.deliver_policy == DeliverPolicy::kByStartTime);
  REQUIRE(by_time->config.opt_start_time);
  CHECK(*by_time->config.opt_start_time == utc(2020, 1, 2, 1, 4, 5, 500'000'000));
  CHECK(by_time->config.ack_policy == AckPolicy::kExplicit);
  CHECK(by_time->config.ack_wait == seconds{30});
  CHECK(by_time->config.max_deliver == -1);
  CHECK(by_time->config.max_waiting == 512);
  CHECK(by_time->config.max_ack_pending == 1000);
  CHECK(by_time->num_pending == 3);

  // consumers.txt, create_pull_options.
  const auto pull = parse_consumer_info(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"ORD","name":"pullopts","created":"2026-12-05T23:38:05.744520574Z","config":{"durable_name":"pullopts","name":"pullopts","deliver_policy":"new","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_waiting":7,"max_ack_pending":1000,"max_batch":10,"max_expires":5000000000,"max_bytes":1024,"inactive_threshold":3600000000000,"num_replicas":1,"mem_storage":true},"delivered":{"consumer_seq":0,"stream_seq":3},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":0})json");
  REQUIRE(pull);
  CHECK(pull->config.deliver_policy == DeliverPolicy::kNew);
  CHECK(pull->config.max_waiting == 7);
  CHECK(pull->config.max_request_batch == 10);
  CHECK(pull->config.max_request_expires == seconds{5});
  CHECK(pull->config.max_request_max_bytes == 1024);
  CHECK(pull->config.inactive_threshold == hours{1});
  CHECK(pull->config.num_replicas == 1);
  CHECK(pull->config.memory_storage);
  CHECK(pull->delivered.stream_seq == 3);

  // consumers.txt, create_durable_push: Go's escapes of <, > and & in the description.
  const auto push = parse_consumer_info(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"ORD","name":"pusher","created":"2026-12-05T23:38:05.740837518Z","config":{"durable_name":"pusher","name":"pusher","description":"a \u003cpush\u003e \u0026 consumer","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_ack_pending":1000,"idle_heartbeat":5000000000,"flow_control":true,"deliver_subject":"push.unbound","deliver_group":"grp","num_replicas":0},"delivered":{"consumer_seq":0,"stream_seq":0},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":3})json");
  REQUIRE(push);
  CHECK(push->config.description == "a <push> & consumer");
  CHECK(push->config.idle_heartbeat == seconds{5});
  CHECK(push->config.flow_control);
  CHECK(push->config.deliver_subject == "push.unbound");
  CHECK(push->config.deliver_group == "grp");
  CHECK(push->config.max_waiting == 0);
}

TEST_CASE("a bound push consumer with activity (written as nats-server writes those fields)") {
  // The recordings have no delivery yet; these members are nats-server's SequenceInfo and push_bound.
  const auto info = parse_consumer_info(
      R"json({"stream_name":"EPH","name":"bound","created":"2026-12-05T23:38:05.771279748Z","config":{"durable_name":"bound","deliver_policy":"all","ack_policy":"explicit","replay_policy":"instant","deliver_subject":"_INBOX.bound","num_replicas":0},"delivered":{"consumer_seq":7,"stream_seq":9,"last_active":"2026-12-05T23:38:06.5Z"},"ack_floor":{"consumer_seq":5,"stream_seq":6,"last_active":"2026-12-05T23:38:06Z"},"num_ack_pending":2,"num_redelivered":1,"num_waiting":0,"num_pending":4,"cluster":{"leader":"N1"},"push_bound":true})json");
  REQUIRE(info);
  REQUIRE(info->delivered.last_active);
  CHECK(*info->delivered.last_active == utc(2026, 12, 5, 23, 38, 6, 500'000'000));
  CHECK(info->delivered.consumer_seq == 7);
  CHECK(info->delivered.stream_seq == 9);
  REQUIRE(info->ack_floor.last_active);
  CHECK(*info->ack_floor.last_active == utc(2026, 12, 5, 23, 38, 6));
  CHECK(info->ack_floor.stream_seq == 6);
  CHECK(info->num_ack_pending == 2);
  CHECK(info->num_redelivered == 1);
  CHECK(info->num_pending == 4);
  CHECK(info->push_bound);
}

TEST_CASE("account info") {
  // consumers.txt, account_info_consumers.
  const auto account = parse_account_info(
      R"json({"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"storage":497,"streams":11,"consumers":17,"limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false},"api":{"total":256,"errors":152}})json");
  REQUIRE(account);
  CHECK(account->memory == 0);
  CHECK(account->storage == 497);
  CHECK(account->streams == 11);
  CHECK(account->consumers == 17);
  CHECK(account->domain.empty());
  CHECK(account->api_total == 256);
  CHECK(account->api_errors == 152);
  CHECK(account->limits.max_memory == -1);
  CHECK(account->limits.max_storage == -1);
  CHECK(account->limits.max_streams == -1);
  CHECK(account->limits.max_consumers == -1);

  const auto limited = parse_account_info(
      R"({"memory":1,"storage":2,"streams":3,"consumers":4,"domain":"hub","limits":{"max_memory":1048576,"max_storage":2097152,"max_streams":10,"max_consumers":100},"api":{"total":5,"errors":1}})");
  REQUIRE(limited);
  CHECK(limited->domain == "hub");
  CHECK(limited->limits.max_memory == 1'048'576);
  CHECK(limited->limits.max_storage == 2'097'152);
  CHECK(limited->limits.max_streams == 10);
  CHECK(limited->limits.max_consumers == 100);
}

TEST_CASE("PubAcks, nats-server's hand-written ones included") {
  // publish.txt, publish_first.
  const auto first = parse_pub_ack(R"json({"stream":"ORDERS", "seq":1})json");
  REQUIRE(first);
  CHECK(first->stream == "ORDERS");
  CHECK(first->sequence == 1);
  CHECK_FALSE(first->duplicate);
  CHECK(first->domain.empty());

  // publish.txt, publish_msg_id_duplicate.
  const auto duplicate = parse_pub_ack(R"json({"stream":"ORDERS", "seq":2,"duplicate": true})json");
  REQUIRE(duplicate);
  CHECK(duplicate->sequence == 2);
  CHECK(duplicate->duplicate);

  const auto with_domain = parse_pub_ack(R"({"stream":"S","seq":18446744073709551615,"domain":"hub"})");
  REQUIRE(with_domain);
  CHECK(with_domain->sequence == 18'446'744'073'709'551'615u);
  CHECK(with_domain->domain == "hub");

  // publish.txt, publish_expected_last_seq_wrong.
  const auto refused = parse_pub_ack(
      R"json({"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"},"stream":"ORDERS","seq":0})json");
  REQUIRE_FALSE(refused);
  CHECK(is_api_error(refused.error(), ApiErrc::kStreamWrongLastSequence));
  CHECK(last_api_error() == "wrong last sequence: 3");

  CHECK(is_invalid_response(parse_pub_ack(R"({"seq":1})").error()));
  CHECK(is_invalid_response(parse_pub_ack(R"({"stream":"","seq":1})").error()));
  CHECK(is_invalid_response(parse_pub_ack(R"({"stream":"S"})").error()));
  CHECK(is_invalid_response(parse_pub_ack(R"({"stream":"S","seq":"1"})").error()));
  CHECK(is_invalid_response(parse_pub_ack(R"({"stream":"S","seq":-1})").error()));
  CHECK(is_invalid_response(parse_pub_ack(R"({"stream":"S","seq":1.5})").error()));
}

TEST_CASE("purge responses") {
  // lifecycle.txt, purge_seq and purge_missing.
  const auto purged = parse_purge_response(
      R"json({"type":"io.nats.jetstream.api.v1.stream_purge_response","success":true,"purged":2})json");
  REQUIRE(purged);
  CHECK(*purged == 2);
  const auto missing = parse_purge_response(
      R"json({"type":"io.nats.jetstream.api.v1.stream_purge_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"purged":0})json");
  REQUIRE_FALSE(missing);
  CHECK(is_api_error(missing.error(), ApiErrc::kStreamNotFound));
  CHECK(is_invalid_response(parse_purge_response(R"({"purged":2})").error()));
}

TEST_CASE("stored messages: base64 data and header blocks") {
  // messages.txt, msg_get_seq.
  const auto plain = parse_stored_message(
      R"json({"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"ORDERS.new","seq":1,"data":"b3JkZXItMQ==","time":"2026-12-05T17:18:30.090355977Z"}})json");
  REQUIRE(plain);
  CHECK(plain->subject == "ORDERS.new");
  CHECK(plain->sequence == 1);
  CHECK(plain->data == "order-1");
  CHECK(plain->headers.empty());
  CHECK(plain->time == utc(2026, 12, 5, 17, 18, 30, 90'355'977));

  // messages.txt, msg_get_seq_with_headers: "NATS/1.0\r\nNats-Msg-Id: id-1\r\n\r\n".
  const auto with_headers = parse_stored_message(
      R"json({"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"ORDERS.new","seq":2,"hdrs":"TkFUUy8xLjANCk5hdHMtTXNnLUlkOiBpZC0xDQoNCg==","data":"b3JkZXItMg==","time":"2026-12-05T17:18:30.090789178Z"}})json");
  REQUIRE(with_headers);
  CHECK(with_headers->sequence == 2);
  CHECK(with_headers->data == "order-2");
  CHECK(with_headers->headers.size() == 1);
  CHECK(with_headers->headers.get("Nats-Msg-Id") == "id-1");
  CHECK(with_headers->headers.status() == 0);
  CHECK(with_headers->time == utc(2026, 12, 5, 17, 18, 30, 90'789'178));

  // messages.txt, msg_get_missing.
  const auto missing = parse_stored_message(
      R"json({"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":{"code":404,"err_code":10037,"description":"no message found"}})json");
  REQUIRE_FALSE(missing);
  CHECK(is_api_error(missing.error(), ApiErrc::kMessageNotFound));

  // A message without data omits it (Go's omitempty); bad base64 or a block that is no header block is
  // an invalid response.
  const auto empty =
      parse_stored_message(R"({"message":{"subject":"a","seq":3,"time":"2026-12-05T17:18:30Z"}})");
  REQUIRE(empty);
  CHECK(empty->data.empty());
  CHECK(is_invalid_response(
      parse_stored_message(R"({"message":{"subject":"a","seq":3,"data":"b3J*"}})").error()));
  CHECK(is_invalid_response(
      parse_stored_message(R"({"message":{"subject":"a","seq":3,"hdrs":"aGVsbG8="}})").error()));  // "hello"
  CHECK(is_invalid_response(parse_stored_message(R"({"message":{"seq":3}})").error()));
  CHECK(is_invalid_response(parse_stored_message(R"({"type":"x"})").error()));
}

TEST_CASE("stream names and lists, null and empty pages included") {
  // info.txt, names_all.
  const auto names = parse_stream_names(
      R"json({"type":"io.nats.jetstream.api.v1.stream_names_response","total":8,"offset":0,"limit":1024,"streams":["AGED","ALL","INT","KV_cfg","MIN","ORDERS","PL","UPPER"]})json");
  REQUIRE(names);
  CHECK(names->total == 8);
  CHECK(names->offset == 0);
  CHECK(names->limit == 1024);
  CHECK(names->items ==
        std::vector<std::string>{"AGED", "ALL", "INT", "KV_cfg", "MIN", "ORDERS", "PL", "UPPER"});

  // info.txt, names_subject_none: an empty page's list is null.
  const auto none = parse_stream_names(
      R"json({"type":"io.nats.jetstream.api.v1.stream_names_response","total":0,"offset":0,"limit":1024,"streams":null})json");
  REQUIRE(none);
  CHECK(none->total == 0);
  CHECK(none->limit == 1024);
  CHECK(none->items.empty());

  // info.txt, list_subject.
  const auto list = parse_stream_list(
      R"json({"type":"io.nats.jetstream.api.v1.stream_list_response","total":1,"offset":0,"limit":256,"streams":[{"config":{"name":"ORDERS","subjects":["ORDERS.*"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false},"created":"2026-12-05T17:18:28.025096202Z","state":{"messages":4,"bytes":305,"first_seq":1,"first_ts":"2026-12-05T17:18:30.090355977Z","last_seq":4,"last_ts":"2026-12-05T17:18:30.092193337Z","num_subjects":2,"consumer_count":0}}]})json");
  REQUIRE(list);
  CHECK(list->total == 1);
  CHECK(list->limit == 256);
  REQUIRE(list->items.size() == 1);
  CHECK(list->items[0].config.name == "ORDERS");
  CHECK(list->items[0].state.messages == 4);
  CHECK(list->items[0].state.last_time == utc(2026, 12, 5, 17, 18, 30, 92'193'337));

  // info.txt, list_none.
  const auto empty_list = parse_stream_list(
      R"json({"type":"io.nats.jetstream.api.v1.stream_list_response","total":0,"offset":0,"limit":256,"streams":[]})json");
  REQUIRE(empty_list);
  CHECK(empty_list->items.empty());

  CHECK(is_invalid_response(parse_stream_names(R"({"streams":["A"]})").error()));
  CHECK(is_invalid_response(parse_stream_names(R"({"total":1,"offset":0,"limit":1,"streams":[1]})").error()));
  CHECK(is_invalid_response(parse_stream_list(R"({"total":1,"offset":0,"limit":1,"streams":[{}]})").error()));
}

TEST_CASE("consumer names and lists") {
  // consumers.txt, names.
  const auto names = parse_consumer_names(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_names_response","total":13,"offset":0,"limit":1024,"consumers":["backoff","byseq","bytime","bytimeoff","filtered","legacy","lps","named","pullopts","pusher","upper","wild","worker"]})json");
  REQUIRE(names);
  CHECK(names->total == 13);
  CHECK(names->items.size() == 13);
  CHECK(names->items.front() == "backoff");
  CHECK(names->items.back() == "worker");

  // consumers.txt, names_missing_stream.
  const auto missing = parse_consumer_names(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_names_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0,"consumers":[]})json");
  REQUIRE_FALSE(missing);
  CHECK(is_api_error(missing.error(), ApiErrc::kStreamNotFound));

  // consumers.txt, list_offset.
  const auto list = parse_consumer_list(
      R"json({"type":"io.nats.jetstream.api.v1.consumer_list_response","total":13,"offset":11,"limit":256,"consumers":[{"stream_name":"ORD","name":"wild","created":"2026-12-05T23:38:05.739716234Z","config":{"durable_name":"wild","name":"wild","deliver_policy":"all","ack_policy":"all","ack_wait":30000000000,"max_deliver":-1,"filter_subject":"ord.*","replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"num_replicas":0},"delivered":{"consumer_seq":0,"stream_seq":0},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":3},{"stream_name":"ORD","name":"worker","created":"2026-12-05T23:38:05.722647605Z","config":{"durable_name":"worker","name":"worker","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":5,"replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"num_replicas":1},"delivered":{"consumer_seq":0,"stream_seq":0},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":3}]})json");
  REQUIRE(list);
  CHECK(list->total == 13);
  CHECK(list->offset == 11);
  CHECK(list->limit == 256);
  REQUIRE(list->items.size() == 2);
  CHECK(list->items[0].name == "wild");
  CHECK(list->items[0].config.ack_policy == AckPolicy::kAll);
  CHECK(list->items[0].config.filter_subject == "ord.*");
  CHECK(list->items[0].created == utc(2026, 12, 5, 23, 38, 5, 739'716'234));
  CHECK(list->items[1].name == "worker");
  CHECK(list->items[1].config.max_deliver == 5);
  CHECK(list->items[1].config.num_replicas == 1);
}

TEST_CASE("every recorded JSON reply reads as a value or as the server's API error") {
  // The type member names the API call; publish replies (PubAcks) carry none.
  const std::regex type_pattern(R"re(^\{"type":"io\.nats\.jetstream\.api\.v1\.(\w+)")re");
  int replies = 0;
  for (const char* group : {"account", "consumers", "create", "info", "lifecycle", "messages", "publish"}) {
    for (const auto& [name, exchange] : tern::test::jetstream::load_golden_in_order(group)) {
      const std::string& reply = exchange.reply;
      if (reply.empty() || reply.front() != '{') continue;  // Silence, or a DIRECT.GET header block.
      std::smatch match;
      const std::string type = std::regex_search(reply, match, type_pattern) ? match[1].str() : "pub_ack";
      std::error_code error;
      if (type == "stream_info_response" || type == "stream_create_response" ||
          type == "stream_update_response") {
        error = parse_stream_info(reply).error();
      } else if (type == "stream_names_response") {
        error = parse_stream_names(reply).error();
      } else if (type == "stream_list_response") {
        error = parse_stream_list(reply).error();
      } else if (type == "consumer_create_response" || type == "consumer_info_response") {
        error = parse_consumer_info(reply).error();
      } else if (type == "consumer_names_response") {
        error = parse_consumer_names(reply).error();
      } else if (type == "consumer_list_response") {
        error = parse_consumer_list(reply).error();
      } else if (type == "account_info_response") {
        error = parse_account_info(reply).error();
      } else if (type == "stream_purge_response") {
        error = parse_purge_response(reply).error();
      } else if (type == "stream_msg_get_response") {
        error = parse_stored_message(reply).error();
      } else if (type == "pub_ack") {
        error = parse_pub_ack(reply).error();
      } else {
        error = parse_error(reply);
      }
      INFO(group << ": " << name << ": " << reply);
      CHECK_FALSE(is_invalid_response(error));
      // An error is the server's own: its description is kept.
      if (error) CHECK_FALSE(last_api_error().empty());
      ++replies;
    }
  }
  CHECK(replies > 250);
}

TEST_CASE("responses that do not say what the API says are invalid") {
  CHECK(is_invalid_response(parse_stream_info("").error()));
  CHECK(is_invalid_response(parse_stream_info("null").error()));
  CHECK(is_invalid_response(parse_stream_info(R"({"config":{"name":"S"}})").error()));
  CHECK(is_invalid_response(parse_stream_info(R"({"state":{}})").error()));
  CHECK(is_invalid_response(parse_stream_info(R"({"config":{},"state":{}})").error()));
  CHECK(is_invalid_response(
      parse_stream_info(R"({"config":{"name":"S","retention":"sometimes"},"state":{}})").error()));
  CHECK(is_invalid_response(
      parse_stream_info(R"({"config":{"name":"S","max_msg_size":4294967296},"state":{}})").error()));
  CHECK(is_invalid_response(
      parse_stream_info(R"({"config":{"name":"S"},"created":"now","state":{}})").error()));
  CHECK(
      is_invalid_response(parse_stream_info(R"({"config":{"name":"S","subjects":"a"},"state":{}})").error()));
  CHECK(is_invalid_response(parse_consumer_info(R"({"stream_name":"S","config":{}})").error()));
  CHECK(is_invalid_response(parse_consumer_info(R"({"stream_name":"S","name":"c"})").error()));
  CHECK(is_invalid_response(
      parse_consumer_info(R"({"stream_name":"S","name":"c","config":{"ack_policy":"maybe"}})").error()));
  CHECK(is_invalid_response(
      parse_consumer_info(R"({"stream_name":"S","name":"c","config":{"backoff":[1,"2"]}})").error()));
  CHECK(is_invalid_response(parse_account_info(R"({"memory":0})").error()));
  CHECK(last_api_error().empty());

  // Null is as good as missing, and unknown members are ignored, as Go's decoding does.
  const auto nulls = parse_stream_info(
      R"({"config":{"name":"S","subjects":null,"description":null,"future":{"a":[1]}},"created":null,"state":{"messages":null}})");
  REQUIRE(nulls);
  CHECK(nulls->config.subjects.empty());
  CHECK(nulls->config.max_msgs == -1);
  CHECK(nulls->created == SystemTime{});
  const auto null_element =
      parse_consumer_info(R"({"stream_name":"S","name":"c","config":{"backoff":[1,null]}})");
  REQUIRE(null_element);
  CHECK(null_element->config.backoff == std::vector<nanoseconds>{nanoseconds{1}, nanoseconds{0}});
}
