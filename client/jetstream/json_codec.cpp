#include "client/jetstream/json_codec.h"

#include <simdjson.h>

#include <array>
#include <chrono>
#include <concepts>
#include <optional>
#include <utility>

#include "client/jetstream/errors.h"
#include "client/jetstream/json_names.h"
#include "protocol/base64.h"
#include "protocol/connect.h"
#include "protocol/go_json_fields.h"

namespace tern::client::jetstream::json {

namespace {

using namespace detail;

std::error_code invalid_response() noexcept {
  return make_error_code(Errc::kInvalidResponse);
}

// Each reads one JSON value into `out` and returns false when the value has another type (or does not
// fit `out`), leaving `out` unspecified then: the caller drops the whole response.
bool read_value(simdjson::dom::element value, std::string& out) {
  return protocol::go_json_read(value, out);
}

bool read_value(simdjson::dom::element value, bool& out) {
  return protocol::go_json_read(value, out);
}

// Not for bool, which the overload above takes (a non-template wins a tie).
template <std::integral Integer>
bool read_value(simdjson::dom::element value, Integer& out) {
  // simdjson keeps an integer as int64 when it fits and as uint64 only above INT64_MAX; a number
  // with a fraction or an exponent is a double, which no integer field accepts (nor does Go).
  std::int64_t signed_number = 0;
  if (value.get_int64().get(signed_number) == simdjson::SUCCESS) {
    if (!std::in_range<Integer>(signed_number)) return false;
    out = static_cast<Integer>(signed_number);
    return true;
  }
  std::uint64_t unsigned_number = 0;
  if (value.get_uint64().get(unsigned_number) != simdjson::SUCCESS) return false;
  if (!std::in_range<Integer>(unsigned_number)) return false;
  out = static_cast<Integer>(unsigned_number);
  return true;
}

bool read_value(simdjson::dom::element value, Nanoseconds& out) {
  std::int64_t count = 0;
  if (!read_value(value, count)) return false;
  out = Nanoseconds{count};
  return true;
}

bool read_value(simdjson::dom::element value, SystemTime& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  auto time = parse_rfc3339(text);
  if (!time) return false;
  out = *time;
  return true;
}

bool read_value(simdjson::dom::element value, std::optional<SystemTime>& out) {
  SystemTime time{};
  if (!read_value(value, time)) return false;
  out = time;
  return true;
}

// An array of any of the above. A null element is the element type's zero, as Go decodes it.
template <typename T>
bool read_value(simdjson::dom::element value, std::vector<T>& out) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return false;
  std::vector<T> items;
  items.reserve(array.size());
  for (simdjson::dom::element item : array) {
    T& element = items.emplace_back();
    if (!item.is_null() && !read_value(item, element)) return false;
  }
  out = std::move(items);
  return true;
}

// Reads the members of one JSON object into values as nats.go's encoding/json decoding does: a member
// that is missing or null leaves its value as it was, and unknown members are ignored. Keys match
// exactly, not ignoring case as Go's do: nats-server writes every key as the API names it. A member of
// another type, an unknown enumeration name, an unreadable time or a missing required member marks the
// response invalid, through a flag that every reader of the response shares, so that nested readers
// need not report back.
class FieldReader {
 public:
  FieldReader(simdjson::dom::object object, bool& valid) : object_(object), valid_(&valid) {}

  void invalidate() const noexcept { *valid_ = false; }
  void require(std::string_view key) const {
    if (!find(key)) invalidate();
  }

  template <typename T>
  void read(std::string_view key, T& out) const {
    if (auto value = find(key); value && !read_value(*value, out)) invalidate();
  }

  template <typename Enum, std::size_t N>
  void read_enum(std::string_view key, Enum& out, const std::array<std::string_view, N>& names) const {
    const auto value = find(key);
    if (!value) return;
    std::string_view name;
    std::optional<Enum> found;
    if (value->get_string().get(name) == simdjson::SUCCESS) found = enum_named<Enum>(name, names);
    if (found) {
      out = *found;
    } else {
      invalidate();
    }
  }

  // A nested object, or nullopt when the member is missing or null (and invalid when of another type).
  std::optional<FieldReader> object(std::string_view key) const {
    const auto value = find(key);
    if (!value) return std::nullopt;
    simdjson::dom::object nested;
    if (value->get_object().get(nested) != simdjson::SUCCESS) {
      invalidate();
      return std::nullopt;
    }
    return FieldReader(nested, *valid_);
  }
  std::optional<FieldReader> required_object(std::string_view key) const {
    auto nested = object(key);
    if (!nested) invalidate();
    return nested;
  }

