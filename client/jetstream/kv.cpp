// Key-value buckets over streams, following nats.go's kv.go: the stream's configuration, the
// `KV-Operation` markers, reads by direct get (or STREAM.MSG.GET when the stream does not allow direct
// gets), and watches, keys and history over ordered consumers.
#include "client/jetstream/kv.h"

#include <algorithm>
#include <future>
#include <mutex>

#include "client/detail/core.h"
#include "client/jetstream/context.h"
#include "client/jetstream/json_codec.h"

namespace tern::client::jetstream {
namespace {

constexpr int kMaxHistory = 64;
constexpr std::string_view kOperationHeader = "KV-Operation";
constexpr std::string_view kDeleteOperation = "DEL";
constexpr std::string_view kPurgeOperation = "PURGE";
constexpr int kNotFoundStatus = 404;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

KeyValueOp operation_of(const Headers& headers) {
  const std::optional<std::string_view> op = headers.get(kOperationHeader);
  if (op == kDeleteOperation) return KeyValueOp::kDelete;
  if (op == kPurgeOperation) return KeyValueOp::kPurge;
  return KeyValueOp::kPut;
}

// A failed put-with-expectation is the server's "wrong last sequence": as nats.go, that means the key
// exists (create) or moved on (update).
std::error_code expectation_error(std::error_code error) {
  if (is_api_error(error, ApiErrc::kStreamWrongLastSequence)) return Errc::kKeyExists;
  return error;
}

}  // namespace

bool is_valid_bucket_name(std::string_view bucket) noexcept {
  return !bucket.empty() && std::all_of(bucket.begin(), bucket.end(), is_name_char);
}

bool is_valid_key(std::string_view key) noexcept {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return is_name_char(c) || c == '/' || c == '=' || c == '.'; });
}

// --- Buckets. ---

Expected<KeyValue> create_key_value(JetStream& js, const KeyValueConfig& config) {
  if (!is_valid_bucket_name(config.bucket)) return Errc::kInvalidName;
  if (config.history > kMaxHistory) return client::Errc::kInvalidArgument;
  StreamConfig stream;
  stream.name = "KV_" + config.bucket;
  stream.description = config.description;
  stream.subjects = {"$KV." + config.bucket + ".>"};
  stream.max_msgs_per_subject = std::max(config.history, 1);
  stream.max_bytes = config.max_bytes == 0 ? -1 : config.max_bytes;
  stream.max_age = config.ttl;
  stream.max_msg_size = config.max_value_size == 0 ? -1 : config.max_value_size;
  stream.storage = config.storage;
  stream.replicas = std::max(config.replicas, 1);
  stream.allow_rollup = true;
  stream.deny_delete = true;
  // As nats.go: the duplicate window is two minutes, or the TTL when that is shorter.
  stream.duplicate_window = std::chrono::minutes(2);
  if (config.ttl.count() > 0 && config.ttl < stream.duplicate_window) stream.duplicate_window = config.ttl;
  stream.max_msgs = -1;
  stream.max_consumers = -1;
  stream.allow_direct = true;
  stream.discard = DiscardPolicy::kNew;
  Expected<StreamInfo> info = js.add_stream(stream);
  if (!info) return info.error();
  return KeyValue(js, config.bucket, info->config.allow_direct);
}

Expected<KeyValue> key_value(JetStream& js, std::string_view bucket) {
  if (!is_valid_bucket_name(bucket)) return Errc::kInvalidName;
  Expected<StreamInfo> info = js.stream_info("KV_" + std::string(bucket));
  if (!info) {
    if (is_api_error(info.error(), ApiErrc::kStreamNotFound)) return Errc::kBucketNotFound;
    return info.error();
  }
  return KeyValue(js, std::string(bucket), info->config.allow_direct);
}

std::error_code delete_key_value(JetStream& js, std::string_view bucket) {
  if (!is_valid_bucket_name(bucket)) return Errc::kInvalidName;
  const std::error_code error = js.delete_stream("KV_" + std::string(bucket));
  if (is_api_error(error, ApiErrc::kStreamNotFound)) return Errc::kBucketNotFound;
  return error;
}

// --- Writes. ---

Expected<std::uint64_t> KeyValue::put(std::string_view key, std::string_view value) {
  if (!is_valid_key(key)) return Errc::kInvalidKey;
  Expected<PubAck> ack = js_.publish(prefix_ + std::string(key), value);
  if (!ack) return ack.error();
  return ack->sequence;
}

