// The consumer's wire texts against nats-server 2.9.10: ack subjects and bodies (consumer.go processAck,
// processNak, replyInfo), pull requests (nextReqFromMsg, processNextMsgRequest), and every status block.
// The expected bytes marked "captured" were read off the wire from nats-server 2.9.10 with a raw socket.
#include <catch2/catch.hpp>

#include <string>

#include "server/jetstream/ack_protocol.h"
#include "server/jetstream/go_text.h"
#include "server/jetstream/pull_request.h"
#include "server/jetstream/status_messages.h"

namespace js = tern::server::jetstream;
using js::AckKind;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

std::string pull_error(std::string_view body) {
  js::PullRequest request;
  const auto error = js::parse_pull_request(body, request);
  return error ? *error : std::string("(accepted)");
}

js::PullRequest pull(std::string_view body) {
  js::PullRequest request;
  REQUIRE_FALSE(js::parse_pull_request(body, request).has_value());
  return request;
}

}  // namespace

TEST_CASE("ack subject: nats-server's 9 tokens, appended to a reused buffer") {
  std::string out = "stale";
  out.clear();
  js::append_ack_subject(out, "S", "P", {1, 1, 1, 1796513915826182579, 1});
  // Captured: HMSG s.a 1 $JS.ACK.S.P.1.1.1.1796513915826182579.1 31 36
  CHECK(out == "$JS.ACK.S.P.1.1.1.1796513915826182579.1");
  js::append_ack_subject(out, "ORDERS", "worker", {2, 2, 3, 1796456736078181911, 3});
  CHECK(out == "$JS.ACK.S.P.1.1.1.1796513915826182579.1$JS.ACK.ORDERS.worker.2.2.3.1796456736078181911.3");
}

TEST_CASE("ack subject tail: read as replyInfo reads it") {
  const auto info = js::parse_ack_subject_tail("2.2.3.1796456736078181911.3");
  REQUIRE(info);
  CHECK(info->delivery_count == 2);
  CHECK(info->stream_seq == 2);
  CHECK(info->consumer_seq == 3);
  CHECK(info->timestamp_ns == 1796456736078181911);
  CHECK(info->pending == 3);

  // Not 9 tokens in all: nats-server reads zeros and acks nothing.
  CHECK_FALSE(js::parse_ack_subject_tail("1.2.3.4"));
  CHECK_FALSE(js::parse_ack_subject_tail("1.2.3.4.5.6"));
  CHECK_FALSE(js::parse_ack_subject_tail(""));
  // Stream and consumer sequences must be real.
  CHECK_FALSE(js::parse_ack_subject_tail("1.x.3.4.5"));
  CHECK_FALSE(js::parse_ack_subject_tail("1.2..4.5"));
  CHECK_FALSE(js::parse_ack_subject_tail("1.0.3.4.5"));
  CHECK_FALSE(js::parse_ack_subject_tail("1.2.0.4.5"));
  CHECK_FALSE(js::parse_ack_subject_tail("1.+2.3.4.5"));

  // parseAckReplyNum's -1 elsewhere, kept as nats-server keeps it.
  const auto odd = js::parse_ack_subject_tail("x.2.3..y");
  REQUIRE(odd);
  CHECK(odd->delivery_count == ~std::uint64_t{0});
  CHECK(odd->timestamp_ns == -1);
  CHECK(odd->pending == ~std::uint64_t{0});
  // Go's int64 accumulation wraps: 2^64 + 5 reads as 5.
  const auto wrapped = js::parse_ack_subject_tail("1.18446744073709551621.3.4.5");
  REQUIRE(wrapped);
  CHECK(wrapped->stream_seq == 5);
}

TEST_CASE("ack body: processAck's switch in its order") {
  CHECK(js::parse_ack_body("").kind == AckKind::kAck);
  CHECK(js::parse_ack_body("+ACK").kind == AckKind::kAck);
  CHECK(js::parse_ack_body("+OK").kind == AckKind::kAck);
  CHECK(js::parse_ack_body("+ACK ").kind == AckKind::kIgnored);
  CHECK(js::parse_ack_body("+ack").kind == AckKind::kIgnored);
  CHECK(js::parse_ack_body("+WPI").kind == AckKind::kProgress);
  CHECK(js::parse_ack_body("+WPI ").kind == AckKind::kIgnored);
  CHECK(js::parse_ack_body("+TERM").kind == AckKind::kTerm);
  // 2.9.10 compares +TERM whole; the reason form of later servers does nothing here.
  CHECK(js::parse_ack_body("+TERM bad payload").kind == AckKind::kIgnored);
  CHECK(js::parse_ack_body("hello").kind == AckKind::kIgnored);

  const auto next = js::parse_ack_body("+NXT {\"batch\":5}\r\n");
  CHECK(next.kind == AckKind::kNext);
  CHECK(next.next_request == "{\"batch\":5}");
  CHECK(js::parse_ack_body("+NXT").next_request.empty());
  CHECK(js::parse_ack_body("+NXT 10").next_request == "10");
  CHECK(js::parse_ack_body("+NXTgarbage").kind == AckKind::kNext);
}

