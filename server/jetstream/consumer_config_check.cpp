// The checks of a consumer create request, in nats-server 2.9.10's order (jetstream_api.go
// jsConsumerCreateRequest, consumer.go setConsumerConfigDefaults, checkConsumerCfg,
// addConsumerWithAssignment and checkNewConsumerConfig).
#include <limits>
#include <random>

#include "server/jetstream/consumer_config.h"
#include "server/jetstream/stream_config_check.h"
#include "server/jetstream/subjects.h"

namespace tern::server::jetstream {

namespace {

constexpr std::string_view kConsumerPrefix = "$JS.API.CONSUMER.";
constexpr std::int64_t kMinHeartbeatNs = 100'000'000;
constexpr std::int64_t kMinRequestExpiresNs = 1'000'000;

bool is_push(const ConsumerConfig& config) {
  return !config.deliver_subject.empty();
}

bool acks(const ConsumerConfig& config) {
  return config.ack_policy == AckPolicy::kExplicit || config.ack_policy == AckPolicy::kAll;
}

// Splits `text` at '.'; false when a token is empty (such a subject reaches no subscription).
bool split_tokens(std::string_view text, std::vector<std::string_view>& tokens) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view token =
        text.substr(start, dot == std::string_view::npos ? text.npos : dot - start);
    if (token.empty()) return false;
    tokens.push_back(token);
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// strconv.Atoi: an optional sign and decimal digits within int64. The error text is Go's.
std::optional<std::string> go_atoi(std::string_view text, std::int64_t& out) {
  const std::string prefix = "strconv.Atoi: parsing " + go_quote(text) + ": ";
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return prefix + "invalid syntax";
  std::uint64_t value = 0;
  bool overflow = false;
  for (const char c : digits) {
    if (c < '0' || c > '9') return prefix + "invalid syntax";
    if (value > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) overflow = true;
    if (!overflow) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  if (overflow || value > limit) return prefix + "value out of range";
  out = negative ? static_cast<std::int64_t>(~value + 1) : static_cast<std::int64_t>(value);
  return std::nullopt;
}

// validFilteredSubject: a valid subject within (or, with wildcards, around) one of the stream's subjects.
bool valid_filtered_subject(std::string_view filter, const std::vector<std::string>& subjects) {
  if (!is_valid_subject(filter)) return false;
  const bool wildcard = subject_has_wildcard(filter);
  for (const auto& subject : subjects) {
    if (subject_is_subset_match(filter, subject)) return true;
    if (wildcard && subject_is_subset_match(subject, filter)) return true;
  }
  return false;
}

std::optional<ApiError> bad_start(std::string_view policy, std::string_view start) {
  return api_errors::consumer_invalid_policy("consumer delivery policy is deliver " + std::string(policy) +
                                             ", but optional start " + std::string(start) + " is also set");
}

std::optional<ApiError> not_set(std::string_view policy, std::string_view what) {
  return api_errors::consumer_invalid_policy("consumer delivery policy is deliver " + std::string(policy) +
                                             ", but optional " + std::string(what) + " is not set");
}

std::optional<ApiError> check_start_position(const ConsumerConfig& config) {
  const bool seq = config.opt_start_seq > 0;
  const bool time = config.opt_start_time.has_value();
  switch (config.deliver_policy) {
    case DeliverPolicy::kAll:
      if (seq) return bad_start("all", "sequence");
      if (time) return bad_start("all", "time");
      break;
    case DeliverPolicy::kLast:
      if (seq) return bad_start("last", "sequence");
      if (time) return bad_start("last", "time");
      break;
    case DeliverPolicy::kLastPerSubject:
      if (seq) return bad_start("last per subject", "sequence");
      if (time) return bad_start("last per subject", "time");
      if (config.filter_subject.empty()) return not_set("last per subject", "filter subject");
      break;
    case DeliverPolicy::kNew:
      if (seq) return bad_start("new", "sequence");
      if (time) return bad_start("new", "time");
      break;
    case DeliverPolicy::kByStartSequence:
      if (!seq) return not_set("by start sequence", "start sequence");
      if (time) return bad_start("by start sequence", "time");
      break;
    case DeliverPolicy::kByStartTime:
      if (!time) return not_set("by start time", "start time");
      // nats-server's text says "start start sequence".
      if (config.opt_start_seq != 0) return bad_start("by start time", "start sequence");
      break;
  }
  return std::nullopt;
}

std::optional<ApiError> check_push(const ConsumerConfig& config, const StreamConfig& stream) {
  if (subject_has_wildcard(config.deliver_subject)) return api_errors::consumer_deliver_to_wildcards();
  if (!is_valid_subject(config.deliver_subject)) return api_errors::consumer_invalid_deliver_subject();
  for (const auto& subject : stream.subjects) {
    if (subject_is_subset_match(config.deliver_subject, subject)) return api_errors::consumer_deliver_cycle();
  }
  if (config.max_waiting != 0) return api_errors::consumer_push_max_waiting();
  if (config.max_ack_pending > 0 && config.ack_policy == AckPolicy::kNone)
    return api_errors::consumer_max_pending_ack_policy_required();
  if (config.idle_heartbeat_ns > 0 && config.idle_heartbeat_ns < kMinHeartbeatNs)
    return api_errors::consumer_small_heartbeat();
  return std::nullopt;
}

std::optional<ApiError> check_pull(const ConsumerConfig& config, const StreamConfig& stream) {
  if (config.ack_policy == AckPolicy::kNone && stream.retention == RetentionPolicy::kWorkQueue)
    return api_errors::consumer_pull_requires_ack();
  if (config.rate_limit_bps > 0) return api_errors::consumer_pull_with_rate_limit();
  if (config.max_waiting < 0) return api_errors::consumer_max_waiting_negative();
  if (config.idle_heartbeat_ns > 0) return api_errors::consumer_hb_requires_push();
  if (config.flow_control) return api_errors::consumer_fc_requires_push();
  if (config.max_batch < 0) return api_errors::consumer_max_request_batch_negative();
  if (config.max_expires_ns != 0 && config.max_expires_ns < kMinRequestExpiresNs)
    return api_errors::consumer_max_request_expires_too_small();
  return std::nullopt;
}

}  // namespace

std::optional<ConsumerCreateSubject> parse_consumer_create_subject(std::string_view api_subject) {
  if (api_subject.substr(0, kConsumerPrefix.size()) != kConsumerPrefix) return std::nullopt;
  std::vector<std::string_view> tokens;
  if (!split_tokens(api_subject.substr(kConsumerPrefix.size()), tokens)) return std::nullopt;
  ConsumerCreateSubject out;
  if (tokens[0] == "DURABLE") {
    if (tokens.size() != 4 || tokens[1] != "CREATE") return std::nullopt;
    out.stream = tokens[2];
    out.name = tokens[3];
    out.legacy_durable = true;
    return out;
  }
  if (tokens[0] != "CREATE" || tokens.size() < 2) return std::nullopt;
  out.stream = tokens[1];
  if (tokens.size() >= 3) out.name = tokens[2];
  if (tokens.size() >= 4) {
    const char* begin = tokens[3].data();
    out.filter =
        std::string_view(begin, static_cast<std::size_t>(api_subject.data() + api_subject.size() - begin));
  }
  return out;
}

std::optional<ApiError> check_consumer_create_request(const ConsumerCreateSubject& subject,
                                                      std::string_view request_stream_name,
                                                      ConsumerConfig& config) {
  if (subject.stream != request_stream_name) return api_errors::stream_mismatch();
  if (subject.name.find_first_of("\\/") != std::string_view::npos)
    return api_errors::consumer_name_contains_path_separators();
  if (subject.legacy_durable) {
    if (config.durable_name.empty()) return api_errors::consumer_durable_name_not_set();
    if (subject.name != config.durable_name) return api_errors::consumer_durable_name_not_match_subject();
  } else if (!subject.name.empty()) {
    if (!config.durable_name.empty() && subject.name != config.durable_name)
      return api_errors::consumer_durable_name_not_match_subject();
    // The new form names the consumer, whatever the body's name said.
    config.name = std::string(subject.name);
  } else if (!config.durable_name.empty()) {
    return api_errors::consumer_ephemeral_with_durable_name();
  }
  if (!subject.filter.empty() && config.filter_subject != subject.filter)
    return api_errors::consumer_create_filter_subject_mismatch();
  if (config.num_replicas > 1) return api_errors::replicas_not_supported();
  return std::nullopt;
}

std::optional<ApiError> prepare_consumer_config(ConsumerConfig& config, const StreamConfig& stream,
                                                bool recovering) {
  // setConsumerConfigDefaults, without server or account limits.
  if (!is_push(config) && config.max_waiting == 0) config.max_waiting = kDefaultMaxWaiting;
  if (config.ack_wait_ns == 0 && acks(config)) config.ack_wait_ns = kDefaultAckWaitNs;
  if (config.max_deliver == 0) config.max_deliver = -1;
  if (!config.backoff_ns.empty()) config.ack_wait_ns = config.backoff_ns.front();
  if (acks(config) && config.max_ack_pending == 0) config.max_ack_pending = kDefaultMaxAckPending;

  // checkConsumerCfg.
  if (config.num_replicas > 0 && config.num_replicas > stream.num_replicas)
    return api_errors::consumer_replicas_exceeds_stream();
  if (config.num_replicas < 0) return api_errors::replicas_count_negative();
  if (const auto backoffs = static_cast<std::int64_t>(config.backoff_ns.size());
      backoffs > 0 && config.max_deliver <= backoffs)
    return api_errors::consumer_max_deliver_backoff();
  if (config.description.size() > kMaxDescriptionLength)
    return api_errors::consumer_description_too_long(kMaxDescriptionLength);
  if (auto error = is_push(config) ? check_push(config, stream) : check_pull(config, stream)) return error;
  if (config.direct) {
    if (!is_push(config)) return api_errors::consumer_direct_requires_push();
    if (!config.durable_name.empty()) return api_errors::consumer_direct_requires_ephemeral();
  }
  // ternd refuses mirrors and sources, so the stream's own subjects are all the interest there is.
  if (!config.filter_subject.empty() && !recovering &&
      !valid_filtered_subject(config.filter_subject, stream.subjects))
    return api_errors::consumer_filter_not_subset();
  if (auto error = check_start_position(config)) return error;
  if (!config.sample_freq.empty()) {
    std::string_view text = config.sample_freq;
    if (text.ends_with('%')) text.remove_suffix(1);
    std::int64_t frequency = 0;
    if (auto error = go_atoi(text, frequency)) return api_errors::consumer_invalid_sampling(*error);
    // nats-server formats the nil error it has in this case.
    if (frequency < 0) return api_errors::consumer_invalid_sampling("<nil>");
  }
  if (config.flow_control && config.idle_heartbeat_ns == 0)
    return api_errors::consumer_with_flow_control_needs_heartbeats();
  if (!config.durable_name.empty() && !config.name.empty() && config.name != config.durable_name)
    return api_errors::consumer_create_durable_and_name_mismatch();
  return std::nullopt;
}

std::optional<ApiError> check_consumer_update(const ConsumerConfig& existing, const ConsumerConfig& requested,
                                              bool old_deliver_subject_has_interest) {
  if (existing == requested) return std::nullopt;
  auto refuse = [](std::string_view text) { return api_errors::consumer_create(text); };
  if (existing.deliver_policy != requested.deliver_policy) return refuse("deliver policy can not be updated");
  if (existing.opt_start_seq != requested.opt_start_seq) return refuse("start sequence can not be updated");
  // Two parsed times are two pointers in nats-server, never equal; only both unset compare equal.
  if (existing.opt_start_time || requested.opt_start_time) return refuse("start time can not be updated");
  if (existing.ack_policy != requested.ack_policy) return refuse("ack policy can not be updated");
  if (existing.replay_policy != requested.replay_policy) return refuse("replay policy can not be updated");
  if (existing.idle_heartbeat_ns != requested.idle_heartbeat_ns)
    return refuse("heart beats can not be updated");
  if (existing.flow_control != requested.flow_control) return refuse("flow control can not be updated");
  if (existing.max_waiting != requested.max_waiting) return refuse("max waiting can not be updated");
  if (existing.deliver_subject != requested.deliver_subject) {
    if (existing.deliver_subject.empty()) return refuse("can not update pull consumer to push based");
    if (requested.deliver_subject.empty()) return refuse("can not update push consumer to pull based");
    if (old_deliver_subject_has_interest) return api_errors::consumer_name_exist();
  }
  if (const auto backoffs = static_cast<std::int64_t>(requested.backoff_ns.size());
      backoffs > 0 && requested.max_deliver <= backoffs)
    return api_errors::consumer_max_deliver_backoff();
  return std::nullopt;
}

std::optional<ApiError> check_new_consumer(const ConsumerConfig& config, std::string_view name,
                                           const StreamConfig& stream,
                                           const std::vector<const ConsumerConfig*>& existing) {
  std::int64_t public_consumers = 0;
  for (const ConsumerConfig* other : existing) {
    if (!other->direct) ++public_consumers;
  }
  if (stream.max_consumers > 0 && public_consumers >= stream.max_consumers)
    return api_errors::maximum_consumers_limit();
  if (stream.retention == RetentionPolicy::kWorkQueue && !config.direct) {
    if (config.ack_policy != AckPolicy::kExplicit) return api_errors::consumer_wq_requires_explicit_ack();
    if (!existing.empty()) {
      if (config.filter_subject.empty()) return api_errors::consumer_wq_multiple_unfiltered();
      // partitionUnique: an unfiltered consumer, or a filter contained in the other, is a conflict.
      for (const ConsumerConfig* other : existing) {
        if (other->filter_subject.empty() ||
            subject_is_subset_match(config.filter_subject, other->filter_subject) ||
            subject_is_subset_match(other->filter_subject, config.filter_subject))
          return api_errors::consumer_wq_not_unique();
      }
    }
    if (config.deliver_policy != DeliverPolicy::kAll) return api_errors::consumer_wq_not_deliver_all();
  }
  if (!config.durable_name.empty() && config.durable_name.size() > kMaxNameLength)
    return api_errors::consumer_name_too_long(kMaxNameLength);
  if (name.empty()) return std::nullopt;
  if (!is_valid_consumer_name(name)) return api_errors::consumer_bad_durable_name();
  // nats-server makes a directory named after the consumer in a file stream, which fails past 255 bytes.
  if (name.size() > kMaxNameLength && stream.storage != StorageType::kMemory && !config.mem_storage &&
      !config.direct)
    return api_errors::consumer_create("error creating store for consumer");
  return std::nullopt;
}

void stamp_inactive_threshold(ConsumerConfig& config) noexcept {
  if (config.durable_name.empty() && config.inactive_threshold_ns <= 0)
    config.inactive_threshold_ns = kDefaultInactiveThresholdNs;
}

bool is_valid_consumer_name(std::string_view name) noexcept {
  return !name.empty() && name.find_first_of(" \t\r\n\f.*>") == std::string_view::npos;
}

std::string make_ephemeral_name() {
  static constexpr std::string_view kDigits =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, kDigits.size() - 1);
  std::string name(8, '0');
  for (char& c : name)
    c = kDigits[pick(random)];
  return name;
}

}  // namespace tern::server::jetstream
