// The JetStream API's JSON, both ways: the requests the client sends (from the values of types.h) and
// the responses it reads. Pure: no I/O. Every parse_* returns the server's API error when the response
// carries one ({"error":{"code":404,"err_code":10059,"description":"stream not found"}}), as
// api_error(err_code, description), and Errc::kInvalidResponse for JSON it cannot read or a response
// without the fields it must have.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/error.h"
#include "client/jetstream/types.h"

namespace tern::client::jetstream::json {

// --- Requests. ---
// The body of STREAM.CREATE and STREAM.UPDATE, with the fields nats.go writes (omitting what it omits).
std::string write_stream_config(const StreamConfig& config);
// The body of CONSUMER.CREATE / CONSUMER.DURABLE.CREATE: {"stream_name":...,"config":{...}}.
std::string write_consumer_create(std::string_view stream, const ConsumerConfig& config);
// The body of STREAM.PURGE; "" when nothing is set (purge everything).
std::string write_purge_request(const PurgeOptions& options);
// The body of a paged NAMES or LIST request: {"offset":N} plus {"subject":...} for stream names, each left
// out when zero or empty as nats.go does ({} for the first page of everything).
std::string write_paged_request(std::uint64_t offset, std::string_view subject_filter = {});
// The body of STREAM.MSG.GET: {"seq":N} or {"last_by_subj":"..."}.
std::string write_message_get(std::uint64_t sequence, std::string_view last_by_subject);
// The body of STREAM.MSG.DELETE: {"seq":N} plus "no_erase":true unless `erase`.
std::string write_message_delete(std::uint64_t sequence, bool erase);
// The body of a pull request (CONSUMER.MSG.NEXT) in nats.go's order: expires, batch, no_wait, max_bytes,
// idle_heartbeat, each when set (durations in nanoseconds, written when positive).
std::string write_pull_request(std::uint64_t batch, Nanoseconds expires, bool no_wait,
                               std::uint64_t max_bytes, Nanoseconds heartbeat);

// --- Responses. ---
// An error in the response (api_error) or success ({} or {"success":true}).
std::error_code parse_error(std::string_view json);
Expected<StreamInfo> parse_stream_info(std::string_view json);
Expected<ConsumerInfo> parse_consumer_info(std::string_view json);
Expected<AccountInfo> parse_account_info(std::string_view json);
// A PubAck: {"stream":"S","seq":N,"duplicate":true,"domain":"D"}, or an error.
Expected<PubAck> parse_pub_ack(std::string_view json);
// STREAM.PURGE: the number of messages purged.
Expected<std::uint64_t> parse_purge_response(std::string_view json);
// STREAM.MSG.GET: {"message":{"subject","seq","hdrs"(base64),"data"(base64),"time"}}.
Expected<StoredMessage> parse_stored_message(std::string_view json);

// One page of a NAMES or LIST answer: the items, and where the listing stands.
template <typename T>
struct Page {
  std::uint64_t total = 0;
  std::uint64_t offset = 0;
  std::uint64_t limit = 0;
  std::vector<T> items;
};
Expected<Page<std::string>> parse_stream_names(std::string_view json);    // "streams":[...]
Expected<Page<StreamInfo>> parse_stream_list(std::string_view json);      // "streams":[{...}]
Expected<Page<std::string>> parse_consumer_names(std::string_view json);  // "consumers":[...]
Expected<Page<ConsumerInfo>> parse_consumer_list(std::string_view json);  // "consumers":[{...}]

// --- Shared pieces. ---
// Go's time.RFC3339Nano in UTC ("2026-12-06T02:35:53.123456789Z", trailing zeros of the fraction
// dropped), and its reading (any UTC offset, any number of fraction digits up to 9). Go's zero time,
// 0001-01-01T00:00:00Z (an unset time.Time), lies before what SystemTime's 64-bit nanoseconds reach: it
// and SystemTime{} stand for each other both ways, and other times outside 1677-2262 do not read.
std::string format_rfc3339(SystemTime time);
Expected<SystemTime> parse_rfc3339(std::string_view text);
// Standard base64 (with padding) as Go's encoding/json writes []byte: protocol/base64.h's, which the
// server writes with; decoding fails with Errc::kInvalidResponse.
std::string encode_base64(std::string_view bytes);
Expected<std::string> decode_base64(std::string_view text);
// A JSON string literal, quotes included, escaped as Go's encoding/json does (<, > and & as \u003c...):
// protocol::append_json_string, which INFO and CONNECT use.
void append_json_string(std::string& out, std::string_view text);

}  // namespace tern::client::jetstream::json
