// libFuzzer target: the consumer's ack protocol (server/jetstream/ack_protocol.h, go_text.h). Byte 0
// picks the mode:
//   0: the rest is an ack body. parse_ack_body must not crash, and +NXT's request must be a view into it.
//   1: the rest is an ack subject's tail. What parse_ack_subject_tail accepts must come back the same
//      after append_ack_subject writes it and it is read again.
//   2: the rest is a Go duration. What parse_go_duration accepts, time.Duration's String writes in a
//      form that parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/jetstream/ack_protocol.h"
#include "server/jetstream/go_text.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace js = tern::server::jetstream;

void fuzz_body(std::string_view body) {
  const js::AckMessage ack = js::parse_ack_body(body);
  if (ack.kind == js::AckKind::kNext) {
    FUZZ_CHECK(ack.next_request.data() >= body.data());
    FUZZ_CHECK(ack.next_request.data() + ack.next_request.size() <= body.data() + body.size());
  } else {
    FUZZ_CHECK(ack.next_request.empty());
  }
  if (ack.kind != js::AckKind::kNak) FUZZ_CHECK(ack.nak_delay_ns == 0);
}

void fuzz_subject(std::string_view tail) {
  const auto info = js::parse_ack_subject_tail(tail);
  if (!info) return;
  FUZZ_CHECK(info->stream_seq != 0 && info->consumer_seq != 0);
  std::string subject;
  js::append_ack_subject(subject, "S", "C", *info);
  const std::string_view prefix = "$JS.ACK.S.C.";
  FUZZ_CHECK(subject.starts_with(prefix));
  const auto again = js::parse_ack_subject_tail(std::string_view(subject).substr(prefix.size()));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->delivery_count == info->delivery_count);
  FUZZ_CHECK(again->stream_seq == info->stream_seq);
  FUZZ_CHECK(again->consumer_seq == info->consumer_seq);
  FUZZ_CHECK(again->timestamp_ns == info->timestamp_ns || info->timestamp_ns < 0);
  FUZZ_CHECK(again->pending == info->pending);
}

void fuzz_duration(std::string_view text) {
  (void)js::go_trim_space(text);
  (void)js::go_atoi(text);
  const auto ns = js::parse_go_duration(text);
  if (!ns) return;
  const std::string written = js::go_duration_string(*ns);
  FUZZ_CHECK(js::parse_go_duration(written) == ns);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tern::fuzz::FuzzInput input(data, size);
  switch (input.byte() % 3) {
    case 0:
      fuzz_body(input.rest());
      break;
    case 1:
      fuzz_subject(input.rest());
      break;
    default:
      fuzz_duration(input.rest());
      break;
  }
  return 0;
}