TEST_CASE("ack body: -NAK and its delay as processNak reads it") {
  CHECK(js::parse_ack_body("-NAK").kind == AckKind::kNak);
  CHECK(js::parse_ack_body("-NAK").nak_delay_ns == 0);
  CHECK(js::parse_ack_body("-NAK 5s").nak_delay_ns == 5 * kSecond);
  CHECK(js::parse_ack_body("-NAK  300ms").nak_delay_ns == 300 * kMs);
  CHECK(js::parse_ack_body("-NAK1m30s").nak_delay_ns == 90 * kSecond);
  CHECK(js::parse_ack_body("-NAK {\"delay\": 300000000}").nak_delay_ns == 300 * kMs);
  CHECK(js::parse_ack_body("-NAK {\"DELAY\":2000000000,\"other\":[1]}").nak_delay_ns == 2 * kSecond);
  CHECK(js::parse_ack_body("-NAK -1s").nak_delay_ns == -kSecond);
  // A delay nats-server cannot parse is logged and the -NAK stays plain.
  for (const char* body : {"-NAK 5", "-NAK five", "-NAK {\"delay\":\"5s\"}", "-NAK {\"delay\":1.5}",
                           "-NAK {\"delay\":1", "-NAK {} x", "-NAKED"}) {
    INFO(body);
    const auto ack = js::parse_ack_body(body);
    CHECK(ack.kind == AckKind::kNak);
    CHECK(ack.nak_delay_ns == 0);
  }
}

TEST_CASE("Go durations: time.ParseDuration") {
  CHECK(js::parse_go_duration("0") == 0);
  CHECK(js::parse_go_duration("-0") == 0);
  CHECK(js::parse_go_duration("1.5h") == 90 * 60 * kSecond);
  CHECK(js::parse_go_duration("2h45m") == (2 * 3600 + 45 * 60) * kSecond);
  CHECK(js::parse_go_duration("1us") == 1000);
  CHECK(js::parse_go_duration("1\xC2\xB5s") == 1000);
  CHECK(js::parse_go_duration("1\xCE\xBCs") == 1000);
  CHECK(js::parse_go_duration(".5s") == 500 * kMs);
  CHECK(js::parse_go_duration("5.s") == 5 * kSecond);
  CHECK(js::parse_go_duration("+3ns") == 3);
  CHECK(js::parse_go_duration("9223372036854775807ns") == INT64_MAX);
  CHECK(js::parse_go_duration("-9223372036854775808ns") == INT64_MIN);
  CHECK_FALSE(js::parse_go_duration("9223372036854775808ns"));
  CHECK_FALSE(js::parse_go_duration("3000000h"));
  CHECK_FALSE(js::parse_go_duration(""));
  CHECK_FALSE(js::parse_go_duration("5"));
  CHECK_FALSE(js::parse_go_duration("."));
  CHECK_FALSE(js::parse_go_duration(".s"));
  CHECK_FALSE(js::parse_go_duration("5d"));
  CHECK_FALSE(js::parse_go_duration("5 s"));
}

TEST_CASE("Go durations: time.Duration's String") {
  CHECK(js::go_duration_string(0) == "0s");
  CHECK(js::go_duration_string(1) == "1ns");
  CHECK(js::go_duration_string(1500) == "1.5\xC2\xB5s");
  CHECK(js::go_duration_string(300 * kMs) == "300ms");
  CHECK(js::go_duration_string(kSecond) == "1s");
  CHECK(js::go_duration_string(1500 * kMs) == "1.5s");  // Captured in a 409 below.
  CHECK(js::go_duration_string(120 * kSecond) == "2m0s");
  CHECK(js::go_duration_string(3600 * kSecond) == "1h0m0s");
  CHECK(js::go_duration_string(90061 * kSecond + 1) == "25h1m1.000000001s");
  CHECK(js::go_duration_string(-kSecond) == "-1s");
  CHECK(js::go_duration_string(INT64_MIN) == "-2562047h47m16.854775808s");
}

