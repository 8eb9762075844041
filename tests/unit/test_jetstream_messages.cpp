// Message replies (MSG.GET, MSG.DELETE, DIRECT.GET) and PubAcks against nats-server 2.9.10's captured
// bytes (tests/data/jetstream/), times masked.
#include <catch2/catch.hpp>

#include "protocol/base64.h"
#include "server/jetstream/api_json.h"
#include "server/jetstream/api_requests.h"
#include "server/jetstream/message_json.h"
#include "tests/unit/jetstream_golden.h"

namespace {

using namespace tern::server::jetstream;
using tern::server::stream::StoredMessage;
using tern::test::jetstream::load_golden;
using tern::test::jetstream::mask_times;

constexpr std::int64_t kSomeTime = 1'796'456'735'196'964'416;

StoredMessage message(std::uint64_t seq, std::string subject, std::string headers, std::string payload) {
  return StoredMessage{seq, kSomeTime, std::move(subject), std::move(headers), std::move(payload)};
}

}  // namespace

TEST_CASE("MSG.GET replies match nats-server's") {
  const auto golden = load_golden("messages");
  MsgGetRequest request;

  REQUIRE_FALSE(parse_msg_get_request(golden.at("msg_get_seq").body, request));
  CHECK(request.seq == 1);
  CHECK(mask_times(msg_get_response(message(1, "ORDERS.new", "", "order-1"))) ==
        mask_times(golden.at("msg_get_seq").reply));

  REQUIRE_FALSE(parse_msg_get_request(golden.at("msg_get_seq_with_headers").body, request));
  CHECK(mask_times(
            msg_get_response(message(2, "ORDERS.new", "NATS/1.0\r\nNats-Msg-Id: id-1\r\n\r\n", "order-2"))) ==
        mask_times(golden.at("msg_get_seq_with_headers").reply));

  REQUIRE_FALSE(parse_msg_get_request(golden.at("msg_get_last_by_subj").body, request));
  CHECK(request.last_by_subj == "ORDERS.shipped");
  CHECK(mask_times(
            msg_get_response(message(4, "ORDERS.shipped", "NATS/1.0\r\nX-Trace: 2\r\n\r\n", "order-4"))) ==
        mask_times(golden.at("msg_get_last_by_subj").reply));

  REQUIRE_FALSE(parse_msg_get_request(golden.at("msg_get_next_by_subj").body, request));
  CHECK((request.seq == 2 && request.next_by_subj == "ORDERS.shipped"));
  CHECK(mask_times(msg_get_response(
            message(3, "ORDERS.shipped", "NATS/1.0\r\nNats-Expected-Stream: ORDERS\r\n\r\n", "order-3"))) ==
        mask_times(golden.at("msg_get_next_by_subj").reply));

  CHECK(error_response(kMsgGetResponseType, api_errors::no_message_found()) ==
        golden.at("msg_get_missing").reply);
  CHECK(error_response(kMsgGetResponseType, api_errors::stream_not_found()) ==
        golden.at("msg_get_no_stream").reply);
  for (const char* name : {"msg_get_empty", "msg_get_seq_and_last"}) {
    INFO(name);
    const auto error = parse_msg_get_request(golden.at(name).body, request);
    REQUIRE(error);
    CHECK(error_response(kMsgGetResponseType, *error) == golden.at(name).reply);
  }
}

TEST_CASE("MSG.DELETE replies match nats-server's") {
  const auto golden = load_golden("messages");
  MsgDeleteRequest request;
  REQUIRE_FALSE(parse_msg_delete_request(golden.at("msg_delete_no_erase").body, request));
  CHECK((request.seq == 1 && request.no_erase));
  CHECK(msg_delete_response() == golden.at("msg_delete_no_erase").reply);
  REQUIRE_FALSE(parse_msg_delete_request(golden.at("msg_delete_again").body, request));
  CHECK_FALSE(request.no_erase);
  // nats-server's store reports a message already gone as an error, not as "not removed".
  CHECK(error_response(kMsgDeleteResponseType, api_errors::msg_delete_failed("no message found")) ==
        golden.at("msg_delete_again").reply);
  CHECK(
      error_response(kMsgDeleteResponseType, api_errors::msg_delete_failed("message delete not permitted")) ==
      golden.at("msg_delete_deny_delete").reply);
  const auto error = parse_msg_delete_request(golden.at("msg_delete_empty").body, request);
  REQUIRE(error);
  CHECK(error_response(kMsgDeleteResponseType, *error) == golden.at("msg_delete_empty").reply);
}

