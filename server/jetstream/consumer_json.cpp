#include "server/jetstream/consumer_json.h"

#include "server/jetstream/api_json.h"
#include "server/jetstream/go_json.h"

namespace tern::server::jetstream {

namespace {

using monitor::JsonWriter;

void write_sequence_pair(JsonWriter& json, std::string_view key, const SequencePair& pair) {
  json.key(key);
  json.begin_object();
  json.field("consumer_seq", pair.consumer_seq);
  json.field("stream_seq", pair.stream_seq);
  if (pair.last_active_ns != 0) json.field("last_active", format_time_ns(pair.last_active_ns));
  json.end_object();
}

// The members of a ConsumerInfo, written into the object that holds them (the reply embeds
// *ConsumerInfo, so its members follow "type" directly).
void write_info_members(JsonWriter& json, const ConsumerInfoView& info) {
  json.field("stream_name", info.stream_name);
  json.field("name", info.name);
  json.field("created", format_time_ns(info.created_ns));
  if (info.config != nullptr) {
    json.key("config");
    write_consumer_config(json, *info.config);
  }
  write_sequence_pair(json, "delivered", info.delivered);
  write_sequence_pair(json, "ack_floor", info.ack_floor);
  json.field("num_ack_pending", info.num_ack_pending);
  json.field("num_redelivered", info.num_redelivered);
  json.field("num_waiting", info.num_waiting);
  json.field("num_pending", info.num_pending);
  if (info.push_bound) json.field("push_bound", true);
}

std::string typed_info(std::string_view type, const ConsumerInfoView& info) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", type);
  write_info_members(json, info);
  json.end_object();
  return json.take();
}

std::string paged_error(std::string_view type, const ApiError& error) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", type);
  write_api_error(json, error);
  write_paging(json, 0, 0, 0);
  json.key("consumers");
  json.begin_array();
  json.end_array();
  json.end_object();
  return json.take();
}

}  // namespace

void write_consumer_info(JsonWriter& json, const ConsumerInfoView& info) {
  json.begin_object();
  write_info_members(json, info);
  json.end_object();
}

std::string consumer_create_response(const ConsumerInfoView& info) {
  return typed_info(kConsumerCreateResponseType, info);
}

std::string consumer_info_response(const ConsumerInfoView& info) {
  return typed_info(kConsumerInfoResponseType, info);
}

std::string consumer_delete_response() {
  return success_response(kConsumerDeleteResponseType);
}

std::string consumer_names_response(std::int64_t total, std::int64_t offset,
                                    const std::vector<std::string>& names) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kConsumerNamesResponseType);
  write_paging(json, total, offset, kConsumerNamesLimit);
  json.key("consumers");
  json.begin_array();
  for (const auto& name : names)
    json.string(name);
  json.end_array();
  json.end_object();
  return json.take();
}

std::string consumer_names_error(const ApiError& error) {
  return paged_error(kConsumerNamesResponseType, error);
}

std::string consumer_list_response(std::int64_t total, std::int64_t offset,
                                   const std::vector<ConsumerInfoView>& infos) {
  auto json = compact_json();
  json.begin_object();
  json.field("type", kConsumerListResponseType);
  write_paging(json, total, offset, kConsumerListLimit);
  json.key("consumers");
  json.begin_array();
  for (const auto& info : infos)
    write_consumer_info(json, info);
  json.end_array();
  json.end_object();
  return json.take();
}

std::string consumer_list_error(const ApiError& error) {
  return paged_error(kConsumerListResponseType, error);
}

std::optional<ApiError> parse_consumer_names_request(std::string_view body, std::int64_t& offset) {
  offset = 0;
  if (go_json::is_empty_request(body)) return std::nullopt;
  const auto root = go_json::parse(body);
  if (!root) return api_errors::invalid_json();
  if (root->is_null()) return std::nullopt;
  simdjson::dom::object members;
  if (root->get_object().get(members) != simdjson::SUCCESS) return api_errors::invalid_json();
  for (auto [key, value] : members) {
    if (go_json::key_is(key, "offset") && !go_json::decode(value, offset)) return api_errors::invalid_json();
  }
  return std::nullopt;
}

}  // namespace tern::server::jetstream
