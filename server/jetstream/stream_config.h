// A stream's configuration as nats-server 2.9.10's StreamConfig (stream.go), every field included, so
// that what ternd does not support (mirror, sources, republish, placement, templates) can be echoed or
// refused exactly as nats-server would. Reading from a request body and writing back as Go marshals it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/jetstream/api_error.h"
#include "server/monitor/json_writer.h"

namespace tern::server::jetstream {

enum class RetentionPolicy : std::uint8_t { kLimits, kInterest, kWorkQueue };
enum class DiscardPolicy : std::uint8_t { kOld, kNew };
// kUnset is Go's zero StorageType, which validation turns into kFile; "any" is accepted by the decoder.
enum class StorageType : std::uint8_t { kUnset, kFile, kMemory, kAny };

struct Placement {
  std::string cluster;
  std::optional<std::vector<std::string>> tags;  // nil and [] differ for reflect.DeepEqual.
  bool operator==(const Placement&) const = default;
};

struct ExternalStream {
  std::string api;
  std::string deliver;
  bool operator==(const ExternalStream&) const = default;
};

struct StreamSource {
  std::string name;
  std::uint64_t opt_start_seq = 0;
  // The time as the request gave it (RFC 3339); ternd refuses sourcing, so it is only compared.
  std::optional<std::string> opt_start_time;
  std::string filter_subject;
  std::optional<ExternalStream> external;
  bool operator==(const StreamSource&) const = default;
};

struct RePublish {
  std::string source;
  std::string destination;
  bool headers_only = false;
  bool operator==(const RePublish&) const = default;
};

struct StreamConfig {
  std::string name;
  std::string description;
  std::vector<std::string> subjects;
  RetentionPolicy retention = RetentionPolicy::kLimits;
  std::int64_t max_consumers = 0;
  std::int64_t max_msgs = 0;
  std::int64_t max_bytes = 0;
  std::int64_t max_age_ns = 0;
  std::int64_t max_msgs_per_subject = 0;
  std::int32_t max_msg_size = 0;
  DiscardPolicy discard = DiscardPolicy::kOld;
  StorageType storage = StorageType::kUnset;
  std::int64_t num_replicas = 0;
  bool no_ack = false;
  std::string template_owner;
  std::int64_t duplicate_window_ns = 0;
  std::optional<Placement> placement;
  std::optional<StreamSource> mirror;
  std::optional<std::vector<StreamSource>> sources;  // nil and [] differ for reflect.DeepEqual.
  std::optional<RePublish> republish;
  bool allow_direct = false;
  bool mirror_direct = false;
  bool discard_new_per_subject = false;
  bool sealed = false;
  bool deny_delete = false;
  bool deny_purge = false;
  bool allow_rollup_hdrs = false;

  // reflect.DeepEqual of two configurations: a CREATE of an existing stream succeeds only when the
  // validated request equals the stream's configuration.
  bool operator==(const StreamConfig&) const = default;
};

// Reads a STREAM.CREATE or STREAM.UPDATE body as json.Unmarshal(msg, &cfg) does into a zero
// StreamConfig. Returns 10025 "invalid JSON" where Go's decoder fails (not JSON, empty body, a value of
// the wrong type, an unknown retention/storage/discard text). `null` yields the zero configuration.
std::optional<ApiError> parse_stream_config(std::string_view body, StreamConfig& out);

// Writes the configuration as one JSON object value (after a key, or as an array element), in Go's
// field order and with its omitempty rules.
void write_stream_config(monitor::JsonWriter& json, const StreamConfig& config);

std::string_view retention_text(RetentionPolicy retention) noexcept;
std::string_view discard_text(DiscardPolicy discard) noexcept;
// kUnset writes as Go's marshaller refuses it; callers write validated configurations only.
std::string_view storage_text(StorageType storage) noexcept;

}  // namespace tern::server::jetstream
