#include "server/jetstream/stream_config.h"

#include "server/jetstream/go_json.h"

namespace tern::server::jetstream {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// One accepted text of an enumeration and its value.
template <typename Enum>
struct EnumText {
  std::string_view text;
  Enum value;
};

// RetentionPolicy, StorageType and DiscardPolicy have UnmarshalJSON methods that Go calls even for
// null, and that refuse anything but their texts: so null is an error for them, unlike for plain fields.
// DiscardPolicy lower-cases its input first (`ignore_case`), so "New" and "OLD" are accepted.
template <typename Enum, std::size_t N>
bool decode_enum(element value, const EnumText<Enum> (&texts)[N], bool ignore_case, Enum& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  for (const auto& entry : texts) {
    if (ignore_case ? go_json::key_is(text, entry.text) : text == entry.text) {
      out = entry.value;
      return true;
    }
  }
  return false;
}

constexpr EnumText<RetentionPolicy> kRetentionTexts[] = {{"limits", RetentionPolicy::kLimits},
                                                         {"interest", RetentionPolicy::kInterest},
                                                         {"workqueue", RetentionPolicy::kWorkQueue}};
constexpr EnumText<StorageType> kStorageTexts[] = {
    {"file", StorageType::kFile}, {"memory", StorageType::kMemory}, {"any", StorageType::kAny}};
constexpr EnumText<DiscardPolicy> kDiscardTexts[] = {{"old", DiscardPolicy::kOld},
                                                     {"new", DiscardPolicy::kNew}};

// A time.Time field: Go accepts only a string (RFC 3339) or null.
bool decode_time_text(element value, std::optional<std::string>& out) {
  if (value.is_null()) {
    out.reset();
    return true;
  }
  std::string text;
  if (!go_json::decode(value, text)) return false;
  out = std::move(text);
  return true;
}

// The members of `value`. Precondition: `value` is an object (checked by the caller).
object members_of(element value) {
  object members;
  if (value.get_object().get(members) != simdjson::SUCCESS) return object{};
  return members;
}

// A pointer-to-struct field: null makes it nil, an object is decoded member by member into the struct
// (made if nil), each member by `decode_member(key, value, struct)`, which ignores unknown keys.
template <typename T, typename DecodeMember>
bool decode_optional_object(element value, std::optional<T>& out, DecodeMember decode_member) {
  if (value.is_null()) {
    out.reset();
    return true;
  }
  if (!value.is_object()) return false;
  if (!out) out.emplace();
  for (auto [key, member] : members_of(value)) {
    if (!decode_member(key, member, *out)) return false;
  }
  return true;
}

bool decode_placement_member(std::string_view key, element value, Placement& out) {
  if (go_json::key_is(key, "cluster")) return go_json::decode(value, out.cluster);
  if (go_json::key_is(key, "tags")) return go_json::decode(value, out.tags);
  return true;
}

bool decode_external_member(std::string_view key, element value, ExternalStream& out) {
  if (go_json::key_is(key, "api")) return go_json::decode(value, out.api);
  if (go_json::key_is(key, "deliver")) return go_json::decode(value, out.deliver);
  return true;
}

bool decode_source_member(std::string_view key, element value, StreamSource& out) {
  if (go_json::key_is(key, "name")) return go_json::decode(value, out.name);
  if (go_json::key_is(key, "opt_start_seq")) return go_json::decode(value, out.opt_start_seq);
  if (go_json::key_is(key, "opt_start_time")) return decode_time_text(value, out.opt_start_time);
  if (go_json::key_is(key, "filter_subject")) return go_json::decode(value, out.filter_subject);
  if (go_json::key_is(key, "external"))
    return decode_optional_object(value, out.external, decode_external_member);
  return true;
}

bool decode_republish_member(std::string_view key, element value, RePublish& out) {
  if (go_json::key_is(key, "src")) return go_json::decode(value, out.source);
  if (go_json::key_is(key, "dest")) return go_json::decode(value, out.destination);
  if (go_json::key_is(key, "headers_only")) return go_json::decode(value, out.headers_only);
  return true;
}

// []*StreamSource: a null element is a nil pointer, which nats-server would dereference; it is refused
// here as a bad request instead of being modelled.
bool decode_sources(element value, std::optional<std::vector<StreamSource>>& out) {
  if (value.is_null()) {
    out.reset();
    return true;
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return false;
  std::vector<StreamSource> sources;
  for (element item : array) {
    if (!item.is_object()) return false;
    std::optional<StreamSource> source;
    if (!decode_optional_object(item, source, decode_source_member)) return false;
    sources.push_back(std::move(*source));
  }
  out = std::move(sources);
  return true;
}

bool decode_field(std::string_view key, element value, StreamConfig& out) {
  using go_json::decode;
  using go_json::key_is;
  if (key_is(key, "name")) return decode(value, out.name);
  if (key_is(key, "description")) return decode(value, out.description);
  if (key_is(key, "subjects")) return decode(value, out.subjects);
  if (key_is(key, "retention")) return decode_enum(value, kRetentionTexts, false, out.retention);
  if (key_is(key, "max_consumers")) return decode(value, out.max_consumers);
  if (key_is(key, "max_msgs")) return decode(value, out.max_msgs);
  if (key_is(key, "max_bytes")) return decode(value, out.max_bytes);
  if (key_is(key, "max_age")) return decode(value, out.max_age_ns);
  if (key_is(key, "max_msgs_per_subject")) return decode(value, out.max_msgs_per_subject);
  if (key_is(key, "max_msg_size")) return go_json::decode_int32(value, out.max_msg_size);
  if (key_is(key, "discard")) return decode_enum(value, kDiscardTexts, true, out.discard);
  if (key_is(key, "storage")) return decode_enum(value, kStorageTexts, false, out.storage);
  if (key_is(key, "num_replicas")) return decode(value, out.num_replicas);
  if (key_is(key, "no_ack")) return decode(value, out.no_ack);
  if (key_is(key, "template_owner")) return decode(value, out.template_owner);
  if (key_is(key, "duplicate_window")) return decode(value, out.duplicate_window_ns);
  if (key_is(key, "placement")) return decode_optional_object(value, out.placement, decode_placement_member);
  if (key_is(key, "mirror")) return decode_optional_object(value, out.mirror, decode_source_member);
  if (key_is(key, "sources")) return decode_sources(value, out.sources);
  if (key_is(key, "republish")) return decode_optional_object(value, out.republish, decode_republish_member);
  if (key_is(key, "allow_direct")) return decode(value, out.allow_direct);
  if (key_is(key, "mirror_direct")) return decode(value, out.mirror_direct);
  if (key_is(key, "discard_new_per_subject")) return decode(value, out.discard_new_per_subject);
  if (key_is(key, "sealed")) return decode(value, out.sealed);
  if (key_is(key, "deny_delete")) return decode(value, out.deny_delete);
  if (key_is(key, "deny_purge")) return decode(value, out.deny_purge);
  if (key_is(key, "allow_rollup_hdrs")) return decode(value, out.allow_rollup_hdrs);
  return true;  // Go ignores unknown fields.
}

void write_string_list(monitor::JsonWriter& json, const std::vector<std::string>& items) {
  json.begin_array();
  for (const auto& item : items)
    json.string(item);
  json.end_array();
}

void write_source(monitor::JsonWriter& json, const StreamSource& source) {
  json.begin_object();
  json.field("name", source.name);
  if (source.opt_start_seq != 0) json.field("opt_start_seq", source.opt_start_seq);
  if (source.opt_start_time) json.field("opt_start_time", *source.opt_start_time);
  if (!source.filter_subject.empty()) json.field("filter_subject", source.filter_subject);
  if (source.external) {
    json.key("external");
    json.begin_object();
    json.field("api", source.external->api);
    json.field("deliver", source.external->deliver);
    json.end_object();
  }
  json.end_object();
}

}  // namespace

std::optional<ApiError> parse_stream_config(std::string_view body, StreamConfig& out) {
  out = StreamConfig{};
  const auto root = go_json::parse(body);
  if (!root) return api_errors::invalid_json();
  if (root->is_null()) return std::nullopt;
  if (!root->is_object()) return api_errors::invalid_json();
  for (auto [key, value] : members_of(*root)) {
    if (!decode_field(key, value, out)) return api_errors::invalid_json();
  }
  return std::nullopt;
}

std::string_view retention_text(RetentionPolicy retention) noexcept {
  switch (retention) {
    case RetentionPolicy::kInterest:
      return "interest";
    case RetentionPolicy::kWorkQueue:
      return "workqueue";
    case RetentionPolicy::kLimits:
      break;
  }
  return "limits";
}

std::string_view discard_text(DiscardPolicy discard) noexcept {
  return discard == DiscardPolicy::kNew ? "new" : "old";
}

std::string_view storage_text(StorageType storage) noexcept {
  switch (storage) {
    case StorageType::kMemory:
      return "memory";
    case StorageType::kAny:
      return "any";
    case StorageType::kFile:
    case StorageType::kUnset:
      break;
  }
  return "file";
}

void write_stream_config(monitor::JsonWriter& json, const StreamConfig& config) {
  json.begin_object();
  json.field("name", config.name);
  if (!config.description.empty()) json.field("description", config.description);
  if (!config.subjects.empty()) {
    json.key("subjects");
    write_string_list(json, config.subjects);
  }
  json.field("retention", retention_text(config.retention));
  json.field("max_consumers", config.max_consumers);
  json.field("max_msgs", config.max_msgs);
  json.field("max_bytes", config.max_bytes);
  json.field("max_age", config.max_age_ns);
  json.field("max_msgs_per_subject", config.max_msgs_per_subject);
  if (config.max_msg_size != 0) json.field("max_msg_size", static_cast<std::int64_t>(config.max_msg_size));
  json.field("discard", discard_text(config.discard));
  json.field("storage", storage_text(config.storage));
  json.field("num_replicas", config.num_replicas);
  if (config.no_ack) json.field("no_ack", true);
  if (!config.template_owner.empty()) json.field("template_owner", config.template_owner);
  if (config.duplicate_window_ns != 0) json.field("duplicate_window", config.duplicate_window_ns);
  if (config.placement) {
    json.key("placement");
    json.begin_object();
    if (!config.placement->cluster.empty()) json.field("cluster", config.placement->cluster);
    if (config.placement->tags && !config.placement->tags->empty()) {
      json.key("tags");
      write_string_list(json, *config.placement->tags);
    }
    json.end_object();
  }
  if (config.mirror) {
    json.key("mirror");
    write_source(json, *config.mirror);
  }
  if (config.sources && !config.sources->empty()) {
    json.key("sources");
    json.begin_array();
    for (const auto& source : *config.sources)
      write_source(json, source);
    json.end_array();
  }
  if (config.republish) {
    json.key("republish");
    json.begin_object();
    if (!config.republish->source.empty()) json.field("src", config.republish->source);
    json.field("dest", config.republish->destination);
    if (config.republish->headers_only) json.field("headers_only", true);
    json.end_object();
  }
  json.field("allow_direct", config.allow_direct);
  json.field("mirror_direct", config.mirror_direct);
  if (config.discard_new_per_subject) json.field("discard_new_per_subject", true);
  json.field("sealed", config.sealed);
  json.field("deny_delete", config.deny_delete);
  json.field("deny_purge", config.deny_purge);
  json.field("allow_rollup_hdrs", config.allow_rollup_hdrs);
  json.end_object();
}

}  // namespace tern::server::jetstream