TEST_CASE("Go text: TrimSpace and Atoi") {
  CHECK(js::go_trim_space(" \t\r\n\v\f5 \r\n") == "5");
  CHECK(js::go_trim_space("\xC2\xA0x\xE3\x80\x80") == "x");
  CHECK(js::go_trim_space("\xC2 x") == "\xC2 x");
  CHECK(js::go_atoi("+12") == 12);
  CHECK(js::go_atoi("-9223372036854775808") == INT64_MIN);
  CHECK_FALSE(js::go_atoi("9223372036854775808"));
  CHECK_FALSE(js::go_atoi("1_000"));
  CHECK_FALSE(js::go_atoi("-"));
}

TEST_CASE("pull request: the forms nextReqFromMsg takes") {
  CHECK(pull("").batch == 1);
  CHECK(pull(" \r\n").batch == 1);
  CHECK(pull("10").batch == 10);
  CHECK(pull(" 7\n").batch == 7);
  CHECK(pull("-3").batch == -3);
  CHECK(pull("[]").batch == 1);  // Not a number: one message, as captured.
  CHECK(pull("99999999999999999999").batch == 1);

  const auto request =
      pull(R"({"batch":5,"expires":4000000000,"max_bytes":1024,"no_wait":true,"idle_heartbeat":2000000000})");
  CHECK(request.batch == 5);
  CHECK(request.expires_ns == 4 * kSecond);
  CHECK(request.max_bytes == 1024);
  CHECK(request.no_wait);
  CHECK(request.heartbeat_ns == 2 * kSecond);

  CHECK(pull("{}").batch == 0);
  CHECK(pull(R"({"expires":1000})").batch == 0);
  CHECK(pull(R"({"BATCH":3,"Expires":null,"unknown":{"a":[1,2]}})").batch == 3);
  CHECK(pull(R"({"batch":3,"batch":4})").batch == 4);
  CHECK(pull(R"({"\u0062atch":6})").batch == 6);
  CHECK(pull("{\"expire\xC5\xBF\":9}").expires_ns == 9);  // U+017F folds to 's' for Go.
  CHECK(pull(R"({"batch":-0})").batch == 0);
  // The heartbeat check doubles in wrapping int64: 2^62 * 2 is negative, so it passes (captured: accepted).
  CHECK(pull(R"({"idle_heartbeat":4611686018427387904,"expires":1})").heartbeat_ns == 4611686018427387904);
  CHECK(pull(R"({"expires":-5,"idle_heartbeat":-1,"batch":0})").expires_ns == -5);
  CHECK(pull(R"({"batch":2,"expires":1000000000,"idle_heartbeat":500000000})").heartbeat_ns == 500 * kMs);
}

