#include "server/jetstream/consumer_config.h"

#include <chrono>

#include "server/jetstream/go_json.h"
#include "server/monitor/time_format.h"

namespace tern::server::jetstream {

namespace {

using simdjson::dom::element;

template <typename Enum>
struct EnumText {
  std::string_view text;
  Enum value;
};

// The policies' UnmarshalJSON methods accept only their texts; Go calls them for null too, so null is
// an error, unlike for plain fields. DeliverPolicy also reads "undefined" as all.
constexpr EnumText<DeliverPolicy> kDeliverTexts[] = {{"all", DeliverPolicy::kAll},
                                                     {"undefined", DeliverPolicy::kAll},
                                                     {"last", DeliverPolicy::kLast},
                                                     {"new", DeliverPolicy::kNew},
                                                     {"by_start_sequence", DeliverPolicy::kByStartSequence},
                                                     {"by_start_time", DeliverPolicy::kByStartTime},
                                                     {"last_per_subject", DeliverPolicy::kLastPerSubject}};
constexpr EnumText<AckPolicy> kAckTexts[] = {
    {"none", AckPolicy::kNone}, {"all", AckPolicy::kAll}, {"explicit", AckPolicy::kExplicit}};
constexpr EnumText<ReplayPolicy> kReplayTexts[] = {{"instant", ReplayPolicy::kInstant},
                                                   {"original", ReplayPolicy::kOriginal}};

template <typename Enum, std::size_t N>
bool decode_enum(element value, const EnumText<Enum> (&texts)[N], Enum& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  for (const auto& entry : texts) {
    if (text == entry.text) {
      out = entry.value;
      return true;
    }
  }
  return false;
}

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

// time.Parse(time.RFC3339, text): "2006-01-02T15:04:05", an optional fraction of any length (digits past
// nine are dropped), then "Z" or "+hh:mm"/"-hh:mm".
bool parse_rfc3339(std::string_view text, std::int64_t& unix_ns, std::int32_t& offset_s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) || text[10] != 'T' || !digits(text, 11, 2, hour) ||
      text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second))
    return false;
  std::size_t at = 19;
  std::int64_t fraction_ns = 0;
  if (text[at] == '.' || text[at] == ',') {
    std::size_t count = 0;
    std::int64_t scale = 100'000'000;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++count) {
      fraction_ns += (text[at] - '0') * scale;
      scale /= 10;
    }
    if (count == 0) return false;
  }
  int offset_h = 0, offset_m = 0, sign = 0;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    sign = text[at] == '-' ? -1 : 1;
    if (!digits(text, at + 1, 2, offset_h) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !digits(text, at + 4, 2, offset_m))
      return false;
    at += 6;
  } else {
    return false;
  }
  if (at != text.size()) return false;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59 || offset_h > 23 || offset_m > 59) return false;
  offset_s = sign * (offset_h * 3600 + offset_m * 60);
  const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  const std::int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_s;
  // Times outside what int64 nanoseconds hold (years 1678 to 2262) are refused rather than wrapped.
  if (seconds < -9'223'372'036 || seconds > 9'223'372'035) return false;
  unix_ns = seconds * 1'000'000'000 + fraction_ns;
  return true;
}