TEST_CASE("DIRECT.GET replies match nats-server's") {
  const auto golden = load_golden("messages");
  MsgGetRequest request;

  const auto& by_subject = golden.at("direct_get_last_by_subject");
  REQUIRE_FALSE(parse_direct_get_last_by_subject(by_subject.subject, by_subject.body, request));
  CHECK(request.last_by_subj == "$KV.cfg.a.b");
  CHECK(mask_times(direct_get_headers("KV_cfg", message(1, "$KV.cfg.a.b", "", "v1")) + "v1") ==
        mask_times(by_subject.reply));

  // The message's own headers come first; nats-server appends its four after them.
  const auto& with_headers = golden.at("direct_get_last_by_subject_with_headers");
  CHECK(mask_times(direct_get_headers(
                       "KV_cfg", message(2, "$KV.cfg.a.c", "NATS/1.0\r\nKV-Operation: PUT\r\n\r\n", "v2")) +
                   "v2") == mask_times(with_headers.reply));

  const auto& by_seq = golden.at("direct_get_seq");
  REQUIRE_FALSE(parse_direct_get_request(by_seq.body, request));
  CHECK(request.seq == 1);
  CHECK(mask_times(direct_get_headers("KV_cfg", message(1, "$KV.cfg.a.b", "", "v1")) + "v1") ==
        mask_times(by_seq.reply));

  CHECK(std::string(kDirectGetNotFound) == golden.at("direct_get_missing").reply);
  for (const char* name :
       {"direct_get_empty", "direct_get_malformed", "direct_get_seq_and_last", "direct_get_zero"}) {
    INFO(name);
    const auto status = parse_direct_get_request(golden.at(name).body, request);
    REQUIRE(status);
    CHECK(*status == golden.at(name).reply);
  }
  const auto& with_body = golden.at("direct_get_by_subject_with_body");
  const auto status = parse_direct_get_last_by_subject(with_body.subject, with_body.body, request);
  REQUIRE(status);
  CHECK(*status == with_body.reply);
  CHECK(parse_direct_get_last_by_subject("$JS.API.DIRECT.GET.KV_cfg.", "", request));
}

TEST_CASE("PubAcks match nats-server's, the odd space included") {
  const auto golden = load_golden("publish");
  const auto lifecycle = load_golden("lifecycle");
  const std::pair<const char*, std::string> expected[] = {
      {"publish_first", pub_ack("ORDERS", 1)},
      {"publish_msg_id", pub_ack("ORDERS", 2)},
      {"publish_msg_id_duplicate", pub_ack_duplicate("ORDERS", 2)},
      {"publish_expected_stream_wrong", pub_ack_error("ORDERS", api_errors::stream_not_match())},
      {"publish_expected_stream_right", pub_ack("ORDERS", 3)},
      {"publish_expected_last_seq_wrong", pub_ack_error("ORDERS", api_errors::wrong_last_sequence(3))},
      {"publish_expected_last_subject_seq_wrong",
       pub_ack_error("ORDERS", api_errors::wrong_last_sequence(2))},
      {"publish_expected_last_msg_id_wrong", pub_ack_error("ORDERS", api_errors::wrong_last_msg_id(""))},
      {"publish_rollup_not_permitted",
       pub_ack_error("ORDERS", api_errors::stream_rollup_failed("rollup not permitted"))},
      {"publish_kv_create_exists", pub_ack_error("KV_cfg", api_errors::wrong_last_sequence(1))},
      {"publish_upper_discard_new_4",
       pub_ack_error("UPPER", api_errors::stream_store_failed("maximum messages exceeded"))},
  };
  for (const auto& [name, produced] : expected) {
    INFO(name);
    CHECK(produced == golden.at(name).reply);
  }
  CHECK(pub_ack_error("MIN", api_errors::stream_sealed()) == lifecycle.at("publish_to_sealed").reply);
  // A stream with no_ack answers nothing, not even an error.
  CHECK(golden.at("publish_too_big").reply == "(no reply)");
}

TEST_CASE("base64 pads as encoding/json does") {
  using tern::protocol::base64_encode;
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("v") == "dg==");
  CHECK(base64_encode("v1") == "djE=");
  CHECK(base64_encode("v12") == "djEy");
  CHECK(base64_encode(std::string("\xff\x00\x80", 3)) == "/wCA");
}