TEST_CASE("pull request: errors are nats-server's 400 blocks, byte for byte (captured)") {
  CHECK(pull_error(R"({"batch":1,"expires":1000000000,"idle_heartbeat":600000000})") ==
        "NATS/1.0 400 Bad Request - heartbeat value too large\r\n\r\n");
  CHECK(pull_error(R"({"idle_heartbeat":1})") ==
        "NATS/1.0 400 Bad Request - heartbeat value too large\r\n\r\n");

  const std::string field = "into Go struct field JSApiConsumerGetNextRequest.";
  const auto bad = [](std::string_view reason) {
    return "NATS/1.0 400 Bad Request - " + std::string(reason) + "\r\n\r\n";
  };
  CHECK(pull_error(R"({"batch":"x"})") ==
        bad("json: cannot unmarshal string " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":1.5})") ==
        bad("json: cannot unmarshal number 1.5 " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":1e30})") ==
        bad("json: cannot unmarshal number 1e30 " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":-1.0})") ==
        bad("json: cannot unmarshal number -1.0 " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":1e2})") ==
        bad("json: cannot unmarshal number 1e2 " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":1E400})") ==
        bad("json: cannot unmarshal number 1E400 " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":9223372036854775808})") ==
        bad("json: cannot unmarshal number 9223372036854775808 " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":-9223372036854775809})") ==
        bad("json: cannot unmarshal number -9223372036854775809 " + field + "batch of type int"));
  CHECK(pull_error(R"({"expires":"1s"})") ==
        bad("json: cannot unmarshal string " + field + "expires of type time.Duration"));
  CHECK(pull_error(R"({"no_wait":1})") ==
        bad("json: cannot unmarshal number " + field + "no_wait of type bool"));
  CHECK(pull_error(R"({"no_wait":"true"})") ==
        bad("json: cannot unmarshal string " + field + "no_wait of type bool"));
  CHECK(pull_error(R"({"BATCH":"x"})") ==
        bad("json: cannot unmarshal string " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":"x","expires":"y"})") ==
        bad("json: cannot unmarshal string " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":[1]})") == bad("json: cannot unmarshal array " + field + "batch of type int"));
  CHECK(pull_error(R"({"batch":{}})") == bad("json: cannot unmarshal object " + field + "batch of type int"));
  CHECK(pull_error(" \t{\"batch\":\"x\"}\r\n") ==
        bad("json: cannot unmarshal string " + field + "batch of type int"));

  CHECK(pull_error(R"({"batch":})") == bad("invalid character '}' looking for beginning of value"));
  CHECK(pull_error(R"({"batch":1)") == bad("unexpected end of JSON input"));
  CHECK(pull_error("{") == bad("unexpected end of JSON input"));
  CHECK(pull_error(R"({"batch":1}x)") == bad("invalid character 'x' after top-level value"));
  CHECK(pull_error(R"({"a":1} {})") == bad("invalid character '{' after top-level value"));
  CHECK(pull_error(R"({"batch":2}{)") == bad("invalid character '{' after top-level value"));
  CHECK(pull_error(R"({1:2})") == bad("invalid character '1' looking for beginning of object key string"));
  CHECK(pull_error(R"({"batch":1,})") ==
        bad("invalid character '}' looking for beginning of object key string"));
  CHECK(pull_error(R"({"batch":01})") == bad("invalid character '1' after object key:value pair"));
  CHECK(pull_error(R"({"batch":"\q"})") == bad("invalid character 'q' in string escape code"));
  CHECK(pull_error(R"({"batch":tru})") == bad("invalid character '}' in literal true (expecting 'e')"));
  // Go's other scanner contexts, from encoding/json's scanner.go.
  CHECK(pull_error(R"({"a" 1})") == bad("invalid character '1' after object key"));
  CHECK(pull_error(R"({"a":[1 2]})") == bad("invalid character '2' after array element"));
  CHECK(pull_error(R"({"a":-x})") == bad("invalid character 'x' in numeric literal"));
  CHECK(pull_error(R"({"a":1.})") == bad("invalid character '}' after decimal point in numeric literal"));
  CHECK(pull_error(R"({"a":1e})") == bad("invalid character '}' in exponent of numeric literal"));
  CHECK(pull_error(R"({"a":"\u12x4"})") == bad("invalid character 'x' in \\u hexadecimal character escape"));
  CHECK(pull_error("{\"a\":\"\n\"}") == bad("invalid character '\\n' in string literal"));
  CHECK(pull_error("{\"a\":nul}") == bad("invalid character '}' in literal null (expecting 'l')"));
  CHECK(pull_error("{\"a\":fx}") == bad("invalid character 'x' in literal false (expecting 'a')"));
  CHECK(pull_error("{\"a\":'}") == bad("invalid character '\\'' looking for beginning of value"));
  CHECK(pull_error("{\"a\":\x01}") == bad("invalid character '\\x01' looking for beginning of value"));
  CHECK(pull_error("{\"a\":\xE9}") == bad("invalid character '\xC3\xA9' looking for beginning of value"));
  // Go accepts bytes that are not UTF-8 inside strings.
  CHECK(pull_error("{\"a\xFF\":\"\xFE\",\"batch\":2}") == "(accepted)");
}