// A *time.Time field: null makes it nil, a string must be RFC 3339.
bool decode_time(element value, ConsumerConfig& out) {
  if (value.is_null()) {
    out.opt_start_time.reset();
    out.opt_start_time_offset_s = 0;
    return true;
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  std::int64_t unix_ns = 0;
  std::int32_t offset_s = 0;
  if (!parse_rfc3339(text, unix_ns, offset_s)) return false;
  out.opt_start_time = unix_ns;
  out.opt_start_time_offset_s = offset_s;
  return true;
}

// A []time.Duration field: null makes it nil, a null element is 0.
bool decode_durations(element value, std::vector<std::int64_t>& out) {
  if (value.is_null()) {
    out.clear();
    return true;
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return false;
  std::vector<std::int64_t> items;
  for (element item : array) {
    std::int64_t n = 0;
    if (!go_json::decode(item, n)) return false;
    items.push_back(n);
  }
  out = std::move(items);
  return true;
}

bool decode_field(std::string_view key, element value, ConsumerConfig& out) {
  using go_json::decode;
  using go_json::key_is;
  if (key_is(key, "durable_name")) return decode(value, out.durable_name);
  if (key_is(key, "name")) return decode(value, out.name);
  if (key_is(key, "description")) return decode(value, out.description);
  if (key_is(key, "deliver_policy")) return decode_enum(value, kDeliverTexts, out.deliver_policy);
  if (key_is(key, "opt_start_seq")) return decode(value, out.opt_start_seq);
  if (key_is(key, "opt_start_time")) return decode_time(value, out);
  if (key_is(key, "ack_policy")) return decode_enum(value, kAckTexts, out.ack_policy);
  if (key_is(key, "ack_wait")) return decode(value, out.ack_wait_ns);
  if (key_is(key, "max_deliver")) return decode(value, out.max_deliver);
  if (key_is(key, "backoff")) return decode_durations(value, out.backoff_ns);
  if (key_is(key, "filter_subject")) return decode(value, out.filter_subject);
  if (key_is(key, "replay_policy")) return decode_enum(value, kReplayTexts, out.replay_policy);
  if (key_is(key, "rate_limit_bps")) return decode(value, out.rate_limit_bps);
  if (key_is(key, "sample_freq")) return decode(value, out.sample_freq);
  if (key_is(key, "max_waiting")) return decode(value, out.max_waiting);
  if (key_is(key, "max_ack_pending")) return decode(value, out.max_ack_pending);
  if (key_is(key, "idle_heartbeat")) return decode(value, out.idle_heartbeat_ns);
  if (key_is(key, "flow_control")) return decode(value, out.flow_control);
  if (key_is(key, "headers_only")) return decode(value, out.headers_only);
  if (key_is(key, "max_batch")) return decode(value, out.max_batch);
  if (key_is(key, "max_expires")) return decode(value, out.max_expires_ns);
  if (key_is(key, "max_bytes")) return decode(value, out.max_bytes);
  if (key_is(key, "deliver_subject")) return decode(value, out.deliver_subject);
  if (key_is(key, "deliver_group")) return decode(value, out.deliver_group);
  if (key_is(key, "inactive_threshold")) return decode(value, out.inactive_threshold_ns);
  if (key_is(key, "num_replicas")) return decode(value, out.num_replicas);
  if (key_is(key, "mem_storage")) return decode(value, out.mem_storage);
  if (key_is(key, "direct")) return decode(value, out.direct);
  return true;  // Go ignores unknown fields.
}

// Decodes the members of an object (or leaves `out` alone on null) into the configuration.
bool decode_config(element value, ConsumerConfig& out) {
  if (value.is_null()) return true;
  simdjson::dom::object members;
  if (value.get_object().get(members) != simdjson::SUCCESS) return false;
  for (auto [key, member] : members) {
    if (!decode_field(key, member, out)) return false;
  }
  return true;
}

std::string format_start_time(const ConsumerConfig& config) {
  const std::chrono::nanoseconds since_epoch{*config.opt_start_time};
  const monitor::SystemTime t{std::chrono::duration_cast<monitor::SystemTime::duration>(since_epoch)};
  return monitor::format_rfc3339(t, std::chrono::seconds{config.opt_start_time_offset_s});
}

}  // namespace

std::string_view deliver_policy_text(DeliverPolicy policy) noexcept {
  switch (policy) {
    case DeliverPolicy::kLast:
      return "last";
    case DeliverPolicy::kNew:
      return "new";
    case DeliverPolicy::kByStartSequence:
      return "by_start_sequence";
    case DeliverPolicy::kByStartTime:
      return "by_start_time";
    case DeliverPolicy::kLastPerSubject:
      return "last_per_subject";
    case DeliverPolicy::kAll:
      break;
  }
  return "all";
}

std::string_view ack_policy_text(AckPolicy policy) noexcept {
  switch (policy) {
    case AckPolicy::kNone:
      return "none";
    case AckPolicy::kAll:
      return "all";
    case AckPolicy::kExplicit:
      break;
  }
  return "explicit";
}

std::string_view replay_policy_text(ReplayPolicy policy) noexcept {
  return policy == ReplayPolicy::kOriginal ? "original" : "instant";
}

std::optional<ApiError> parse_create_consumer_request(std::string_view body, std::string& stream_name,
                                                      ConsumerConfig& out) {
  stream_name.clear();
  out = ConsumerConfig{};
  const auto root = go_json::parse(body);
  if (!root) return api_errors::invalid_json();
  if (root->is_null()) return std::nullopt;
  simdjson::dom::object members;
  if (root->get_object().get(members) != simdjson::SUCCESS) return api_errors::invalid_json();
  for (auto [key, value] : members) {
    if (go_json::key_is(key, "stream_name")) {
      if (!go_json::decode(value, stream_name)) return api_errors::invalid_json();
    } else if (go_json::key_is(key, "config")) {
      if (!decode_config(value, out)) return api_errors::invalid_json();
    }
  }
  return std::nullopt;
}

std::optional<ApiError> parse_consumer_config(std::string_view body, ConsumerConfig& out) {
  out = ConsumerConfig{};
  const auto root = go_json::parse(body);
  if (!root || !decode_config(*root, out)) return api_errors::invalid_json();
  return std::nullopt;
}

void write_consumer_config(monitor::JsonWriter& json, const ConsumerConfig& config) {
  json.begin_object();
  if (!config.durable_name.empty()) json.field("durable_name", config.durable_name);
  if (!config.name.empty()) json.field("name", config.name);
  if (!config.description.empty()) json.field("description", config.description);
  json.field("deliver_policy", deliver_policy_text(config.deliver_policy));
  if (config.opt_start_seq != 0) json.field("opt_start_seq", config.opt_start_seq);
  if (config.opt_start_time) json.field("opt_start_time", format_start_time(config));
  json.field("ack_policy", ack_policy_text(config.ack_policy));
  if (config.ack_wait_ns != 0) json.field("ack_wait", config.ack_wait_ns);
  if (config.max_deliver != 0) json.field("max_deliver", config.max_deliver);
  if (!config.backoff_ns.empty()) {
    json.key("backoff");
    json.begin_array();
    for (std::int64_t ns : config.backoff_ns)
      json.integer(ns);
    json.end_array();
  }
  if (!config.filter_subject.empty()) json.field("filter_subject", config.filter_subject);
  json.field("replay_policy", replay_policy_text(config.replay_policy));
  if (config.rate_limit_bps != 0) json.field("rate_limit_bps", config.rate_limit_bps);
  if (!config.sample_freq.empty()) json.field("sample_freq", config.sample_freq);
  if (config.max_waiting != 0) json.field("max_waiting", config.max_waiting);
  if (config.max_ack_pending != 0) json.field("max_ack_pending", config.max_ack_pending);
  if (config.idle_heartbeat_ns != 0) json.field("idle_heartbeat", config.idle_heartbeat_ns);
  if (config.flow_control) json.field("flow_control", true);
  if (config.headers_only) json.field("headers_only", true);
  if (config.max_batch != 0) json.field("max_batch", config.max_batch);
  if (config.max_expires_ns != 0) json.field("max_expires", config.max_expires_ns);
  if (config.max_bytes != 0) json.field("max_bytes", config.max_bytes);
  if (!config.deliver_subject.empty()) json.field("deliver_subject", config.deliver_subject);
  if (!config.deliver_group.empty()) json.field("deliver_group", config.deliver_group);
  if (config.inactive_threshold_ns != 0) json.field("inactive_threshold", config.inactive_threshold_ns);
  json.field("num_replicas", config.num_replicas);
  if (config.mem_storage) json.field("mem_storage", true);
  if (config.direct) json.field("direct", true);
  json.end_object();
}

}  // namespace tern::server::jetstream