Expected<std::uint64_t> KeyValue::update(std::string_view key, std::string_view value,
                                         std::uint64_t last_revision) {
  if (!is_valid_key(key)) return Errc::kInvalidKey;
  PublishOptions options;
  options.expected_last_subject_sequence = last_revision;
  Expected<PubAck> ack = js_.publish(prefix_ + std::string(key), value, options);
  if (!ack) return expectation_error(ack.error());
  return ack->sequence;
}

Expected<std::uint64_t> KeyValue::create(std::string_view key, std::string_view value) {
  Expected<std::uint64_t> revision = update(key, value, 0);
  if (revision || revision.error() != Errc::kKeyExists) return revision;
  // The key may hold only a delete or purge marker: then it has no value and may be created, at the
  // marker's revision.
  Expected<KeyValueEntry> latest = get_entry(key, 0);
  if (latest && latest->op != KeyValueOp::kPut) return update(key, value, latest->revision);
  return Errc::kKeyExists;
}

std::error_code KeyValue::write_marker(std::string_view key, bool purge) {
  if (!is_valid_key(key)) return Errc::kInvalidKey;
  Headers headers;
  headers.set(std::string(kOperationHeader), std::string(purge ? kPurgeOperation : kDeleteOperation));
  if (purge) headers.set("Nats-Rollup", "sub");
  Expected<PubAck> ack = js_.publish(prefix_ + std::string(key), headers, {});
  return ack.error();
}

std::error_code KeyValue::erase(std::string_view key) {
  return write_marker(key, false);
}

std::error_code KeyValue::purge(std::string_view key) {
  return write_marker(key, true);
}

// --- Reads. ---

Expected<KeyValueEntry> KeyValue::get(std::string_view key) {
  Expected<KeyValueEntry> entry = get_entry(key, 0);
  if (entry && entry->op != KeyValueOp::kPut) return Errc::kKeyNotFound;
  return entry;
}

Expected<KeyValueEntry> KeyValue::get(std::string_view key, std::uint64_t revision) {
  if (revision == 0) return client::Errc::kInvalidArgument;
  Expected<KeyValueEntry> entry = get_entry(key, revision);
  if (entry && entry->op != KeyValueOp::kPut) return Errc::kKeyNotFound;
  return entry;
}

// The entry at `revision`, or the key's latest (revision 0), markers included.
Expected<KeyValueEntry> KeyValue::get_entry(std::string_view key, std::uint64_t revision) {
  if (!is_valid_key(key)) return Errc::kInvalidKey;
  const std::string subject = prefix_ + std::string(key);
  StoredMessage stored;
  if (allow_direct_) {
    // DIRECT.GET answers with the message itself and its place in Nats-* headers, or a 404 status.
    const auto& context = *js_.context();
    std::string request = context.prefix + "DIRECT.GET." + stream_;
    std::string body;
    if (revision == 0) {
      request += "." + subject;
    } else {
      body = json::write_message_get(revision, {});
    }
    Expected<client::Message> reply = context.request(request, nullptr, body, context.options.timeout);
    if (!reply) return reply.error();
    if (reply->headers.status() == kNotFoundStatus) return Errc::kKeyNotFound;
    if (reply->headers.status() != 0) return Errc::kInvalidResponse;
    const auto sequence = reply->headers.get("Nats-Sequence");
    const auto time = reply->headers.get("Nats-Time-Stamp");
    const auto stored_subject = reply->headers.get("Nats-Subject");
    if (!sequence || !stored_subject) return Errc::kInvalidResponse;
    stored.subject = *stored_subject;
    stored.sequence = std::strtoull(std::string(*sequence).c_str(), nullptr, 10);
    if (time) {
      if (Expected<SystemTime> parsed = json::parse_rfc3339(*time)) stored.time = *parsed;
    }
    stored.headers = std::move(reply->headers);
    stored.data = std::move(reply->data);
  } else {
    Expected<StoredMessage> message =
        revision == 0 ? js_.get_last_message(stream_, subject) : js_.get_message(stream_, revision);
    if (!message) {
      if (is_api_error(message.error(), ApiErrc::kMessageNotFound)) return Errc::kKeyNotFound;
      return message.error();
    }
    stored = std::move(*message);
  }
  if (stored.subject != subject) return Errc::kKeyNotFound;
  KeyValueEntry entry;
  entry.bucket = bucket_;
  entry.key = key;
  entry.value = std::move(stored.data);
  entry.revision = stored.sequence;
  entry.created = stored.time;
  entry.op = operation_of(stored.headers);
  return entry;
}