  // An array of objects, each read by `read_object(const FieldReader&, T&)`.
  template <typename T, typename ReadObject>
  void read_objects(std::string_view key, std::vector<T>& out, ReadObject read_object) const {
    const auto value = find(key);
    if (!value) return;
    simdjson::dom::array array;
    if (value->get_array().get(array) != simdjson::SUCCESS) return invalidate();
    out.reserve(array.size());
    for (simdjson::dom::element item : array) {
      simdjson::dom::object item_object;
      if (item.get_object().get(item_object) != simdjson::SUCCESS) return invalidate();
      read_object(FieldReader(item_object, *valid_), out.emplace_back());
    }
  }

 private:
  std::optional<simdjson::dom::element> find(std::string_view key) const {
    simdjson::dom::element value;
    if (object_.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
    return value;
  }

  simdjson::dom::object object_;
  bool* valid_;
};

// Parses a response and hands back its top-level object; or the API error it carries, as api_error()
// (which keeps the server's description for last_api_error()); or kInvalidResponse. Every parse starts
// here, which clears the calling thread's previous description.
std::error_code open_response(std::string_view json, simdjson::dom::object& object) {
  clear_last_api_error();
  // Reused per thread, as the protocol's INFO and CONNECT parsers reuse theirs: its buffers grow to the
  // largest response once instead of being allocated per call. The DOM it builds owns copies of the
  // strings, so `padded` may go when this returns.
  static thread_local simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  if (parser.parse(padded).get(object) != simdjson::SUCCESS) return invalid_response();
  simdjson::dom::element error_value;
  if (object.at_key("error").get(error_value) != simdjson::SUCCESS || error_value.is_null()) return {};
  simdjson::dom::object error_object;
  if (error_value.get_object().get(error_object) != simdjson::SUCCESS) return invalid_response();
  bool valid = true;
  const FieldReader error(error_object, valid);
  int code = 0;
  int err_code = 0;
  std::string description;
  error.read("code", code);
  error.read("err_code", err_code);
  error.read("description", description);
  // A server that sends no err_code still says with its HTTP-like code what went wrong; an error with
  // neither cannot be told from success in an error_code.
  const int value = err_code != 0 ? err_code : code;
  if (!valid || value == 0) return invalid_response();
  return api_error(value, std::move(description));
}

// Opens a response and reads its top-level object into a T with `read_fields(const FieldReader&, T&)`.
template <typename T, typename ReadFields>
Expected<T> parse_response(std::string_view json, ReadFields read_fields) {
  simdjson::dom::object object;
  if (const auto error = open_response(json, object)) return error;
  bool valid = true;
  T value{};
  read_fields(FieldReader(object, valid), value);
  if (!valid) return invalid_response();
  return value;
}

void read_stream_config(const FieldReader& fields, StreamConfig& out) {
  fields.require("name");
  fields.read("name", out.name);
  fields.read("description", out.description);
  fields.read("subjects", out.subjects);
  fields.read_enum("retention", out.retention, kRetentionNames);
  fields.read("max_consumers", out.max_consumers);
  fields.read("max_msgs", out.max_msgs);
  fields.read("max_bytes", out.max_bytes);
  fields.read_enum("discard", out.discard, kDiscardNames);
  fields.read("max_age", out.max_age);
  fields.read("max_msgs_per_subject", out.max_msgs_per_subject);
  fields.read("max_msg_size", out.max_msg_size);
  fields.read_enum("storage", out.storage, kStorageNames);
  fields.read("num_replicas", out.replicas);
  fields.read("no_ack", out.no_ack);
  fields.read("duplicate_window", out.duplicate_window);
  fields.read("sealed", out.sealed);
  fields.read("deny_delete", out.deny_delete);
  fields.read("deny_purge", out.deny_purge);
  fields.read("allow_rollup_hdrs", out.allow_rollup);
  fields.read("allow_direct", out.allow_direct);
  fields.read("mirror_direct", out.mirror_direct);
  if (const auto republish_fields = fields.object("republish")) {
    Republish republish;
    republish_fields->read("src", republish.source);
    republish_fields->read("dest", republish.destination);
    republish_fields->read("headers_only", republish.headers_only);
    out.republish = std::move(republish);
  }
}

void read_stream_state(const FieldReader& fields, StreamState& out) {
  fields.read("messages", out.messages);
  fields.read("bytes", out.bytes);
  fields.read("first_seq", out.first_seq);
  fields.read("first_ts", out.first_time);
  fields.read("last_seq", out.last_seq);
  fields.read("last_ts", out.last_time);
  fields.read("num_deleted", out.num_deleted);
  fields.read("num_subjects", out.num_subjects);
  fields.read("consumer_count", out.consumer_count);
}

void read_stream_info(const FieldReader& fields, StreamInfo& out) {
  if (const auto config = fields.required_object("config")) read_stream_config(*config, out.config);
  fields.read("created", out.created);
  if (const auto state = fields.required_object("state")) read_stream_state(*state, out.state);
}

void read_consumer_config(const FieldReader& fields, ConsumerConfig& out) {
  fields.read("durable_name", out.durable_name);
  fields.read("name", out.name);
  fields.read("description", out.description);
  fields.read_enum("deliver_policy", out.deliver_policy, kDeliverNames);
  fields.read("opt_start_seq", out.opt_start_seq);
  fields.read("opt_start_time", out.opt_start_time);
  fields.read_enum("ack_policy", out.ack_policy, kAckNames);
  fields.read("ack_wait", out.ack_wait);
  fields.read("max_deliver", out.max_deliver);
  fields.read("backoff", out.backoff);
  fields.read("filter_subject", out.filter_subject);
  fields.read_enum("replay_policy", out.replay_policy, kReplayNames);
  fields.read("rate_limit_bps", out.rate_limit_bps);
  fields.read("sample_freq", out.sample_frequency);
  fields.read("max_waiting", out.max_waiting);
  fields.read("max_ack_pending", out.max_ack_pending);
  fields.read("flow_control", out.flow_control);
  fields.read("idle_heartbeat", out.idle_heartbeat);
  fields.read("headers_only", out.headers_only);
  fields.read("max_batch", out.max_request_batch);
  fields.read("max_expires", out.max_request_expires);
  fields.read("max_bytes", out.max_request_max_bytes);
  fields.read("deliver_subject", out.deliver_subject);
  fields.read("deliver_group", out.deliver_group);
  fields.read("inactive_threshold", out.inactive_threshold);
  fields.read("num_replicas", out.num_replicas);
  fields.read("mem_storage", out.memory_storage);
}

void read_sequence_info(const FieldReader& fields, SequenceInfo& out) {
  fields.read("consumer_seq", out.consumer_seq);
  fields.read("stream_seq", out.stream_seq);
  fields.read("last_active", out.last_active);
}

void read_consumer_info(const FieldReader& fields, ConsumerInfo& out) {
  fields.require("stream_name");
  fields.require("name");
  fields.read("stream_name", out.stream_name);
  fields.read("name", out.name);
  fields.read("created", out.created);
  if (const auto config = fields.required_object("config")) read_consumer_config(*config, out.config);
  if (const auto delivered = fields.object("delivered")) read_sequence_info(*delivered, out.delivered);
  if (const auto ack_floor = fields.object("ack_floor")) read_sequence_info(*ack_floor, out.ack_floor);
  fields.read("num_ack_pending", out.num_ack_pending);
  fields.read("num_redelivered", out.num_redelivered);
  fields.read("num_waiting", out.num_waiting);
  fields.read("num_pending", out.num_pending);
  fields.read("push_bound", out.push_bound);
}

void read_account_info(const FieldReader& fields, AccountInfo& out) {
  fields.read("memory", out.memory);
  fields.read("storage", out.storage);
  fields.read("streams", out.streams);
  fields.read("consumers", out.consumers);
  fields.read("domain", out.domain);
  if (const auto api = fields.required_object("api")) {
    api->read("total", out.api_total);
    api->read("errors", out.api_errors);
  }
  if (const auto limits = fields.required_object("limits")) {
    limits->read("max_memory", out.limits.max_memory);
    limits->read("max_storage", out.limits.max_storage);
    limits->read("max_streams", out.limits.max_streams);
    limits->read("max_consumers", out.limits.max_consumers);
  }
}

void read_pub_ack(const FieldReader& fields, PubAck& out) {
  // nats.go takes an acknowledgement without a stream for no acknowledgement at all (ErrInvalidJSAck).
  fields.require("seq");
  fields.read("stream", out.stream);
  if (out.stream.empty()) fields.invalidate();
  fields.read("seq", out.sequence);
  fields.read("duplicate", out.duplicate);
  fields.read("domain", out.domain);
}

void read_purge_response(const FieldReader& fields, std::uint64_t& purged) {
  bool success = false;
  fields.read("success", success);
  if (!success) fields.invalidate();
  fields.read("purged", purged);
}

// A base64 member (Go's []byte) decoded into `out`; missing, null or "" leave `out` empty.
void read_base64(const FieldReader& fields, std::string_view key, std::string& out) {
  std::string encoded;
  fields.read(key, encoded);
  if (encoded.empty()) return;
  if (auto decoded = protocol::base64_decode(encoded)) {
    out = std::move(*decoded);
  } else {
    fields.invalidate();
  }
}

void read_stored_message(const FieldReader& fields, StoredMessage& out) {
  const auto message = fields.required_object("message");
  if (!message) return;
  message->require("subject");
  message->require("seq");
  message->read("subject", out.subject);
  message->read("seq", out.sequence);
  message->read("time", out.time);
  std::string header_block;
  read_base64(*message, "hdrs", header_block);
  if (!header_block.empty()) {
    // The block the message was published with, as HMSG would carry it: read as HMSG's headers are.
    if (auto headers = decode_headers(header_block)) {
      out.headers = std::move(*headers);
    } else {
      message->invalidate();
    }
  }
  read_base64(*message, "data", out.data);
}

// One page of a NAMES or LIST answer; `read_items(const FieldReader&, std::vector<T>&)` reads the list.
template <typename T, typename ReadItems>
Expected<Page<T>> parse_page(std::string_view json, ReadItems read_items) {
  return parse_response<Page<T>>(json, [&](const FieldReader& fields, Page<T>& page) {
    // nats-server writes the paging members always (apiPaged has no omitempty), the list null when empty.
    fields.require("total");
    fields.require("offset");
    fields.require("limit");
    fields.read("total", page.total);
    fields.read("offset", page.offset);
    fields.read("limit", page.limit);
    read_items(fields, page.items);
  });
}

// --- RFC 3339. ---

// Go's zero time.Time, 0001-01-01T00:00:00Z, in seconds since the Unix epoch. SystemTime's 64-bit
// nanoseconds do not reach back that far (they span about 1677 to 2262), so SystemTime{} stands for it.
constexpr std::int64_t kGoZeroTimeSeconds = -62'135'596'800;
constexpr std::string_view kGoZeroTimeText = "0001-01-01T00:00:00Z";
constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

void append_digits(std::string& out, std::uint64_t value, int width) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

// Reads exactly `width` decimal digits at `position`, moving past them.
bool read_digits(std::string_view text, std::size_t& position, std::size_t width, int& out) {
  if (text.size() - position < width) return false;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[position + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  position += width;
  out = value;
  return true;
}

bool read_char(std::string_view text, std::size_t& position, char expected) {
  if (position >= text.size() || text[position] != expected) return false;
  ++position;
  return true;
}

}  // namespace

// --- Responses. ---

std::error_code parse_error(std::string_view json) {
  simdjson::dom::object object;
  if (const auto error = open_response(json, object)) return error;
  bool valid = true;
  bool success = true;
  FieldReader(object, valid).read("success", success);
  return valid && success ? std::error_code() : invalid_response();
}

Expected<StreamInfo> parse_stream_info(std::string_view json) {
  return parse_response<StreamInfo>(json, read_stream_info);
}

Expected<ConsumerInfo> parse_consumer_info(std::string_view json) {
  return parse_response<ConsumerInfo>(json, read_consumer_info);
}

Expected<AccountInfo> parse_account_info(std::string_view json) {
  return parse_response<AccountInfo>(json, read_account_info);
}

Expected<PubAck> parse_pub_ack(std::string_view json) {
  return parse_response<PubAck>(json, read_pub_ack);
}

Expected<std::uint64_t> parse_purge_response(std::string_view json) {
  return parse_response<std::uint64_t>(json, read_purge_response);
}

Expected<StoredMessage> parse_stored_message(std::string_view json) {
  return parse_response<StoredMessage>(json, read_stored_message);
}

Expected<Page<std::string>> parse_stream_names(std::string_view json) {
  return parse_page<std::string>(json, [](const FieldReader& fields, std::vector<std::string>& names) {
    fields.read("streams", names);
  });
}

Expected<Page<StreamInfo>> parse_stream_list(std::string_view json) {
  return parse_page<StreamInfo>(json, [](const FieldReader& fields, std::vector<StreamInfo>& streams) {
    fields.read_objects("streams", streams, read_stream_info);
  });
}

Expected<Page<std::string>> parse_consumer_names(std::string_view json) {
  return parse_page<std::string>(json, [](const FieldReader& fields, std::vector<std::string>& names) {
    fields.read("consumers", names);
  });
}

Expected<Page<ConsumerInfo>> parse_consumer_list(std::string_view json) {
  return parse_page<ConsumerInfo>(json, [](const FieldReader& fields, std::vector<ConsumerInfo>& consumers) {
    fields.read_objects("consumers", consumers, read_consumer_info);
  });
}

// --- Shared pieces. ---

std::string format_rfc3339(SystemTime time) {
  if (time == SystemTime{}) return std::string(kGoZeroTimeText);
  // Split with 64-bit integers rather than chrono's floor at nanosecond precision: near SystemTime's
  // earliest time, the second and the midnight before it are out of its range.
  const std::int64_t since_epoch = time.time_since_epoch().count();
  std::int64_t seconds = since_epoch / kNanosecondsPerSecond;
  std::int64_t fraction = since_epoch % kNanosecondsPerSecond;
  if (fraction < 0) {
    fraction += kNanosecondsPerSecond;
    --seconds;
  }
  constexpr std::int64_t kSecondsPerDay = 86'400;
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(days))};
  std::string out;
  out.reserve(kGoZeroTimeText.size() + 10);
  append_digits(out, static_cast<std::uint64_t>(static_cast<int>(date.year())), 4);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(date.month()), 2);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(date.day()), 2);
  out.push_back('T');
  append_digits(out, static_cast<std::uint64_t>(second_of_day / 3600), 2);
  out.push_back(':');
  append_digits(out, static_cast<std::uint64_t>(second_of_day / 60 % 60), 2);
  out.push_back(':');
  append_digits(out, static_cast<std::uint64_t>(second_of_day % 60), 2);
  if (fraction != 0) {
    // Go's .999999999: nine digits, trailing zeros dropped.
    out.push_back('.');
    append_digits(out, static_cast<std::uint64_t>(fraction), 9);
    out.erase(out.find_last_not_of('0') + 1);
  }
  out.push_back('Z');
  return out;
}