TEST_CASE("pull request: processNextMsgRequest's limit checks (captured)") {
  const js::PullRequestLimits limits{10, 1500 * kMs, 1000};
  CHECK(js::check_pull_request_limits(pull(R"({"batch":11})"), limits) ==
        "NATS/1.0 409 Exceeded MaxRequestBatch of 10\r\n\r\n");
  CHECK(js::check_pull_request_limits(pull("11"), limits) ==
        "NATS/1.0 409 Exceeded MaxRequestBatch of 10\r\n\r\n");
  CHECK(js::check_pull_request_limits(pull(R"({"batch":1,"expires":2000000000})"), limits) ==
        "NATS/1.0 409 Exceeded MaxRequestExpires of 1.5s\r\n\r\n");
  CHECK(js::check_pull_request_limits(pull(R"({"batch":1,"max_bytes":2000})"), limits) ==
        "NATS/1.0 409 Exceeded MaxRequestMaxBytes of 1000\r\n\r\n");
  CHECK_FALSE(
      js::check_pull_request_limits(pull(R"({"batch":10,"expires":1500000000,"max_bytes":1000})"), limits));
  // Batch is checked first.
  CHECK(js::check_pull_request_limits(pull(R"({"batch":11,"expires":2000000000})"), limits) ==
        "NATS/1.0 409 Exceeded MaxRequestBatch of 10\r\n\r\n");
  CHECK(js::check_max_request_expires(pull(R"({"batch":1,"expires":121000000000})"), 120 * kSecond) ==
        "NATS/1.0 409 Exceeded MaxRequestExpires of 2m0s\r\n\r\n");
  CHECK_FALSE(js::check_max_request_expires(pull(R"({"batch":1,"expires":-1})"), kSecond));
  CHECK_FALSE(js::check_pull_request_limits(pull(R"({"batch":1000,"expires":1000000000000})"),
                                            js::PullRequestLimits{}));

  struct Config {
    std::int64_t max_batch = 2, max_expires_ns = 0, max_bytes = 0;
  };
  CHECK(js::check_pull_request_limits(pull("3"), Config{}) ==
        "NATS/1.0 409 Exceeded MaxRequestBatch of 2\r\n\r\n");
}

TEST_CASE("status blocks: byte for byte as captured from nats-server") {
  CHECK(js::kStatusNoMessages == "NATS/1.0 404 No Messages\r\n\r\n");
  CHECK(js::kStatusPushBased == "NATS/1.0 409 Consumer is push based\r\n\r\n");
  CHECK(js::kStatusFlowControlRequest == "NATS/1.0 100 FlowControl Request\r\n\r\n");
  CHECK(js::request_timeout_status(2, 0) ==
        "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 2\r\nNats-Pending-Bytes: 0\r\n\r\n");
  CHECK(js::request_timeout_status(1, 0).size() == 81);
  CHECK(js::idle_heartbeat_status(2, 2) ==
        "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 2\r\nNats-Last-Stream: 2\r\n\r\n");
  CHECK(js::idle_heartbeat_status(36, 36, "$JS.FC.S.F.saVY") ==
        "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 36\r\nNats-Last-Stream: 36\r\n"
        "Nats-Consumer-Stalled: $JS.FC.S.F.saVY\r\n\r\n");
  CHECK(js::flow_control_subject("S", "F", "saVY") == "$JS.FC.S.F.saVY");
}

TEST_CASE("status blocks: the texts of consumer.go") {
  CHECK(js::kStatusRequestsPending == "NATS/1.0 408 Requests Pending\r\n\r\n");
  CHECK(js::kStatusExceededMaxWaiting == "NATS/1.0 409 Exceeded MaxWaiting\r\n\r\n");
  CHECK(js::kStatusConsumerDeleted == "NATS/1.0 409 Consumer Deleted\r\n\r\n");
  CHECK(js::interest_expired_status(3, 100) ==
        "NATS/1.0 408 Interest Expired\r\nNats-Pending-Messages: 3\r\nNats-Pending-Bytes: 100\r\n\r\n");
  CHECK(js::message_size_exceeds_max_bytes_status(2, 10) ==
        "NATS/1.0 409 Message Size Exceeds MaxBytes\r\nNats-Pending-Messages: 2\r\nNats-Pending-Bytes: "
        "10\r\n\r\n");
  CHECK(js::exceeded_max_request_expires_status(3600 * kSecond) ==
        "NATS/1.0 409 Exceeded MaxRequestExpires of 1h0m0s\r\n\r\n");
  // fcReply's base-62 digits, least significant first.
  CHECK(js::flow_control_token(0) == "0000");
  CHECK(js::flow_control_token(61) == "z000");
  CHECK(js::flow_control_token(62 + 2 * 62 * 62) == "0120");
}

TEST_CASE("headers_only: Nats-Msg-Size appended as captured") {
  CHECK(js::headers_only_block("", 5) == "NATS/1.0\r\nNats-Msg-Size: 5\r\n\r\n");
  CHECK(js::headers_only_block("NATS/1.0\r\nNats-Msg-Id: id-1\r\n\r\n", 5) ==
        "NATS/1.0\r\nNats-Msg-Id: id-1\r\nNats-Msg-Size: 5\r\n\r\n");
  CHECK(js::headers_only_block("NATS/1.0\r\nA: b\r\n\r\n", 0) ==
        "NATS/1.0\r\nA: b\r\nNats-Msg-Size: 0\r\n\r\n");
  CHECK(js::headers_only_block("", 0) == "NATS/1.0\r\nNats-Msg-Size: 0\r\n\r\n");
}