Expected<StreamInfo> KeyValue::status() {
  return js_.stream_info(stream_);
}

// --- Watches. ---

namespace {

struct WatchState {
  std::string bucket;
  std::string prefix;
  WatchOptions options;
  std::function<void(WatchUpdate)> handler;
  std::mutex mu;
  bool initial_done = false;

  // Marks the end of the initial values once; true when this call did.
  bool finish_initial() {
    std::lock_guard lock(mu);
    if (initial_done) return false;
    initial_done = true;
    return true;
  }

  void receive(Message message) {
    const std::optional<Metadata>& metadata = message.metadata();
    if (!metadata || message.subject().size() <= prefix.size()) return;
    KeyValueEntry entry;
    entry.bucket = bucket;
    entry.key = message.subject().substr(prefix.size());
    entry.op = operation_of(message.headers());
    entry.revision = metadata->stream_sequence;
    entry.created = metadata->timestamp;
    entry.delta = metadata->num_pending;
    entry.value = message.data();
    const bool last_initial = entry.delta == 0;
    if (!options.ignore_deletes || entry.op == KeyValueOp::kPut) handler(WatchUpdate{std::move(entry)});
    if (last_initial && finish_initial()) handler(WatchUpdate{});
  }
};

}  // namespace

Expected<KeyValueWatcher> KeyValue::watch(std::string_view key_pattern,
                                          std::function<void(WatchUpdate)> handler,
                                          const WatchOptions& options) {
  if (!handler || key_pattern.empty()) return client::Errc::kInvalidArgument;
  auto state = std::make_shared<WatchState>();
  state->bucket = bucket_;
  state->prefix = prefix_;
  state->options = options;
  state->handler = std::move(handler);
  OrderedOptions ordered;
  ordered.filter_subject = prefix_ + std::string(key_pattern);
  ordered.headers_only = options.meta_only;
  ordered.deliver_policy = options.updates_only      ? DeliverPolicy::kNew
                           : options.include_history ? DeliverPolicy::kAll
                                                     : DeliverPolicy::kLastPerSubject;
  Expected<OrderedConsumer> consumer = js_.ordered_consumer(
      stream_, ordered, [state](Message message) { state->receive(std::move(message)); });
  if (!consumer) return consumer.error();
  if (consumer->initial_pending() == 0) {
    // Nothing to replay: the end marker goes first, from the I/O thread like every other call.
    js_.context()->core->call_later(std::chrono::milliseconds(0), [state] {
      if (state->finish_initial()) state->handler(WatchUpdate{});
    });
  }
  return KeyValueWatcher(std::move(*consumer));
}

Expected<std::vector<KeyValueEntry>> KeyValue::collect(std::string_view key_pattern,
                                                       const WatchOptions& options) {
  struct Collected {
    std::mutex mu;
    std::vector<KeyValueEntry> entries;
    std::promise<void> done;
  };
  auto collected = std::make_shared<Collected>();
  std::future<void> done = collected->done.get_future();
  Expected<KeyValueWatcher> watcher = watch(
      key_pattern,
      [collected](WatchUpdate update) {
        if (!update.entry) return collected->done.set_value();
        std::lock_guard lock(collected->mu);
        collected->entries.push_back(std::move(*update.entry));
      },
      options);
  if (!watcher) return watcher.error();
  if (done.wait_for(js_.context()->options.timeout) != std::future_status::ready)
    return client::Errc::kTimeout;
  *watcher = KeyValueWatcher();  // Stopped before the entries are read: no handler runs any more.
  std::lock_guard lock(collected->mu);
  return std::move(collected->entries);
}

Expected<std::vector<std::string>> KeyValue::keys() {
  WatchOptions options;
  options.ignore_deletes = true;
  options.meta_only = true;
  Expected<std::vector<KeyValueEntry>> entries = collect(">", options);
  if (!entries) return entries.error();
  std::vector<std::string> keys;
  keys.reserve(entries->size());
  for (KeyValueEntry& entry : *entries)
    keys.push_back(std::move(entry.key));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Expected<std::vector<KeyValueEntry>> KeyValue::history(std::string_view key) {
  if (!is_valid_key(key)) return Errc::kInvalidKey;
  WatchOptions options;
  options.include_history = true;
  Expected<std::vector<KeyValueEntry>> entries = collect(key, options);
  if (entries && entries->empty()) return Errc::kKeyNotFound;
  return entries;
}

}  // namespace tern::client::jetstream