Expected<SystemTime> parse_rfc3339(std::string_view text) {
  std::size_t position = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  const bool date_and_clock = read_digits(text, position, 4, year) && read_char(text, position, '-') &&
                              read_digits(text, position, 2, month) && read_char(text, position, '-') &&
                              read_digits(text, position, 2, day) && read_char(text, position, 'T') &&
                              read_digits(text, position, 2, hour) && read_char(text, position, ':') &&
                              read_digits(text, position, 2, minute) && read_char(text, position, ':') &&
                              read_digits(text, position, 2, second);
  if (!date_and_clock) return invalid_response();

  std::int64_t fraction = 0;
  if (read_char(text, position, '.')) {
    std::size_t digits = 0;
    for (; position < text.size() && text[position] >= '0' && text[position] <= '9'; ++position) {
      if (++digits > 9) return invalid_response();
      fraction = fraction * 10 + (text[position] - '0');
    }
    if (digits == 0) return invalid_response();
    for (; digits < 9; ++digits)
      fraction *= 10;
  }

  std::int64_t offset_seconds = 0;
  if (!read_char(text, position, 'Z')) {
    if (position >= text.size() || (text[position] != '+' && text[position] != '-'))
      return invalid_response();
    const bool west = text[position++] == '-';
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!read_digits(text, position, 2, offset_hours) || !read_char(text, position, ':') ||
        !read_digits(text, position, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
      return invalid_response();
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (west ? -1 : 1);
  }
  if (position != text.size()) return invalid_response();

  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return invalid_response();
  // Years 0 to 9999 keep these seconds far inside 64 bits; only the nanoseconds below can overflow.
  const std::int64_t seconds = std::int64_t{std::chrono::sys_days{date}.time_since_epoch().count()} * 86'400 +
                               hour * 3600 + minute * 60 + second - offset_seconds;
  if (seconds == kGoZeroTimeSeconds && fraction == 0) return SystemTime{};
  // SystemTime's 64-bit nanoseconds span 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z.
  // Borrowing a second for a negative time's fraction lets the earliest second read, although its own
  // multiple of 10^9 does not fit.
  std::int64_t whole_seconds = seconds;
  std::int64_t nanoseconds = fraction;
  if (whole_seconds < 0 && nanoseconds > 0) {
    whole_seconds += 1;
    nanoseconds -= kNanosecondsPerSecond;
  }
  std::int64_t since_epoch = 0;
  if (__builtin_mul_overflow(whole_seconds, kNanosecondsPerSecond, &since_epoch) ||
      __builtin_add_overflow(since_epoch, nanoseconds, &since_epoch)) {
    return invalid_response();
  }
  return SystemTime{Nanoseconds{since_epoch}};
}

std::string encode_base64(std::string_view bytes) {
  return protocol::base64_encode(bytes);
}

Expected<std::string> decode_base64(std::string_view text) {
  auto decoded = protocol::base64_decode(text);
  if (!decoded) return invalid_response();
  return std::move(*decoded);
}

void append_json_string(std::string& out, std::string_view text) {
  protocol::append_json_string(out, text);
}

}  // namespace tern::client::jetstream::json
