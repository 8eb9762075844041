// The ack protocol of nats-server 2.9.10's consumers (consumer.go): the reply subject each delivery
// carries, `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`, and the bodies a client
// acks with (processAck, processNak). Pure functions: the consumer applies what they return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::server::jetstream {

// What a delivery's ack subject carries: its delivery count, stream and consumer sequences, the stored
// message's time (UnixNano) and how many messages were still pending after it.
struct AckReplyInfo {
  std::uint64_t delivery_count = 0, stream_seq = 0, consumer_seq = 0;
  std::int64_t timestamp_ns = 0;
  std::uint64_t pending = 0;
};

// Appends `$JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<cseq>.<ts>.<pending>` (the 9 tokens of nats-server
// 2.9.10's ackReplyT) to `out`, which the caller reuses from one delivery to the next.
void append_ack_subject(std::string& out, std::string_view stream, std::string_view consumer,
                        const AckReplyInfo& info);

// Reads the 5 tokens after `$JS.ACK.<stream>.<consumer>.` as nats-server's replyInfo does. Each number is
// read by parseAckReplyNum: ASCII digits only, wrapping modulo 2^64 like Go's int64 arithmetic; an empty
// or non-digit token reads as -1, which a delivery count or pending then holds as 2^64-1 and a timestamp
// as -1, as in nats-server. Nothing when the ack must be dropped: not exactly 5 tokens (nats-server then
// reads every number as 0, skips the reply to an AckSync and acks nothing), or a stream or consumer
// sequence that is 0 or not a number (where nats-server either finds nothing pending or, under
// ack_policy all, moves its ack floor to 2^64-1; no client sends such a subject). nats-server still
// answers a +NXT sent to such a subject as a pull request; a caller that wants that too must look at
// the body itself.
std::optional<AckReplyInfo> parse_ack_subject_tail(std::string_view tail);
// Appends the five tokens after `$JS.ACK.<stream>.<consumer>.`: a consumer keeps that prefix and adds
// these per delivery.
void append_ack_tokens(std::string& out, const AckReplyInfo& info);

enum class AckKind : std::uint8_t { kAck, kNak, kProgress, kNext, kTerm, kIgnored };

struct AckMessage {
  AckKind kind = AckKind::kIgnored;
  // A -NAK's delay in nanoseconds: the message is due again `delay` after now (nats-server sets its
  // pending timestamp to now - ack_wait + delay). 0 is a plain -NAK; a delay that nats-server parsed as
  // zero or negative is due at once too, so it is returned as it is and means the same.
  std::int64_t nak_delay_ns = 0;
  // +NXT: the rest of the body, Unicode white space trimmed (bytes.TrimSpace), a pull request for
  // parse_pull_request. A view into the body.
  std::string_view next_request;
};

// processAck's switch, in its order: an empty body, "+ACK" or "+OK" ack; a body starting with "+NXT"
// acks then asks for more; one starting with "-NAK" naks (the rest, trimmed, may be a delay: JSON
// {"delay":ns} or a Go duration such as "5s" or "300ms"; a delay nats-server cannot parse leaves a plain
// -NAK); exactly "+WPI" is progress and exactly "+TERM" terminates. 2.9.10 compares +TERM whole, so
// "+TERM reason" (a later servers' form) is ignored, as is anything else. An ignored body still gets the
// AckSync reply in nats-server.
AckMessage parse_ack_body(std::string_view body);

}  // namespace tern::server::jetstream
