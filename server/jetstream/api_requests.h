// The request bodies of the stream API's endpoints other than CREATE and UPDATE, read as nats-server
// 2.9.10's handlers read them (jetstream_api.go, stream.go), each with the handler's own checks and
// errors, in its order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/jetstream/api_error.h"

namespace tern::server::jetstream {

// STREAM.INFO: JSApiStreamInfoRequest. An empty request (nats-server's isEmptyRequest) leaves the
// zero request. Errors: 10025.
struct StreamInfoRequest {
  std::int64_t offset = 0;
  bool deleted_details = false;
  std::string subjects_filter;
};
std::optional<ApiError> parse_stream_info_request(std::string_view body, StreamInfoRequest& out);

// STREAM.NAMES and STREAM.LIST: an offset and a subject filter. Errors: 10025.
struct StreamNamesRequest {
  std::int64_t offset = 0;
  std::string subject;
};
std::optional<ApiError> parse_stream_names_request(std::string_view body, StreamNamesRequest& out);

// STREAM.PURGE: JSApiStreamPurgeRequest; `present` is false for an empty request (purge everything).
// Errors: 10025, then 10003 when both seq and keep are set.
struct StreamPurgeRequest {
  bool present = false;
  std::uint64_t seq = 0;  // Purge below this sequence (0: no bound).
  std::string filter;
  std::uint64_t keep = 0;
};
std::optional<ApiError> parse_stream_purge_request(std::string_view body, StreamPurgeRequest& out);

// STREAM.MSG.GET: JSApiMsgGetRequest. Errors: 10003 for an empty request, 10025, then 10003 when it
// asks for nothing, for seq with last_by_subj, or for last_by_subj with next_by_subj. The caller then
// answers 10059 for a missing stream and 10037 when the store has no such message.
struct MsgGetRequest {
  std::uint64_t seq = 0;
  std::string last_by_subj;
  std::string next_by_subj;
};
std::optional<ApiError> parse_msg_get_request(std::string_view body, MsgGetRequest& out);

// STREAM.MSG.DELETE: JSApiMsgDeleteRequest. Errors: 10003 for an empty request, 10025. The caller then
// answers 10059 (no stream), 10109 (sealed), 10057 "message delete not permitted" (deny_delete).
struct MsgDeleteRequest {
  std::uint64_t seq = 0;
  bool no_erase = false;
};
std::optional<ApiError> parse_msg_delete_request(std::string_view body, MsgDeleteRequest& out);

// DIRECT.GET.<stream> with a body. nats-server answers a bad one with a status message instead of JSON:
// the returned header block ("NATS/1.0 408 Empty Request\r\n\r\n", "... 408 Malformed Request ...",
// "... 408 Bad Request ..."), sent as an HMSG with no payload.
std::optional<std::string> parse_direct_get_request(std::string_view body, MsgGetRequest& out);

// DIRECT.GET.<stream>.<subject...>: `api_subject` is the whole request subject; the key is everything
// after its fifth token. A body, or no key, is answered with the 408 Bad Request status block returned.
std::optional<std::string> parse_direct_get_last_by_subject(std::string_view api_subject,
                                                            std::string_view body, MsgGetRequest& out);

}  // namespace tern::server::jetstream
