// Replies about single messages, as nats-server 2.9.10 builds them: STREAM.MSG.GET and MSG.DELETE
// JSON, the header block of a DIRECT.GET reply (stream.go getDirectRequest), and the PubAck texts of
// the publish path (stream.go processJetStreamMsg), which nats-server partly writes by hand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/jetstream/api_error.h"
#include "server/stream/store.h"

namespace tern::server::jetstream {

// STREAM.MSG.GET success: the message with base64 hdrs (omitted when none) and data (omitted when
// empty), and its time. Errors are error_response(kMsgGetResponseType, error).
std::string msg_get_response(const stream::StoredMessage& message);

// STREAM.MSG.DELETE success. Errors are error_response(kMsgDeleteResponseType, error).
std::string msg_delete_response();

// The header block of a DIRECT.GET reply, the payload being the message's: the message's own headers
// (if any) followed by Nats-Stream, Nats-Subject, Nats-Sequence and Nats-Time-Stamp, as nats-server's
// genHeader appends them after the existing ones.
std::string direct_get_headers(std::string_view stream_name, const stream::StoredMessage& message);

// The status block of a DIRECT.GET that found nothing.
inline constexpr std::string_view kDirectGetNotFound = "NATS/1.0 404 Message Not Found\r\n\r\n";

// `{"stream":"ORDERS", "seq":`: what every PubAck of a stream starts with (a stream keeps it, and
// appends the sequence and `}` per message).
std::string pub_ack_prefix(std::string_view stream_name);
// {"stream":"ORDERS", "seq":1}: the stored message's PubAck, with nats-server's space after the comma.
std::string pub_ack(std::string_view stream_name, std::uint64_t seq);
// {"stream":"ORDERS", "seq":1,"duplicate": true}: a Nats-Msg-Id seen within the duplicate window; `seq`
// is the original message's.
std::string pub_ack_duplicate(std::string_view stream_name, std::uint64_t seq);
// {"error":{...},"stream":"ORDERS","seq":0}: every refused publish (10060, 10071, 10070, 10111, 10054,
// 10097, 10077, 10109 on a sealed stream, 10023), marshalled by encoding/json, hence no space.
std::string pub_ack_error(std::string_view stream_name, const ApiError& error);

}  // namespace tern::server::jetstream
