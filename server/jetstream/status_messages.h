// The status messages of nats-server 2.9.10's consumers, byte for byte (consumer.go): header blocks sent
// as an HMSG without payload, to a pull request's reply subject or a push consumer's deliver subject.
// Also the two other header texts of a delivery: the headers_only rewrite and the flow-control subject.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::server::jetstream {

// no_wait with nothing pending and no expires.
inline constexpr std::string_view kStatusNoMessages = "NATS/1.0 404 No Messages\r\n\r\n";
// no_wait when the requests already waiting want more than there is.
inline constexpr std::string_view kStatusRequestsPending = "NATS/1.0 408 Requests Pending\r\n\r\n";
inline constexpr std::string_view kStatusPushBased = "NATS/1.0 409 Consumer is push based\r\n\r\n";
inline constexpr std::string_view kStatusExceededMaxWaiting = "NATS/1.0 409 Exceeded MaxWaiting\r\n\r\n";
// To every waiting request when the consumer is deleted.
inline constexpr std::string_view kStatusConsumerDeleted = "NATS/1.0 409 Consumer Deleted\r\n\r\n";
// To every waiting request when a clustered consumer loses its leader (never sent by one server).
inline constexpr std::string_view kStatusLeadershipChange = "NATS/1.0 409 Leadership Change\r\n\r\n";
// Push only, with the flow-control subject as reply; the client answers with an empty message.
inline constexpr std::string_view kStatusFlowControlRequest = "NATS/1.0 100 FlowControl Request\r\n\r\n";

// "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 2\r\nNats-Pending-Bytes: 0\r\n\r\n": a pull
// request that expired, or a no_wait one that got something and ran out; with what it still wanted.
std::string request_timeout_status(std::int64_t pending_messages, std::int64_t pending_bytes);
// The same with "408 Interest Expired": a request imported from another account whose requester left.
std::string interest_expired_status(std::int64_t pending_messages, std::int64_t pending_bytes);
// The same with "409 Message Size Exceeds MaxBytes": the next message is larger than what the request's
// max_bytes has left.
std::string message_size_exceeds_max_bytes_status(std::int64_t pending_messages, std::int64_t pending_bytes);

// "NATS/1.0 400 Bad Request - <reason>\r\n\r\n".
std::string bad_request_status(std::string_view reason);
// "NATS/1.0 409 Exceeded MaxRequestBatch of 10\r\n\r\n".
std::string exceeded_max_request_batch_status(std::int64_t max_batch);
// "NATS/1.0 409 Exceeded MaxRequestExpires of 1.5s\r\n\r\n", the limit as time.Duration's String.
std::string exceeded_max_request_expires_status(std::int64_t max_expires_ns);
// "NATS/1.0 409 Exceeded MaxRequestMaxBytes of 1000\r\n\r\n".
std::string exceeded_max_request_max_bytes_status(std::int64_t max_bytes);

// "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 11\r\nNats-Last-Stream: 5\r\n\r\n": the last
// consumer and stream sequences delivered; a push consumer waiting on a flow-control reply adds
// "Nats-Consumer-Stalled: <that subject>".
std::string idle_heartbeat_status(std::uint64_t last_consumer_seq, std::uint64_t last_stream_seq,
                                  std::string_view stalled_on = {});

// A headers_only delivery's header block (convertToHeadersOnly): the message's own block with
// "Nats-Msg-Size: <payload size>" added as its last header (the block's final CRLF is cut and put back
// after it), or "NATS/1.0\r\nNats-Msg-Size: <n>\r\n\r\n" for a message without headers.
std::string headers_only_block(std::string_view headers, std::size_t payload_size);

// The reply subject of a flow-control request: "$JS.FC.<stream>.<consumer>.<token>".
std::string flow_control_subject(std::string_view stream, std::string_view consumer, std::string_view token);
// nats-server's 4-character token from a random non-negative 63-bit number (fcReply: base-62 digits,
// least significant first).
std::string flow_control_token(std::uint64_t random);

}  // namespace tern::server::jetstream
