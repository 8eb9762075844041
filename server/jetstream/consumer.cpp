// A consumer's life and its wire events: starting position, acks, pull requests, flow control,
// interest. Delivery itself is in consumer_delivery.cpp.
#include "server/jetstream/consumer.h"

#include <algorithm>

#include "protocol/subject.h"
#include "server/internal_client.h"
#include "server/jetstream/ack_protocol.h"
#include "server/jetstream/jetstream.h"
#include "server/jetstream/pull_request.h"
#include "server/jetstream/status_messages.h"
#include "server/jetstream/stream.h"
#include "server/log.h"

namespace tern::server::jetstream {

namespace {

// nats-server's flow-control window: it starts at 1/16 of 32 MiB and doubles with every answered
// request up to 32 MiB (JsFlowControlMaxPending, setMaxPendingBytes).
constexpr std::int64_t kFlowControlMaxPending = 32 * 1024 * 1024;

AckTracker::Settings tracker_settings(const ConsumerConfig& config) {
  AckTracker::Settings settings;
  settings.ack_policy = config.ack_policy;
  settings.ack_wait_ns = config.ack_wait_ns;
  settings.backoff_ns = config.backoff_ns;
  settings.max_deliver = config.max_deliver;
  settings.max_ack_pending = config.max_ack_pending;
  return settings;
}

}  // namespace

Consumer::Consumer(JetStream& service, Stream& stream, std::string name, ConsumerConfig config,
                   std::int64_t created_ns, std::uint64_t id)
    : service_(service),
      stream_(stream),
      id_(id),
      name_(std::move(name)),
      config_(std::move(config)),
      created_ns_(created_ns),
      tracker_(tracker_settings(config_)) {
  ack_prefix_ = "$JS.ACK." + stream_.name() + "." + name_ + ".";
  filter_wildcard_ = !config_.filter_subject.empty() && protocol::has_wildcard(config_.filter_subject);
  if (config_.flow_control) {
    pending_bytes_limit_ = kFlowControlMaxPending;
    max_pending_bytes_ = kFlowControlMaxPending / 16;
  }
}

Consumer::~Consumer() {
  stop(false);
}

bool Consumer::is_persisted() const noexcept {
  return is_durable() && !config_.mem_storage && stream_.config().storage != StorageType::kMemory;
}

std::string Consumer::directory() const {
  return service_.root() + "/" + stream_.name() + "/obs/" + name_;
}

bool Consumer::start(const ConsumerStateRecord* recovered, std::int64_t now_ns) {
  InternalClient& client = service_.client();
  std::weak_ptr<Consumer> weak = weak_from_this();
  Subscription* acks =
      client.subscribe(ack_prefix_ + ">", {}, [weak](const Subscription&, const RoutedMessage& msg) {
        if (auto self = weak.lock()) self->process_ack(msg);
      });
  if (acks == nullptr) return false;
  subscriptions_.push_back(acks);
  if (config_.flow_control && !is_pull()) {
    Subscription* fc = client.subscribe("$JS.FC." + stream_.name() + "." + name_ + ".>", {},
                                        [weak](const Subscription&, const RoutedMessage& msg) {
                                          if (auto self = weak.lock())
                                            self->process_flow_control(msg.subject);
                                        });
    if (fc == nullptr) {
      stop(false);
      return false;
    }
    subscriptions_.push_back(fc);
  }
  if (recovered != nullptr) {
    std::vector<std::pair<std::uint64_t, AckTracker::Pending>> pending;
    pending.reserve(recovered->pending.size());
    for (const PendingEntry& entry : recovered->pending)
      pending.emplace_back(entry.stream_seq, AckTracker::Pending{entry.consumer_seq, entry.timestamp_ns});
    tracker_.restore(recovered->delivered_stream_seq + 1, recovered->delivered_consumer_seq + 1,
                     recovered->ack_floor_consumer_seq, recovered->ack_floor_stream_seq, std::move(pending),
                     recovered->redelivered);
    // Messages that left the stream while the server was down are forgotten.
    const stream::StoreState state = stream_.store().state();
    if (state.first_seq > 0) tracker_.purge_below(state.first_seq);
  } else {
    select_start(now_ns);
  }
  last_active_ns_ = now_ns;
  last_request_ns_ = now_ns;
  num_pending_stale_ = true;
  if (!is_pull()) {
    check_interest();
    if (config_.idle_heartbeat_ns > 0) next_heartbeat_ns_ = now_ns + config_.idle_heartbeat_ns;
  }
  if (config_.inactive_threshold_ns > 0) next_interest_check_ns_ = now_ns + config_.inactive_threshold_ns;
  mark_state_dirty();
  signal();
  return true;
}

void Consumer::stop(bool deleted) noexcept {
  if (stopped_) return;
  stopped_ = true;
  for (Subscription* sub : subscriptions_)
    service_.client().unsubscribe(sub);
  subscriptions_.clear();
  if (deleted) {
    for (const WaitingRequest& request : waiting_)
      send_status(request.reply, kStatusConsumerDeleted);
  }
  waiting_.clear();
}

// selectStartingSeqNo.
void Consumer::select_start(std::int64_t now_ns) {
  stream::StreamStore& store = stream_.store();
  const stream::StoreState state = store.state();
  std::uint64_t seq = 1;
  if (config_.opt_start_seq != 0) {
    seq = config_.opt_start_seq;
  } else {
    switch (config_.deliver_policy) {
      case DeliverPolicy::kAll:
        seq = state.first_seq;
        break;
      case DeliverPolicy::kLast:
        seq = state.last_seq;
        if (!config_.filter_subject.empty()) seq = store.filtered_state(config_.filter_subject, 1).last_seq;
        break;
      case DeliverPolicy::kLastPerSubject: {
        std::vector<std::uint64_t> lasts;
        store.for_each_subject(config_.filter_subject,
                               [&lasts](std::string_view, const stream::SubjectState& s) {
                                 lasts.push_back(s.last_seq);
                                 return true;
                               });
        if (!lasts.empty()) {
          std::sort(lasts.begin(), lasts.end());
          last_per_subject_.assign(lasts.begin(), lasts.end());
          resume_after_last_per_subject_ = state.last_seq;
          seq = lasts.front();
        } else {
          seq = state.last_seq;
        }
        break;
      }
      case DeliverPolicy::kByStartTime:
        seq = config_.opt_start_time ? store.seq_for_time(*config_.opt_start_time) : state.last_seq + 1;
        break;
      case DeliverPolicy::kNew:
      case DeliverPolicy::kByStartSequence:
        seq = state.last_seq + 1;
        break;
    }
  }
  if (state.first_seq == 0) {
    seq = 1;
  } else if (seq < state.first_seq) {
    seq = state.first_seq;
  } else if (seq > state.last_seq) {
    seq = state.last_seq + 1;
  }
  tracker_.start_at(seq);
  if (config_.replay_policy == ReplayPolicy::kOriginal) replay_until_seq_ = state.last_seq;
  (void)now_ns;
}

void Consumer::update(ConsumerConfig config, std::int64_t now_ns) {
  const bool heartbeat_changed = config.idle_heartbeat_ns != config_.idle_heartbeat_ns;
  config_ = std::move(config);
  tracker_.update_settings(tracker_settings(config_));
  filter_wildcard_ = !config_.filter_subject.empty() && protocol::has_wildcard(config_.filter_subject);
  num_pending_stale_ = true;
  mark_state_dirty();
  if (heartbeat_changed)
    next_heartbeat_ns_ = config_.idle_heartbeat_ns > 0 ? now_ns + config_.idle_heartbeat_ns : 0;
  if (!is_pull()) check_interest();
  signal();
}

ConsumerInfoView Consumer::info(std::int64_t now_ns) {
  (void)now_ns;
  ConsumerInfoView view;
  view.stream_name = stream_.name();
  view.name = name_;
  view.created_ns = created_ns_;
  view.config = &config_;
  view.delivered.consumer_seq = tracker_.next_consumer_seq() - 1;
  view.delivered.stream_seq = tracker_.next_stream_seq() > 0 ? tracker_.next_stream_seq() - 1 : 0;
  view.delivered.last_active_ns = last_delivery_ns_;
  view.ack_floor.consumer_seq = tracker_.ack_floor_consumer_seq();
  view.ack_floor.stream_seq = tracker_.ack_floor_stream_seq();
  view.num_ack_pending = static_cast<std::int64_t>(tracker_.pending().size());
  view.num_redelivered = static_cast<std::int64_t>(tracker_.redelivered().size());
  view.num_waiting = static_cast<std::int64_t>(waiting_.size());
  view.num_pending = num_pending();
  view.push_bound = push_bound();
  return view;
}

// ---- The stream's events.

bool Consumer::filter_matches(std::string_view subject) const {
  if (config_.filter_subject.empty()) return true;
  if (!filter_wildcard_) return subject == config_.filter_subject;
  return protocol::subject_matches(config_.filter_subject, subject);
}

void Consumer::on_stored(std::uint64_t seq, std::string_view subject) noexcept {
  if (!filter_matches(subject)) return;
  if (!num_pending_stale_ && seq >= tracker_.next_stream_seq()) ++num_pending_;
  signal();
}

void Consumer::on_removed(bool purged) noexcept {
  num_pending_stale_ = true;
  const stream::StoreState state = stream_.store().state();
  // A purge forgets what it took at once; messages that limits or expiry took from under pending ones
  // are forgotten when their redelivery finds them gone (as nats-server's checkPending does), so that
  // a stream evicting on every append does not walk the pending set each time.
  if (state.first_seq > 0 && (purged || tracker_.next_stream_seq() < state.first_seq)) {
    tracker_.purge_below(state.first_seq);
    mark_state_dirty();
  }
  signal();
}

bool Consumer::needs(std::uint64_t seq, std::string_view subject) const {
  if (!filter_matches(subject)) return false;
  if (config_.ack_policy == AckPolicy::kNone) return seq >= tracker_.next_stream_seq();
  if (seq <= tracker_.ack_floor_stream_seq()) return false;
  return seq >= tracker_.next_stream_seq() || tracker_.pending().contains(seq);
}

std::uint64_t Consumer::num_pending() {
  if (num_pending_stale_) recompute_num_pending();
  return num_pending_;
}

// streamNumPending: the messages at or after the cursor that match the filter; for deliver last per
// subject while its list is being sent, the subjects whose last message is still to come.
void Consumer::recompute_num_pending() {
  num_pending_stale_ = false;
  const std::uint64_t from = tracker_.next_stream_seq();
  if (!last_per_subject_.empty()) {
    num_pending_ =
        last_per_subject_.size() +
        stream_.store().filtered_state(config_.filter_subject, resume_after_last_per_subject_ + 1).msgs;
    return;
  }
  num_pending_ = stream_.store().filtered_state(config_.filter_subject, from).msgs;
}

// ---- The wire's events.

void Consumer::process_ack(const RoutedMessage& msg) {
  if (stopped_ || msg.subject.size() <= ack_prefix_.size()) return;
  const std::optional<AckReplyInfo> info = parse_ack_subject_tail(msg.subject.substr(ack_prefix_.size()));
  if (!info) return;
  const AckMessage ack = parse_ack_body(msg.body());
  const std::int64_t now = JetStream::now_ns();
  std::vector<std::uint64_t> settled;
  bool reply_sent = false;
  switch (ack.kind) {
    case AckKind::kAck:
      tracker_.ack(info->stream_seq, info->consumer_seq, settled);
      break;
    case AckKind::kNext:
      tracker_.ack(info->stream_seq, info->consumer_seq, settled);
      if (!msg.reply.empty()) process_next_request(msg.reply, ack.next_request, now);
      reply_sent = true;
      break;
    case AckKind::kNak:
      tracker_.nak(info->stream_seq, info->consumer_seq, ack.nak_delay_ns, now);
      break;
    case AckKind::kProgress:
      tracker_.progress(info->stream_seq, now);
      break;
    case AckKind::kTerm:
      tracker_.ack(info->stream_seq, info->consumer_seq, settled);
      break;
    case AckKind::kIgnored:
      break;
  }
  mark_state_dirty();
  if (!settled.empty()) settle(settled);
  // AckSync: the acknowledgement of the ack is an empty message.
  if (!reply_sent && !msg.reply.empty()) service_.send(msg.reply, {}, {}, true);
  signal();
}

void Consumer::settle(const std::vector<std::uint64_t>& settled) {
  if (stream_.config().retention == RetentionPolicy::kLimits) return;
  for (const std::uint64_t seq : settled)
    stream_.acknowledged(seq, *this);
}

void Consumer::process_flow_control(std::string_view subject) {
  if (subject != flow_control_id_) return;
  if (max_pending_bytes_ < pending_bytes_limit_)
    max_pending_bytes_ = std::min(max_pending_bytes_ * 2, pending_bytes_limit_);
  pending_bytes_ = std::max<std::int64_t>(0, pending_bytes_ - flow_control_bytes_);
  flow_control_id_.clear();
  flow_control_bytes_ = 0;
  signal();
}

void Consumer::receiver_drained() noexcept {
  stalled_on_ = 0;
  stalled_until_ns_ = 0;
  signal();
}

void Consumer::interest_added(std::string_view subject) noexcept {
  if (is_pull() || active_ || stopped_) return;
  if (subject == config_.deliver_subject) check_interest();
}

void Consumer::check_interest() noexcept {
  const bool had = active_;
  active_ = service_.has_exact_interest(config_.deliver_subject);
  if (active_) inactive_since_ns_ = 0;
  if (active_ && !had) signal();
  if (!active_) service_.await_interest(*this);
}

void Consumer::process_next_request(std::string_view reply, std::string_view body, std::int64_t now_ns) {
  if (reply.empty() || stopped_) return;
  if (!is_pull()) return send_status(reply, kStatusPushBased);
  PullRequest request;
  if (std::optional<std::string> error = parse_pull_request(body, request)) return send_status(reply, *error);
  if (std::optional<std::string> refusal = check_pull_request_limits(request, config_))
    return send_status(reply, *refusal);
  last_request_ns_ = now_ns;
  if (config_.max_waiting > 0 && static_cast<std::int64_t>(waiting_.size()) >= config_.max_waiting)
    process_waiting(false, now_ns);
  if (request.no_wait) {
    const std::uint64_t available = num_pending() + tracker_.redelivery_count();
    if (available == 0 && request.expires_ns == 0) return send_status(reply, kStatusNoMessages);
    if (available > 0) {
      const std::int64_t wanted = process_waiting(false, now_ns);
      if (available < static_cast<std::uint64_t>(wanted)) return send_status(reply, kStatusRequestsPending);
    }
  }
  if (config_.max_waiting > 0 && static_cast<std::int64_t>(waiting_.size()) >= config_.max_waiting)
    return send_status(reply, kStatusExceededMaxWaiting);
  WaitingRequest waiting;
  waiting.reply.assign(reply);
  waiting.batch = request.batch;
  waiting.max_bytes = request.max_bytes;
  waiting.no_wait = request.no_wait;
  waiting.expires_ns = request.expires_ns > 0 ? now_ns + request.expires_ns : 0;
  waiting.heartbeat_ns = request.heartbeat_ns;
  waiting.next_heartbeat_ns = request.heartbeat_ns > 0 ? now_ns + request.heartbeat_ns : 0;
  waiting_.push_back(std::move(waiting));
  signal();
  service_.schedule(*this);
}

void Consumer::send_status(std::string_view subject, std::string_view header_block, std::string_view reply) {
  service_.client().publish(subject, reply, header_block, {}, reply.empty());
}

void Consumer::send_heartbeat(std::string_view subject) {
  const std::string block = idle_heartbeat_status(tracker_.next_consumer_seq() - 1,
                                                  tracker_.next_stream_seq() - 1, flow_control_id_);
  send_status(subject, block);
}

void Consumer::signal() noexcept {
  if (!stopped_) service_.mark_ready(*this);
}

void Consumer::mark_state_dirty() noexcept {
  if (state_dirty_ || !is_persisted()) return;
  state_dirty_ = true;
  service_.mark_consumer_dirty(*this);
}

ConsumerStateRecord Consumer::take_state() {
  state_dirty_ = false;
  ConsumerStateRecord record;
  record.delivered_consumer_seq = tracker_.next_consumer_seq() - 1;
  record.delivered_stream_seq = tracker_.next_stream_seq() - 1;
  record.ack_floor_consumer_seq = tracker_.ack_floor_consumer_seq();
  record.ack_floor_stream_seq = tracker_.ack_floor_stream_seq();
  record.pending.reserve(tracker_.pending().size());
  for (const auto& [seq, entry] : tracker_.pending())
    record.pending.push_back({seq, entry.consumer_seq, entry.timestamp_ns});
  std::sort(record.pending.begin(), record.pending.end(),
            [](const PendingEntry& a, const PendingEntry& b) { return a.stream_seq < b.stream_seq; });
  record.redelivered.assign(tracker_.redelivered().begin(), tracker_.redelivered().end());
  std::sort(record.redelivered.begin(), record.redelivered.end());
  return record;
}

}  // namespace tern::server::jetstream
