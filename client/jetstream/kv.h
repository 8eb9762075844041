// Key-value buckets on JetStream, as nats.go lays them out: bucket `B` is the stream `KV_B` over the
// subjects `$KV.B.>`, a key's history is its subject's messages (max_msgs_per_subject deep), and a delete
// or purge is a marker message with the `KV-Operation` header. Buckets made here and by nats.go, libnats
// or the `nats` CLI are the same.
//
//   auto kv = js.create_key_value({.bucket = "config", .history = 5});
//   kv->put("db.url", "postgres://...");
//   auto entry = kv->get("db.url");                       // entry->value, entry->revision
//   auto watcher = kv->watch("db.>", [](KeyValue::Update u) { ... });
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/error.h"
#include "client/jetstream/jetstream.h"
#include "client/jetstream/types.h"

namespace tern::client::jetstream {

struct KeyValueConfig {
  std::string bucket;  // Letters, digits, `_` and `-`.
  std::string description;
  int history = 1;  // Values kept per key, 1 to 64.
  Nanoseconds ttl{0};
  std::int32_t max_value_size = -1;
  std::int64_t max_bytes = -1;
  StorageType storage = StorageType::kFile;
  int replicas = 1;
};

enum class KeyValueOp : std::uint8_t { kPut, kDelete, kPurge };

struct KeyValueEntry {
  std::string bucket;
  std::string key;
  std::string value;
  std::uint64_t revision = 0;
  SystemTime created{};
  std::uint64_t delta = 0;  // Watch only: how many newer entries the bucket held when this was sent.
  KeyValueOp op = KeyValueOp::kPut;
};

struct WatchOptions {
  bool include_history = false;  // Every kept value, not only each key's latest.
  bool ignore_deletes = false;   // Skip delete and purge markers.
  bool meta_only = false;        // Entries without their values.
  bool updates_only = false;     // Nothing already stored: only what is written from now on.
};

// One call of a watcher's handler: an entry, or (once, with `entry` empty) the end of the initial
// values, after which every call is a live change.
struct WatchUpdate {
  std::optional<KeyValueEntry> entry;
};

// A watch's handle: move-only; destroying it stops the watch (no handler runs after).
class KeyValueWatcher {
 public:
  KeyValueWatcher() = default;
  explicit KeyValueWatcher(OrderedConsumer consumer) : consumer_(std::move(consumer)) {}
  bool valid() const noexcept { return consumer_.valid(); }

 private:
  OrderedConsumer consumer_;
};

class KeyValue {
 public:
  KeyValue(JetStream js, std::string bucket, bool allow_direct)
      : js_(std::move(js)),
        bucket_(std::move(bucket)),
        stream_("KV_" + bucket_),
        prefix_("$KV." + bucket_ + "."),
        allow_direct_(allow_direct) {}

  const std::string& bucket() const noexcept { return bucket_; }

  // Returns the new revision.
  Expected<std::uint64_t> put(std::string_view key, std::string_view value);
  // Only when the key has no value (never written, deleted or purged); else Errc::kKeyExists.
  Expected<std::uint64_t> create(std::string_view key, std::string_view value);
  // Only when the key's latest revision is `last_revision`; else Errc::kKeyExists.
  Expected<std::uint64_t> update(std::string_view key, std::string_view value, std::uint64_t last_revision);
  // The latest value, or one revision. Errc::kKeyNotFound when there is none or it was deleted.
  Expected<KeyValueEntry> get(std::string_view key);
  Expected<KeyValueEntry> get(std::string_view key, std::uint64_t revision);
  // Leaves a delete marker; the history stays.
  std::error_code erase(std::string_view key);
  // Leaves a purge marker and removes the key's history.
  std::error_code purge(std::string_view key);
  // Every key with a value (not deleted), sorted.
  Expected<std::vector<std::string>> keys();
  // Every kept entry of the key, oldest first; Errc::kKeyNotFound when there are none.
  Expected<std::vector<KeyValueEntry>> history(std::string_view key);
  // Calls `handler` on the I/O thread for each current entry matching `key_pattern` (`*` and `>` as in
  // subjects), then once with an empty update, then for each change.
  Expected<KeyValueWatcher> watch(std::string_view key_pattern, std::function<void(WatchUpdate)> handler,
                                  const WatchOptions& options = {});
  Expected<StreamInfo> status();

 private:
  Expected<KeyValueEntry> get_entry(std::string_view key, std::uint64_t revision);
  std::error_code write_marker(std::string_view key, bool purge);
  // Collects a watch's initial entries and returns them once the end marker comes.
  Expected<std::vector<KeyValueEntry>> collect(std::string_view key_pattern, const WatchOptions& options);

  JetStream js_;
  std::string bucket_;
  std::string stream_;  // KV_<bucket>
  std::string prefix_;  // $KV.<bucket>.
  bool allow_direct_ = false;
};

// Bucket management, beside the stream calls of JetStream.
Expected<KeyValue> create_key_value(JetStream& js, const KeyValueConfig& config);
// Binds to an existing bucket: Errc::kBucketNotFound when there is none.
Expected<KeyValue> key_value(JetStream& js, std::string_view bucket);
std::error_code delete_key_value(JetStream& js, std::string_view bucket);

// nats.go's rules: a bucket of letters, digits, `_` and `-`; a key of those and `/`, `=` and `.`, not
// starting or ending with `.`.
bool is_valid_bucket_name(std::string_view bucket) noexcept;
bool is_valid_key(std::string_view key) noexcept;

}  // namespace tern::client::jetstream
