// A consumer's configuration as nats-server 2.9.10's ConsumerConfig (consumer.go), every field included,
// read from a CONSUMER.CREATE body and written back as Go marshals it, and the checks nats-server runs on
// a create request, in its order:
//
//   1. parse_consumer_create_subject: which subscription the request subject reached, if any.
//   2. parse_create_consumer_request: json.Unmarshal of the body (10025).
//   3. check_consumer_create_request: the subject against the body (jsConsumerCreateRequest), before the
//      stream is looked up (10056, 10127, 10018, 10017, 10020, 10131, 10074).
//   4. The stream lookup (10059), by the caller.
//   5. prepare_consumer_config: setConsumerConfigDefaults and checkConsumerCfg against the stream.
//   6. If a consumer of that name exists: identical configurations succeed, else check_consumer_update
//      decides (10012 with a text, 10013), and the existing consumer takes the requested configuration
//      after stamp_inactive_threshold.
//   7. Otherwise check_new_consumer: the stream's consumer limit, work-queue rules, the name (10026,
//      10098..10103), then stamp_inactive_threshold, and make_ephemeral_name when nothing named it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/jetstream/api_error.h"
#include "server/jetstream/consumer_policies.h"
#include "server/jetstream/stream_config.h"
#include "server/monitor/json_writer.h"

namespace tern::server::jetstream {

// nats-server's defaults and limits (JsAckWaitDefault, JsDefaultMaxAckPending, JSWaitQueueDefaultMax,
// JsDeleteWaitTimeDefault, JSMaxDescriptionLen, JSMaxNameLen).
inline constexpr std::int64_t kDefaultAckWaitNs = 30'000'000'000;
inline constexpr std::int64_t kDefaultMaxAckPending = 1000;
inline constexpr std::int64_t kDefaultMaxWaiting = 512;
inline constexpr std::int64_t kDefaultInactiveThresholdNs = 5'000'000'000;
inline constexpr std::size_t kMaxDescriptionLength = 4096;
inline constexpr std::size_t kMaxNameLength = 255;

struct ConsumerConfig {
  std::string durable_name;
  std::string name;
  std::string description;
  DeliverPolicy deliver_policy = DeliverPolicy::kAll;
  std::uint64_t opt_start_seq = 0;
  std::optional<std::int64_t> opt_start_time;  // Unix nanoseconds.
  // The UTC offset opt_start_time was written with: Go keeps the zone of a parsed time and writes it
  // back ("2020-01-02T03:04:05.5+02:00" is echoed as given).
  std::int32_t opt_start_time_offset_s = 0;
  AckPolicy ack_policy = AckPolicy::kNone;
  std::int64_t ack_wait_ns = 0;
  std::int64_t max_deliver = 0;
  std::vector<std::int64_t> backoff_ns;
  std::string filter_subject;
  ReplayPolicy replay_policy = ReplayPolicy::kInstant;
  std::uint64_t rate_limit_bps = 0;
  std::string sample_freq;
  std::int64_t max_waiting = 0;
  std::int64_t max_ack_pending = 0;
  std::int64_t idle_heartbeat_ns = 0;
  bool flow_control = false;
  bool headers_only = false;
  std::int64_t max_batch = 0;
  std::int64_t max_expires_ns = 0;
  std::int64_t max_bytes = 0;
  std::string deliver_subject;
  std::string deliver_group;
  std::int64_t inactive_threshold_ns = 0;
  std::int64_t num_replicas = 0;
  bool mem_storage = false;
  bool direct = false;

