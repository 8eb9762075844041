#include "server/jetstream/stream.h"

#include <cassert>
#include <chrono>

#include "protocol/connect.h"
#include "protocol/frames.h"
#include "protocol/header_block.h"
#include "server/internal_client.h"
#include "server/jetstream/api_requests.h"
#include "server/jetstream/consumer.h"
#include "server/jetstream/jetstream.h"
#include "server/jetstream/message_json.h"
#include "server/jetstream/stream_meta.h"
#include "server/log.h"
#include "server/pool_task.h"

namespace tern::server::jetstream {
namespace {

constexpr std::string_view kMsgId = "Nats-Msg-Id";
constexpr std::string_view kExpectedStream = "Nats-Expected-Stream";
constexpr std::string_view kExpectedLastSeq = "Nats-Expected-Last-Sequence";
constexpr std::string_view kExpectedLastSubjectSeq = "Nats-Expected-Last-Subject-Sequence";
constexpr std::string_view kExpectedLastMsgId = "Nats-Expected-Last-Msg-Id";
constexpr std::string_view kRollup = "Nats-Rollup";

enum Rollup : int { kNoRollup = 0, kRollupSubject = 1, kRollupAll = 2 };

// nats-server parses the expected sequences with strconv.ParseUint and treats a bad number as absent.
std::optional<std::uint64_t> header_uint(std::string_view headers, std::string_view name) {
  const std::optional<std::string_view> text = protocol::find_header(headers, name);
  if (!text || text->empty() || text->size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

Stream::Stream(JetStream& service, StreamConfig config, std::int64_t created_ns,
               std::unique_ptr<stream::StreamStore> store)
    : service_(service),
      config_(std::move(config)),
      created_ns_(created_ns),
      store_(std::move(store)),
      dedupe_(config_.duplicate_window_ns),
      ack_prefix_(pub_ack_prefix(config_.name)) {
  assert(store_ != nullptr);
}

Stream::~Stream() = default;

bool Stream::capture(InternalClient& client) {
  std::weak_ptr<Stream> self = weak_from_this();
  for (const std::string& subject : config_.subjects) {
    Subscription* sub = client.subscribe(subject, "", [self](const Subscription&, const RoutedMessage& msg) {
      if (auto stream = self.lock()) stream->process_publish(msg);
    });
    if (sub == nullptr) {
      release(client);
      return false;
    }
    subscriptions_.push_back(sub);
  }
  if (config_.allow_direct) {
    // nats-server subscribes direct gets per stream, so that only streams that allow them answer.
    const std::string prefix = "$JS.API.DIRECT.GET." + config_.name;
    for (const std::string& subject : {prefix, prefix + ".>"}) {
      Subscription* sub =
          client.subscribe(subject, "", [self](const Subscription&, const RoutedMessage& msg) {
            if (auto stream = self.lock()) stream->process_direct_get(msg);
          });
      if (sub == nullptr) {
        release(client);
        return false;
      }
      subscriptions_.push_back(sub);
    }
  }
  return true;
}

std::optional<stream::StoredMessage> Stream::load(const MsgGetRequest& request) const {
  stream::StoreError error;
  if (request.seq > 0 && request.next_by_subj.empty()) return store_->load(request.seq, error);
  if (!request.next_by_subj.empty()) return store_->load_next(request.next_by_subj, request.seq, error);
  return store_->load_last(request.last_by_subj, error);
}

void Stream::process_direct_get(const RoutedMessage& msg) {
  const std::string_view reply = msg.reply;
  if (reply.empty()) return;
  MsgGetRequest request;
  const std::string prefix = "$JS.API.DIRECT.GET." + config_.name;
  std::optional<std::string> refusal =
      msg.subject.size() > prefix.size() ? parse_direct_get_last_by_subject(msg.subject, msg.body(), request)
                                         : parse_direct_get_request(msg.body(), request);
  if (refusal) return service_.send(reply, *refusal, {}, true);
  std::optional<stream::StoredMessage> found = load(request);
  if (!found) return service_.send(reply, kDirectGetNotFound, {}, true);
  service_.send(reply, direct_get_headers(config_.name, *found), found->payload, true);
}

void Stream::release(InternalClient& client) noexcept {
  for (Subscription* sub : subscriptions_)
    client.unsubscribe(sub);
  subscriptions_.clear();
}

std::string Stream::update(StreamConfig config, InternalClient& client, std::int64_t now_ns) {
  if (stream::StoreError error = store_->update_limits(store_limits(config))) return error.message;
  const bool subjects_changed = config.subjects != config_.subjects;
  if (subjects_changed) release(client);
  config_ = std::move(config);
  dedupe_.set_window(config_.duplicate_window_ns, now_ns);
  if (subjects_changed && !capture(client)) return "could not subscribe the stream's subjects";
  if (config_.max_age_ns > 0) service_.schedule_expiry(store_->next_expiry_ns());
  return {};
}

void Stream::reply_error(std::string_view reply, const ApiError& error) {
  if (reply.empty() || config_.no_ack) return;
  service_.send(reply, {}, pub_ack_error(config_.name, error), true);
}

std::string Stream::discard_new_refusal(std::string_view subject, std::size_t raw_size) const {
  // filestore.go storeRawMsg, 2.9.10: a subject at its own limit makes room for itself (its oldest
  // message goes), so the stream-wide message limit does not refuse it.
  bool replaces_own = false;
  std::uint64_t replaced_size = 0;
  if (config_.max_msgs_per_subject > 0) {
    const stream::SubjectState per_subject = store_->subject_state(subject);
    if (per_subject.msgs >= static_cast<std::uint64_t>(config_.max_msgs_per_subject)) {
      if (config_.discard_new_per_subject) return "maximum messages per subject exceeded";
      replaces_own = true;
      stream::StoreError ignored;
      if (auto first = store_->load(per_subject.first_seq, ignored))
        replaced_size = first->headers.size() + first->payload.size();
    }
  }
  const stream::StoreState state = store_->state();
  if (config_.max_msgs > 0 && state.msgs >= static_cast<std::uint64_t>(config_.max_msgs) && !replaces_own)
    return "maximum messages exceeded";
  if (config_.max_bytes > 0 && state.bytes + raw_size >= static_cast<std::uint64_t>(config_.max_bytes)) {
    if (!replaces_own || replaced_size <= raw_size) return "maximum bytes exceeded";
  }
  return {};
}

void Stream::process_publish(const RoutedMessage& msg) {
  const std::string_view reply = msg.reply;
  const std::string_view headers = msg.headers();
  std::string_view msg_id;
  int rollup = kNoRollup;
  if (config_.sealed) return reply_error(reply, api_errors::stream_sealed());
  if (!headers.empty()) {
    if (auto expected = protocol::find_header(headers, kExpectedStream);
        expected && !expected->empty() && *expected != config_.name) {
      return reply_error(reply, api_errors::stream_not_match());
    }
    if (auto id = protocol::find_header(headers, kMsgId); id && !id->empty()) {
      msg_id = *id;
      ensure_dedupe_loaded();
      if (const std::uint64_t seq = dedupe_.find(msg_id, JetStream::now_ns()); seq != 0) {
        if (!reply.empty() && !config_.no_ack)
          service_.send(reply, {}, pub_ack_duplicate(config_.name, seq), true);
        return;
      }
    }
    if (auto expected = header_uint(headers, kExpectedLastSubjectSeq)) {
      const std::uint64_t last = store_->subject_state(msg.subject).last_seq;
      if (last != *expected) return reply_error(reply, api_errors::wrong_last_sequence(last));
    }
    if (auto expected = header_uint(headers, kExpectedLastSeq)) {
      const std::uint64_t last = store_->state().last_seq;
      if (last != *expected) return reply_error(reply, api_errors::wrong_last_sequence(last));
    }
    if (auto expected = protocol::find_header(headers, kExpectedLastMsgId); expected && !expected->empty()) {
      ensure_dedupe_loaded();
      if (*expected != last_msg_id_) return reply_error(reply, api_errors::wrong_last_msg_id(last_msg_id_));
    }
    if (auto value = protocol::find_header(headers, kRollup); value && !value->empty()) {
      if (!config_.allow_rollup_hdrs || config_.deny_purge)
        return reply_error(reply, api_errors::stream_rollup_failed("rollup not permitted"));
      if (*value == "sub") {
        rollup = kRollupSubject;
      } else if (*value == "all") {
        rollup = kRollupAll;
      } else {
        return;  // nats-server drops a message with an unknown rollup value, unanswered.
      }
    }
  }
  if (config_.max_msg_size >= 0 && msg.payload.size() > static_cast<std::uint64_t>(config_.max_msg_size))
    return reply_error(reply, api_errors::message_exceeds_maximum());
  if (headers.size() > 0xFFFF) return reply_error(reply, api_errors::header_exceeds_maximum());
  if (service_.over_limit(store_->kind())) return reply_error(reply, api_errors::insufficient_resources());
  if (config_.discard == DiscardPolicy::kNew) {
    if (std::string refusal = discard_new_refusal(msg.subject, msg.payload.size()); !refusal.empty())
      return reply_error(reply, api_errors::stream_store_failed(refusal));
  }
  store_message(msg, msg_id, rollup);
}

void Stream::store_message(const RoutedMessage& msg, std::string_view msg_id, int rollup) {
  const std::int64_t now = JetStream::now_ns();
  stream::StoreError error;
  // Consumers count what is pending for them; a limit that removes older messages to make room changes
  // that, which the store's message count shows.
  const std::uint64_t msgs_before = consumers_.empty() ? 0 : store_->state().msgs;
  const std::uint64_t seq = store_->append(msg.subject, msg.headers(), msg.body(), now, error);
  if (error) {
    service_.log().error("JetStream failed to store a msg on stream '$G > " + config_.name +
                         "': " + error.message);
    return reply_error(msg.reply, api_errors::stream_store_failed(error.message));
  }
  last_msg_id_.assign(msg_id);
  if (!msg_id.empty()) dedupe_.remember(msg_id, seq, now);
  if (rollup != kNoRollup) {
    stream::PurgeRequest request;
    if (rollup == kRollupSubject) request.filter.assign(msg.subject);
    request.keep = 1;
    stream::StoreError purge_error;
    store_->purge(request, purge_error);
    if (purge_error)
      service_.log().error("JetStream rollup on stream '" + config_.name + "': " + purge_error.message);
  }
  if (config_.retention == RetentionPolicy::kInterest && !any_consumer_needs(seq, msg.subject)) {
    // nats-server keeps nothing for an interest stream that no consumer is interested in: the sequence
    // is used and acknowledged, and the message is gone at once.
    stream::StoreError remove_error;
    store_->remove(seq, false, remove_error);
  } else {
    for (const auto& [name, consumer] : consumers_)
      consumer->on_stored(seq, msg.subject);
  }
  // A rollup, or a limit that removed older messages to make room: consumers take their counts again.
  if (!consumers_.empty() && (rollup != kNoRollup || store_->state().msgs != msgs_before + 1))
    notify_removed();
  if (config_.max_age_ns > 0) service_.schedule_expiry(store_->next_expiry_ns());
  if (!msg.reply.empty() && !config_.no_ack) awaiting_flush_.push_back({std::string(msg.reply), seq});
  note_written();
}

void Stream::flush() noexcept {
  dirty_ = false;
  if (stream::StoreError error = store_->flush()) {
    service_.log().error("JetStream failed to write stream '" + config_.name + "': " + error.message);
    // The store took the unwritten messages back out: every PubAck above what was written fails.
    const std::uint64_t written = store_->flushed_seq();
    std::vector<PendingAck> failed, kept;
    for (PendingAck& ack : awaiting_flush_)
      (ack.seq > written ? failed : kept).push_back(std::move(ack));
    awaiting_flush_ = std::move(kept);
    fail_acks(failed, error.message);
  }
  if (awaiting_flush_.empty()) return;
  if (!service_.options().sync_always || store_->kind() == stream::StorageKind::kMemory) {
    send_acks(awaiting_flush_, UINT64_MAX);
    return;
  }
  for (PendingAck& ack : awaiting_flush_)
    awaiting_sync_.push_back(std::move(ack));
  awaiting_flush_.clear();
  if (!sync_in_flight_) start_sync();
}

void Stream::sync() noexcept {
  if (!sync_in_flight_) start_sync();
}

void Stream::send_acks(std::vector<PendingAck>& acks, std::uint64_t up_to_seq) noexcept {
  std::size_t sent = 0;
  try {
    for (; sent < acks.size() && acks[sent].seq <= up_to_seq; ++sent) {
      ack_buffer_.assign(ack_prefix_);
      char digits[24];
      ack_buffer_.append(digits,
                         static_cast<std::size_t>(protocol::write_decimal(digits, acks[sent].seq) - digits));
      ack_buffer_ += '}';
      service_.send(acks[sent].reply, {}, ack_buffer_, true);
    }
  } catch (const std::exception& e) {
    service_.log().error("JetStream could not send PubAcks for '" + config_.name + "': " + e.what());
  }
  acks.erase(acks.begin(), acks.begin() + static_cast<std::ptrdiff_t>(sent));
}

void Stream::fail_acks(std::vector<PendingAck>& acks, const std::string& failure) noexcept {
  try {
    for (const PendingAck& ack : acks)
      reply_error(ack.reply, api_errors::stream_store_failed(failure));
  } catch (const std::exception& e) {
    service_.log().error("JetStream could not send PubAck errors for '" + config_.name + "': " + e.what());
  }
  acks.clear();
}

void Stream::start_sync() noexcept {
  std::uint64_t covers = 0;
  std::shared_ptr<stream::SyncJob> job;
  try {
    job = store_->make_sync_job(covers);
  } catch (const std::exception& e) {
    service_.log().error("JetStream sync of '" + config_.name + "': " + e.what());
  }
  if (job == nullptr) {
    // Nothing new to sync: everything written is already durable.
    send_acks(awaiting_sync_, store_->flushed_seq());
    return;
  }
  sync_in_flight_ = true;
  std::weak_ptr<Stream> self = weak_from_this();
  run_on_pool(
      service_.loop(), [job] { return job->run(); },
      [self, covers](std::string failure) {
        if (auto stream = self.lock()) stream->sync_done(covers, failure);
      });
}

void Stream::sync_done(std::uint64_t covers_seq, const std::string& failure) noexcept {
  sync_in_flight_ = false;
  store_->sync_finished(failure);
  if (!failure.empty()) {
    service_.log().error("JetStream failed to sync stream '" + config_.name + "': " + failure);
    std::vector<PendingAck> failed, kept;
    for (PendingAck& ack : awaiting_sync_)
      (ack.seq <= covers_seq ? failed : kept).push_back(std::move(ack));
    awaiting_sync_ = std::move(kept);
    fail_acks(failed, failure);
  } else {
    send_acks(awaiting_sync_, covers_seq);
  }
  // What arrived during the sync needs the next one.
  if (!awaiting_sync_.empty()) start_sync();
}

void Stream::ensure_dedupe_loaded() {
  if (dedupe_loaded_) return;
  dedupe_loaded_ = true;
  const auto started = std::chrono::steady_clock::now();
  rebuild_dedupe(JetStream::now_ns());
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (took.count() > 10) {
    service_.log().info("JetStream rebuilt the duplicate window of '" + config_.name + "' (" +
                        std::to_string(dedupe_.size()) + " ids) in " + std::to_string(took.count()) + "ms");
  }
}

void Stream::rebuild_dedupe(std::int64_t now_ns) {
  dedupe_.clear();
  last_msg_id_.clear();
  if (config_.duplicate_window_ns <= 0) return;
  stream::StoreError error;
  std::uint64_t seq = store_->seq_for_time(now_ns - config_.duplicate_window_ns);
  const std::uint64_t last = store_->state().last_seq;
  while (seq <= last) {
    std::optional<stream::StoredMessage> msg = store_->load_next({}, seq, error);
    if (!msg) break;
    if (auto id = protocol::find_header(msg->headers, kMsgId); id && !id->empty()) {
      dedupe_.remember(*id, msg->seq, msg->timestamp_ns);
      if (msg->seq == last) last_msg_id_.assign(*id);
    }
    seq = msg->seq + 1;
  }
}

std::int64_t Stream::expire(std::int64_t now_ns) {
  if (config_.max_age_ns <= 0) return 0;
  if (store_->expire(now_ns) > 0) notify_removed();
  return store_->next_expiry_ns();
}

std::uint64_t Stream::purge(const stream::PurgeRequest& request, stream::StoreError& error) {
  const std::uint64_t purged = store_->purge(request, error);
  note_written();
  if (purged > 0) notify_removed(true);
  return purged;
}

bool Stream::remove(std::uint64_t seq, bool erase, stream::StoreError& error) {
  const bool removed = store_->remove(seq, erase, error);
  note_written();
  if (removed) notify_removed();
  return removed;
}

void Stream::notify_removed(bool purged) noexcept {
  for (const auto& [name, consumer] : consumers_)
    consumer->on_removed(purged);
}

bool Stream::any_consumer_needs(std::uint64_t seq, std::string_view subject) const {
  for (const auto& [name, consumer] : consumers_)
    if (consumer->needs(seq, subject)) return true;
  return false;
}

void Stream::acknowledged(std::uint64_t seq, const Consumer& by) {
  if (config_.retention == RetentionPolicy::kLimits) return;
  const stream::StoreState state = store_->state();
  if (seq < state.first_seq || seq > state.last_seq) return;
  if (config_.retention == RetentionPolicy::kInterest) {
    // The message stays while another consumer still needs it (stream.go checkInterest).
    stream::StoreError error;
    const std::optional<stream::StoredMessage> msg = store_->load(seq, error);
    if (!msg) return;
    for (const auto& [name, consumer] : consumers_)
      if (consumer.get() != &by && consumer->needs(seq, msg->subject)) return;
  }
  stream::StoreError error;
  if (store_->remove(seq, false, error)) {
    note_written();
    // Only the consumers ahead of this one can count it; the acknowledging one is past it.
    for (const auto& [name, consumer] : consumers_)
      if (consumer.get() != &by) consumer->on_removed();
  } else if (error) {
    service_.log().error("JetStream could not remove acknowledged message " + std::to_string(seq) +
                         " from stream '" + config_.name + "': " + error.message);
  }
}

std::shared_ptr<Consumer> Stream::find_consumer(std::string_view name) const {
  const auto found = consumers_.find(std::string(name));
  return found == consumers_.end() ? nullptr : found->second;
}

void Stream::add_consumer(std::shared_ptr<Consumer> consumer) {
  consumers_.emplace(consumer->name(), std::move(consumer));
}

std::shared_ptr<Consumer> Stream::remove_consumer(std::string_view name) {
  const auto found = consumers_.find(std::string(name));
  if (found == consumers_.end()) return nullptr;
  std::shared_ptr<Consumer> removed = std::move(found->second);
  consumers_.erase(found);
  return removed;
}

void Stream::note_written() {
  // What the store logged is written, and the PubAcks waiting for it sent, at the end of this turn.
  if (dirty_ || (store_->unflushed_bytes() == 0 && awaiting_flush_.empty())) return;
  dirty_ = true;
  service_.mark_dirty(*this);
}

}  // namespace tern::server::jetstream
