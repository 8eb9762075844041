#include "server/jetstream/api_json.h"

#include <chrono>

#include "server/monitor/time_format.h"

namespace tern::server::jetstream {

namespace {

using monitor::JsonWriter;

void write_state(JsonWriter& json, const StreamInfoView& info,
                 const std::vector<std::pair<std::string, std::uint64_t>>* subjects) {
  json.key("state");
  write_stream_state(json, info.state, info.consumer_count, subjects);
}

// The members of a StreamInfo, written into the object that embeds it.
void write_stream_info_members(JsonWriter& json, const StreamInfoView& info,
                               const std::vector<std::pair<std::string, std::uint64_t>>* subjects) {
  json.key("config");
  write_stream_config(json, *info.config);
  json.field("created", format_time_ns(info.created_ns));
  write_state(json, info, subjects);
}

std::string typed_stream_info(std::string_view type, const StreamInfoView& info, bool did_create) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", type);
  write_stream_info_members(json, info, nullptr);
  if (did_create) json.field("did_create", true);
  json.end_object();
  return json.take();
}

}  // namespace

JsonWriter compact_json() {
  return JsonWriter(JsonWriter::Style::kCompact);
}

void write_paging(JsonWriter& json, std::int64_t total, std::int64_t offset, std::int64_t limit) {
  json.field("total", total);
  json.field("offset", offset);
  json.field("limit", limit);
}

std::string success_response(std::string_view type) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", type);
  json.field("success", true);
  json.end_object();
  return json.take();
}

std::string format_time_ns(std::int64_t unix_ns) {
  if (unix_ns == 0) return "0001-01-01T00:00:00Z";
  const monitor::SystemTime t{
      std::chrono::duration_cast<monitor::SystemTime::duration>(std::chrono::nanoseconds(unix_ns))};
  return monitor::format_rfc3339_utc(t);
}

void write_stream_state(JsonWriter& json, const stream::StoreState& state, std::int64_t consumer_count,
                        const std::vector<std::pair<std::string, std::uint64_t>>* subjects) {
  json.begin_object();
  json.field("messages", state.msgs);
  json.field("bytes", state.bytes);
  json.field("first_seq", state.first_seq);
  json.field("first_ts", format_time_ns(state.first_ts_ns));
  json.field("last_seq", state.last_seq);
  json.field("last_ts", format_time_ns(state.last_ts_ns));
  if (state.num_subjects != 0) json.field("num_subjects", state.num_subjects);
  if (subjects != nullptr && !subjects->empty()) {
    // Go sorts map keys when it marshals a map; the caller gives them sorted.
    json.key("subjects");
    json.begin_object();
    for (const auto& [subject, count] : *subjects)
      json.field(subject, count);
    json.end_object();
  }
  if (state.num_deleted != 0) json.field("num_deleted", state.num_deleted);
  json.field("consumer_count", consumer_count);
  json.end_object();
}

std::string account_info_response(const AccountInfo& info) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kAccountInfoResponseType);
  json.field("memory", info.memory);
  json.field("storage", info.storage);
  json.field("streams", info.streams);
  json.field("consumers", info.consumers);
  json.key("limits");
  json.begin_object();
  json.field("max_memory", info.limits.max_memory);
  json.field("max_storage", info.limits.max_storage);
  json.field("max_streams", info.limits.max_streams);
  json.field("max_consumers", info.limits.max_consumers);
  json.field("max_ack_pending", info.limits.max_ack_pending);
  json.field("memory_max_stream_bytes", info.limits.memory_max_stream_bytes);
  json.field("storage_max_stream_bytes", info.limits.storage_max_stream_bytes);
  json.field("max_bytes_required", info.limits.max_bytes_required);
  json.end_object();
  json.key("api");
  json.begin_object();
  json.field("total", info.api_total);
  json.field("errors", info.api_errors);
  json.end_object();
  json.end_object();
  return json.take();
}

void write_stream_info(JsonWriter& json, const StreamInfoView& info,
                       const std::vector<std::pair<std::string, std::uint64_t>>* subjects) {
  json.begin_object();
  write_stream_info_members(json, info, subjects);
  json.end_object();
}

std::string stream_create_response(const StreamInfoView& info) {
  return typed_stream_info(kStreamCreateResponseType, info, true);
}

std::string stream_update_response(const StreamInfoView& info) {
  return typed_stream_info(kStreamUpdateResponseType, info, false);
}

std::string stream_info_response(const StreamInfoView& info, const SubjectDetails* details) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamInfoResponseType);
  if (details != nullptr) {
    write_paging(json, details->total, details->offset, kSubjectDetailsLimit);
  } else {
    write_paging(json, 0, 0, 0);
  }
  write_stream_info_members(json, info, details != nullptr ? &details->subjects : nullptr);
  json.end_object();
  return json.take();
}

std::string stream_info_error(const ApiError& error) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamInfoResponseType);
  write_api_error(json, error);
  write_paging(json, 0, 0, 0);
  json.end_object();
  return json.take();
}

std::string stream_delete_response() {
  return success_response(kStreamDeleteResponseType);
}

std::string stream_names_response(std::int64_t total, std::int64_t offset,
                                  const std::vector<std::string>& names) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamNamesResponseType);
  write_paging(json, total, offset, kStreamNamesLimit);
  json.key("streams");
  if (names.empty()) {
    json.null();
  } else {
    json.begin_array();
    for (const auto& name : names)
      json.string(name);
    json.end_array();
  }
  json.end_object();
  return json.take();
}

std::string stream_names_error(const ApiError& error) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamNamesResponseType);
  write_api_error(json, error);
  write_paging(json, 0, 0, 0);
  json.key("streams");
  json.null();
  json.end_object();
  return json.take();
}

std::string stream_list_response(std::int64_t total, std::int64_t offset,
                                 const std::vector<StreamInfoView>& infos) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamListResponseType);
  write_paging(json, total, offset, kStreamListLimit);
  json.key("streams");
  json.begin_array();
  for (const auto& info : infos)
    write_stream_info(json, info);
  json.end_array();
  json.end_object();
  return json.take();
}

std::string stream_list_error(const ApiError& error) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamListResponseType);
  write_api_error(json, error);
  write_paging(json, 0, 0, 0);
  json.key("streams");
  json.begin_array();
  json.end_array();
  json.end_object();
  return json.take();
}

std::string stream_purge_response(std::uint64_t purged) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamPurgeResponseType);
  json.field("success", true);
  json.field("purged", purged);
  json.end_object();
  return json.take();
}

std::string stream_purge_error(const ApiError& error) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kStreamPurgeResponseType);
  write_api_error(json, error);
  json.field("purged", std::uint64_t{0});
  json.end_object();
  return json.take();
}

}  // namespace tern::server::jetstream
