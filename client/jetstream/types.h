// The JetStream API's configurations and answers as the client sees them: plain values, written to and
// read from the API's JSON by json_codec.h. Field names follow nats.go's (StreamConfig.MaxMsgsPerSubject
// is max_msgs_per_subject); durations are nanoseconds as on the wire, zero meaning "not set" wherever
// the server reads zero so.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/headers.h"

namespace tern::client::jetstream {

using Nanoseconds = std::chrono::nanoseconds;
using SystemTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

enum class RetentionPolicy : std::uint8_t { kLimits, kInterest, kWorkQueue };
enum class StorageType : std::uint8_t { kFile, kMemory };
enum class DiscardPolicy : std::uint8_t { kOld, kNew };
enum class DeliverPolicy : std::uint8_t {
  kAll,
  kLast,
  kNew,
  kByStartSequence,
  kByStartTime,
  kLastPerSubject
};
enum class AckPolicy : std::uint8_t { kNone, kAll, kExplicit };
enum class ReplayPolicy : std::uint8_t { kInstant, kOriginal };

struct Republish {
  std::string source;
  std::string destination;
  bool headers_only = false;
};

struct StreamConfig {
  std::string name;
  std::string description;
  std::vector<std::string> subjects;
  RetentionPolicy retention = RetentionPolicy::kLimits;
  std::int64_t max_consumers = -1;
  std::int64_t max_msgs = -1;
  std::int64_t max_bytes = -1;
  std::int64_t max_msgs_per_subject = -1;
  Nanoseconds max_age{0};
  std::int32_t max_msg_size = -1;
  DiscardPolicy discard = DiscardPolicy::kOld;
  StorageType storage = StorageType::kFile;
  int replicas = 1;
  bool no_ack = false;
  Nanoseconds duplicate_window{0};  // 0: the server's default (2 minutes).
  bool sealed = false;
  bool deny_delete = false;
  bool deny_purge = false;
  bool allow_rollup = false;  // allow_rollup_hdrs
  bool allow_direct = false;
  bool mirror_direct = false;
  std::optional<Republish> republish;
};

struct StreamState {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_seq = 0;
  SystemTime first_time{};
  std::uint64_t last_seq = 0;
  SystemTime last_time{};
  std::uint64_t num_deleted = 0;
  std::uint64_t num_subjects = 0;
  int consumer_count = 0;
};

struct StreamInfo {
  StreamConfig config;
  SystemTime created{};
  StreamState state;
};

struct ConsumerConfig {
  std::string durable_name;  // Empty: an ephemeral consumer, named by the server.
  std::string name;          // A name for an ephemeral consumer (servers since 2.9).
  std::string description;
  DeliverPolicy deliver_policy = DeliverPolicy::kAll;
  std::uint64_t opt_start_seq = 0;
  std::optional<SystemTime> opt_start_time;
  AckPolicy ack_policy = AckPolicy::kExplicit;
  Nanoseconds ack_wait{0};
  std::int64_t max_deliver = 0;  // 0: the server's default (-1, unlimited).
  std::vector<Nanoseconds> backoff;
  std::string filter_subject;
  ReplayPolicy replay_policy = ReplayPolicy::kInstant;
  std::uint64_t rate_limit_bps = 0;
  std::string sample_frequency;
  std::int64_t max_waiting = 0;      // Pull only. 0: the server's default (512).
  std::int64_t max_ack_pending = 0;  // 0: the server's default (1000, or none under ack_policy none).
  bool flow_control = false;         // Push only.
  Nanoseconds idle_heartbeat{0};     // Push only.
  bool headers_only = false;
  std::int64_t max_request_batch = 0;
  Nanoseconds max_request_expires{0};
  std::int64_t max_request_max_bytes = 0;
  std::string deliver_subject;  // Set for a push consumer.
  std::string deliver_group;
  Nanoseconds inactive_threshold{0};
  int num_replicas = 0;
  bool memory_storage = false;  // mem_storage
};

struct SequenceInfo {
  std::uint64_t consumer_seq = 0;
  std::uint64_t stream_seq = 0;
  std::optional<SystemTime> last_active;
};

struct ConsumerInfo {
  std::string stream_name;
  std::string name;
  SystemTime created{};
  ConsumerConfig config;
  SequenceInfo delivered;
  SequenceInfo ack_floor;
  std::uint64_t num_ack_pending = 0;
  std::uint64_t num_redelivered = 0;
  std::uint64_t num_waiting = 0;
  std::uint64_t num_pending = 0;
  bool push_bound = false;
};

struct AccountLimits {
  std::int64_t max_memory = -1;
  std::int64_t max_storage = -1;
  std::int64_t max_streams = -1;
  std::int64_t max_consumers = -1;
};

struct AccountInfo {
  std::uint64_t memory = 0;
  std::uint64_t storage = 0;
  std::uint64_t streams = 0;
  std::uint64_t consumers = 0;
  std::string domain;
  std::uint64_t api_total = 0;
  std::uint64_t api_errors = 0;
  AccountLimits limits;
};

// A stream's answer to a publish.
struct PubAck {
  std::string stream;
  std::uint64_t sequence = 0;
  bool duplicate = false;
  std::string domain;
};

// The expectations a publish may carry, sent as headers the stream checks before storing.
struct PublishOptions {
  std::string msg_id;                                           // Nats-Msg-Id: duplicates are dropped.
  std::string expected_stream;                                  // Nats-Expected-Stream
  std::optional<std::uint64_t> expected_last_sequence;          // Nats-Expected-Last-Sequence
  std::optional<std::uint64_t> expected_last_subject_sequence;  // Nats-Expected-Last-Subject-Sequence
  std::string expected_last_msg_id;                             // Nats-Expected-Last-Msg-Id
  // How long to wait for the PubAck; zero: the context's default.
  std::chrono::milliseconds timeout{0};
};

// What STREAM.PURGE removes: everything, or the messages of one subject, below a sequence, or all but
// the newest `keep`.
struct PurgeOptions {
  std::string subject;
  std::uint64_t sequence = 0;
  std::uint64_t keep = 0;
};

// A message read back from a stream by sequence or by last-per-subject.
struct StoredMessage {
  std::string subject;
  std::uint64_t sequence = 0;
  Headers headers;
  std::string data;
  SystemTime time{};
};

}  // namespace tern::client::jetstream