  // reflect.DeepEqual of two configurations, which decides whether a create of an existing consumer is
  // a no-op. Go tells a nil backoff from an empty one; both are an empty vector here.
  bool operator==(const ConsumerConfig&) const = default;
};

std::string_view deliver_policy_text(DeliverPolicy policy) noexcept;
std::string_view ack_policy_text(AckPolicy policy) noexcept;
std::string_view replay_policy_text(ReplayPolicy policy) noexcept;

// Reads a CONSUMER.CREATE body as json.Unmarshal(msg, &CreateConsumerRequest) does: `stream_name` and
// `config`, keys matched case-insensitively, unknown keys ignored. 10025 "invalid JSON" where Go's decoder
// fails: not JSON, an empty body, a value of the wrong type, an unknown policy text (or null for one),
// an opt_start_time that is not RFC 3339. `null` yields an empty stream name and the zero configuration.
std::optional<ApiError> parse_create_consumer_request(std::string_view body, std::string& stream_name,
                                                      ConsumerConfig& out);

// Reads a bare configuration object (what write_consumer_config writes) with the same rules.
std::optional<ApiError> parse_consumer_config(std::string_view body, ConsumerConfig& out);

// Writes the configuration as one JSON object value, in Go's field order and with its omitempty rules.
void write_consumer_config(monitor::JsonWriter& json, const ConsumerConfig& config);

// What a create request's subject says. Views into the subject.
struct ConsumerCreateSubject {
  std::string_view stream;
  std::string_view name;        // Empty for `$JS.API.CONSUMER.CREATE.<stream>` (the legacy ephemeral form).
  std::string_view filter;      // The tokens after the name, joined by '.', or empty.
  bool legacy_durable = false;  // `$JS.API.CONSUMER.DURABLE.CREATE.<stream>.<durable>`.
};

// nats-server subscribes `$JS.API.CONSUMER.CREATE.*`, `$JS.API.CONSUMER.CREATE.*.>` and
// `$JS.API.CONSUMER.DURABLE.CREATE.*.*`; any other subject (or one with an empty token, which is routed
// nowhere) gets no reply: nullopt.
std::optional<ConsumerCreateSubject> parse_consumer_create_subject(std::string_view api_subject);

// jsConsumerCreateRequest's checks of the subject against the body, in its order, before the stream is
// looked up: 10056 stream name mismatch, 10127 path separators in the subject's name, 10018/10017 for the
// legacy durable form, 10017 durable vs name in the new form, 10020 durable in the legacy ephemeral form,
// 10131 filter mismatch, 10074 num_replicas > 1. The new form also sets config.name to the subject's name.
std::optional<ApiError> check_consumer_create_request(const ConsumerCreateSubject& subject,
                                                      std::string_view request_stream_name,
                                                      ConsumerConfig& config);

// setConsumerConfigDefaults and then checkConsumerCfg against the stream's configuration. Defaults:
// max_waiting 512 for pull, ack_wait 30s when acks are on, max_deliver -1, ack_wait = backoff[0],
// max_ack_pending 1000 when acks are on. Checks, first failure wins: 10126 replicas above the stream's,
// 10133 negative replicas, 10116 backoff vs max_deliver, 10107 description; push: 10079, 10112, 10081
// (cycle), 10080, 10082, 10083; pull: 10084 (work queue without acks), 10086, 10087, 10088, 10089, 10114,
// 10115; 10090/10091 direct; 10093 filter outside the stream's subjects (skipped when `recovering`, as
// nats-server skips it for stored consumers); 10094 deliver policy vs opt_start_*; 10095 sample_freq;
// 10108 flow control without heartbeat; 10132 durable_name and name differ. ternd has no server or
// account limits, so the checks against them (10121, 10125) never fail.
std::optional<ApiError> prepare_consumer_config(ConsumerConfig& config, const StreamConfig& stream,
                                                bool recovering = false);

// checkNewConsumerConfig: whether an existing consumer may take `requested` (already prepared). Identical
// configurations pass. May change: description, ack_wait, max_deliver, backoff, filter_subject,
// rate_limit_bps, sample_freq, max_ack_pending, headers_only, max_batch, max_expires, max_bytes,
// deliver_group, inactive_threshold, num_replicas, mem_storage, direct, and a push consumer's
// deliver_subject while nobody listens on the old one (`old_deliver_subject_has_interest`, else 10013).
// May not, in this order, each answered 10012 with the text: deliver policy, start sequence, start time
// (nats-server compares the two *time.Time pointers, so a consumer with opt_start_time refuses every
// non-identical request), ack policy, replay policy, heart beats, flow control, max waiting, then
// pull to push or push to pull. 10116 last, for backoff vs max_deliver.
std::optional<ApiError> check_consumer_update(const ConsumerConfig& existing, const ConsumerConfig& requested,
                                              bool old_deliver_subject_has_interest = false);

// addConsumerWithAssignment's checks for a consumer that does not exist yet, after the configuration's:
// 10026 the stream's max_consumers, then on a work-queue stream (unless direct) 10098 explicit ack,
// 10099 a second unfiltered consumer, 10100 a filter that is a subset or superset of another's (nats-server
// 2.9.10 misses overlaps that are neither, "wq.*.x" and "wq.a.>"), 10101 deliver all; then the name: 10102
// a durable name over 255 bytes, 10103 a name with whitespace, '.', '*' or '>', and 10012 "error creating
// store for consumer" for a longer non-durable name that nats-server's file store cannot make a
// directory for. `existing` are the stream's consumers' configurations; `name` is the consumer's name
// (durable name, else config.name), empty when the server will make one up.
std::optional<ApiError> check_new_consumer(const ConsumerConfig& config, std::string_view name,
                                           const StreamConfig& stream,
                                           const std::vector<const ConsumerConfig*>& existing);

// updateInactiveThreshold's stamp, on a new consumer and on an update: a non-durable consumer without a
// positive inactive_threshold gets 5s. (nats-server adds jitter to the timer it arms, not to the config.)
void stamp_inactive_threshold(ConsumerConfig& config) noexcept;

// nats-server's isValidName: non-empty, without whitespace, '.', '*' or '>'.
bool is_valid_consumer_name(std::string_view name) noexcept;

// A name for an ephemeral consumer the request did not name: 8 characters of [0-9A-Za-z], as
// createConsumerName makes them (a hash of a NUID in base 62).
std::string make_ephemeral_name();

}  // namespace tern::server::jetstream
