// The JSON replies of the JetStream stream API, byte for byte as nats-server 2.9.10 marshals them
// (jetstream_api.go's response types): Go's field order, omitempty rules and escaping, durations in
// integer nanoseconds, times as RFC 3339 UTC with trailing zeros trimmed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/jetstream/api_error.h"
#include "server/jetstream/stream_config.h"
#include "server/monitor/json_writer.h"
#include "server/stream/store.h"

namespace tern::server::jetstream {

inline constexpr std::string_view kAccountInfoResponseType = "io.nats.jetstream.api.v1.account_info_response";
inline constexpr std::string_view kStreamCreateResponseType =
    "io.nats.jetstream.api.v1.stream_create_response";
inline constexpr std::string_view kStreamUpdateResponseType =
    "io.nats.jetstream.api.v1.stream_update_response";
inline constexpr std::string_view kStreamInfoResponseType = "io.nats.jetstream.api.v1.stream_info_response";
inline constexpr std::string_view kStreamDeleteResponseType =
    "io.nats.jetstream.api.v1.stream_delete_response";
inline constexpr std::string_view kStreamNamesResponseType = "io.nats.jetstream.api.v1.stream_names_response";
inline constexpr std::string_view kStreamListResponseType = "io.nats.jetstream.api.v1.stream_list_response";
inline constexpr std::string_view kStreamPurgeResponseType = "io.nats.jetstream.api.v1.stream_purge_response";
inline constexpr std::string_view kMsgGetResponseType = "io.nats.jetstream.api.v1.stream_msg_get_response";
inline constexpr std::string_view kMsgDeleteResponseType =
    "io.nats.jetstream.api.v1.stream_msg_delete_response";

// Page sizes nats-server uses (JSApiNamesLimit, JSApiListLimit, JSMaxSubjectDetails).
inline constexpr std::int64_t kStreamNamesLimit = 1024;
inline constexpr std::int64_t kStreamListLimit = 256;
inline constexpr std::int64_t kSubjectDetailsLimit = 100'000;

// A writer in the compact style every API reply uses.
monitor::JsonWriter compact_json();
// The paged responses' "total", "offset" and "limit" members (ApiPaged).
void write_paging(monitor::JsonWriter& json, std::int64_t total, std::int64_t offset, std::int64_t limit);
// {"type":"<type>","success":true}: the reply of a successful delete (streams and consumers).
std::string success_response(std::string_view type);

// Go's zero time.Time for 0, else the instant in UTC: "2026-12-05T07:45:35.196964416Z".
std::string format_time_ns(std::int64_t unix_ns);

// JetStreamAccountLimits; -1 is unlimited, as a standalone nats-server without account limits reports.
struct AccountLimits {
  std::int64_t max_memory = -1;
  std::int64_t max_storage = -1;
  std::int64_t max_streams = -1;
  std::int64_t max_consumers = -1;
  std::int64_t max_ack_pending = -1;
  std::int64_t memory_max_stream_bytes = -1;
  std::int64_t storage_max_stream_bytes = -1;
  bool max_bytes_required = false;
};

// $JS.API.INFO: the account's usage. api_total counts every API request answered (this one included,
// counted before the reply), api_errors those answered with an error.
struct AccountInfo {
  std::uint64_t memory = 0;
  std::uint64_t storage = 0;
  std::int64_t streams = 0;
  std::int64_t consumers = 0;
  AccountLimits limits;
  std::uint64_t api_total = 0;
  std::uint64_t api_errors = 0;
};
std::string account_info_response(const AccountInfo& info);

// What StreamInfo shows of one stream. `config` must outlive the view.
struct StreamInfoView {
  const StreamConfig* config = nullptr;
  std::int64_t created_ns = 0;
  stream::StoreState state;
  std::int64_t consumer_count = 0;
};

// STREAM.INFO's subject details (subjects_filter given and matching something): every subject's
// message count, sorted by subject, already cut to the page, with the total before cutting.
struct SubjectDetails {
  std::int64_t total = 0;
  std::int64_t offset = 0;
  std::vector<std::pair<std::string, std::uint64_t>> subjects;
};

// Writes a StreamState object value (StreamInfo's and /jsz's `state`): num_subjects, subjects and
// num_deleted omitted when zero or empty, as Go does.
void write_stream_state(monitor::JsonWriter& json, const stream::StoreState& state,
                        std::int64_t consumer_count,
                        const std::vector<std::pair<std::string, std::uint64_t>>* subjects = nullptr);

// Writes a StreamInfo object value: config, created, state (num_subjects, subjects, num_deleted
// omitted when zero or empty, as Go does), consumer_count. `subjects` is written into state when not
// null and not empty.
void write_stream_info(monitor::JsonWriter& json, const StreamInfoView& info,
                       const std::vector<std::pair<std::string, std::uint64_t>>* subjects = nullptr);

// STREAM.CREATE success (with did_create, also when an identical stream existed) and STREAM.UPDATE.
std::string stream_create_response(const StreamInfoView& info);
std::string stream_update_response(const StreamInfoView& info);
// STREAM.INFO: total/offset/limit are 0 unless `details` is given (then limit is 100000).
std::string stream_info_response(const StreamInfoView& info, const SubjectDetails* details = nullptr);
std::string stream_info_error(const ApiError& error);

// STREAM.DELETE success; errors are error_response(kStreamDeleteResponseType, error).
std::string stream_delete_response();

// STREAM.NAMES: `names` is the page (sorted, from `offset`, at most kStreamNamesLimit), `total` the
// count of matching streams. No names is written as null, as Go writes a nil slice.
std::string stream_names_response(std::int64_t total, std::int64_t offset,
                                  const std::vector<std::string>& names);
std::string stream_names_error(const ApiError& error);

// STREAM.LIST: the page of infos (sorted by name, at most kStreamListLimit); none is [].
std::string stream_list_response(std::int64_t total, std::int64_t offset,
                                 const std::vector<StreamInfoView>& infos);
std::string stream_list_error(const ApiError& error);

// STREAM.PURGE: success with the count, or an error (which still carries "purged":0).
std::string stream_purge_response(std::uint64_t purged);
std::string stream_purge_error(const ApiError& error);

}  // namespace tern::server::jetstream
