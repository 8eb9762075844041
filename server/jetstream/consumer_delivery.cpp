// A consumer's deliveries (consumer.go loopAndGatherMsgs, getNextMsg, deliverMsg, processWaiting):
// redeliveries first, then the last message of each subject (deliver last per subject), then new
// messages from the cursor; each through the server's routing to the deliver subject or the reply of
// the pull request whose turn it is. Also the deadlines that drive it.
#include <algorithm>

#include "server/jetstream/ack_protocol.h"
#include "server/jetstream/consumer.h"
#include "server/jetstream/jetstream.h"
#include "server/jetstream/status_messages.h"
#include "server/jetstream/stream.h"
#include "server/router.h"

namespace tern::server::jetstream {

namespace {

// nats-server waits for at most this long between replayed messages before it checks again (a
// shorter gap is not waited for at all).
constexpr std::int64_t kReplayMinGapNs = 1'000'000;
// How long a consumer waits for a congested receiver before it tries again regardless (nats-server's
// longest stall for a publisher).
constexpr std::int64_t kStallBoundNs = 1'000'000'000;
// How often an ephemeral consumer checks whether anyone still listens (at most).
constexpr std::int64_t kInterestCheckNs = 1'000'000'000;
// The rate limiter's burst when the stream has no max_msg_size: nats-server's default max_payload.
constexpr std::int64_t kDefaultRateBurst = 1024 * 1024;

}  // namespace

struct Consumer::Candidate {
  stream::StoredMessage msg;
  std::uint64_t delivery_count = 1;
  bool redelivery = false;
  bool last_per_subject = false;
};

bool Consumer::next_candidate(Candidate& out) {
  stream::StreamStore& store = stream_.store();
  stream::StoreError error;
  std::vector<std::uint64_t> exceeded;
  while (auto redelivery = tracker_.next_redelivery(exceeded)) {
    if (auto msg = store.load(redelivery->stream_seq, error)) {
      out.msg = std::move(*msg);
      out.delivery_count = redelivery->delivery_count;
      out.redelivery = true;
      out.last_per_subject = false;
      return true;
    }
    tracker_.drop(redelivery->stream_seq);
  }
  if (!exceeded.empty()) mark_state_dirty();
  if (tracker_.at_max_ack_pending()) return false;
  out.redelivery = false;
  out.delivery_count = 1;
  while (!last_per_subject_.empty()) {
    if (auto msg = store.load(last_per_subject_.front(), error)) {
      out.msg = std::move(*msg);
      out.last_per_subject = true;
      return true;
    }
    // Gone since the list was made: the next one.
    last_per_subject_.pop_front();
    if (num_pending_ > 0) --num_pending_;
    if (last_per_subject_.empty())
      tracker_.set_next_stream_seq(std::max(tracker_.next_stream_seq(), resume_after_last_per_subject_));
  }
  out.last_per_subject = false;
  if (auto msg = store.load_next(config_.filter_subject, tracker_.next_stream_seq(), error)) {
    out.msg = std::move(*msg);
    return true;
  }
  // Nothing matches up to the end: the cursor moves past it, so that the next search starts there.
  const std::uint64_t last = store.state().last_seq;
  if (last + 1 > tracker_.next_stream_seq()) tracker_.set_next_stream_seq(last + 1);
  return false;
}

void Consumer::put_back(const Candidate& candidate) {
  if (candidate.redelivery) tracker_.undo_redelivery(candidate.msg.seq);
}

Consumer::WaitingRequest* Consumer::next_waiting(std::size_t size) {
  const std::int64_t now = JetStream::now_ns();
  while (!waiting_.empty()) {
    WaitingRequest& request = waiting_.front();
    if (request.max_bytes > 0) {
      if (static_cast<std::int64_t>(size) <= request.max_bytes) {
        request.max_bytes -= static_cast<std::int64_t>(size);
        // At exactly zero this message is the last one the request takes.
        if (request.max_bytes == 0) request.batch = 1;
      } else {
        send_status(request.reply, message_size_exceeds_max_bytes_status(request.batch, request.max_bytes));
        waiting_.pop_front();
        continue;
      }
    }
    if (request.expires_ns == 0 || now < request.expires_ns) return &request;
    waiting_.pop_front();
  }
  return nullptr;
}

// waitQueue.pop: the request that took a message is done, or (when others wait too) goes to the back.
void Consumer::finish_waiting_front(WaitingRequest* used) {
  used->delivered += 1;
  used->batch -= 1;
  if (used->batch <= 0) {
    waiting_.pop_front();
    return;
  }
  if (used->heartbeat_ns > 0) used->next_heartbeat_ns = JetStream::now_ns() + used->heartbeat_ns;
  if (waiting_.size() > 1) {
    WaitingRequest moved = std::move(waiting_.front());
    waiting_.pop_front();
    waiting_.push_back(std::move(moved));
  }
}

bool Consumer::deliver(std::size_t budget) noexcept {
  if (stopped_) return false;
  std::int64_t now = JetStream::now_ns();
  if (stalled_on_ != 0) {
    if (now < stalled_until_ns_) return false;
    stalled_on_ = 0;
  }
  std::size_t sent = 0;
  bool end_of_stream = false;
  Candidate candidate;
  while (sent < budget) {
    if (!is_pull()) {
      if (!active_ || (config_.flow_control && pending_bytes_ > max_pending_bytes_)) break;
    } else if (waiting_.empty()) {
      break;
    }
    if (!next_candidate(candidate)) {
      end_of_stream = !tracker_.at_max_ack_pending();
      break;
    }
    const stream::StoredMessage& msg = candidate.msg;
    // Replay original: messages leave with the gaps they arrived with.
    if (config_.replay_policy == ReplayPolicy::kOriginal && msg.seq <= replay_until_seq_ &&
        replay_last_ts_ns_ > 0) {
      const std::int64_t gap = msg.timestamp_ns - replay_last_ts_ns_;
      if (gap > kReplayMinGapNs) {
        if (replay_next_ns_ == 0) replay_next_ns_ = now + gap;
        if (now < replay_next_ns_) {
          put_back(candidate);
          break;
        }
      }
      replay_next_ns_ = 0;
    }

    const bool first_delivery = !candidate.redelivery;
    std::uint64_t pending_after = num_pending();
    if (first_delivery && pending_after > 0) --pending_after;
    const std::uint64_t consumer_seq = tracker_.next_consumer_seq();
    ack_reply_.assign(ack_prefix_);
    append_ack_tokens(ack_reply_, AckReplyInfo{candidate.delivery_count, msg.seq, consumer_seq,
                                               msg.timestamp_ns, pending_after});

    std::string_view headers = msg.headers;
    std::string_view body = msg.payload;
    if (config_.headers_only) {
      headers_ = headers_only_block(msg.headers, msg.payload.size());
      headers = headers_;
      body = {};
    }
    const std::size_t size = msg.subject.size() + ack_reply_.size() + headers.size() + body.size();

    if (config_.rate_limit_bps > 0 && !rate_allows(size, now)) {
      put_back(candidate);
      break;
    }

    std::string_view target = config_.deliver_subject;
    WaitingRequest* request = nullptr;
    if (is_pull()) {
      request = next_waiting(size);
      if (request == nullptr) {
        put_back(candidate);
        break;
      }
      target = request->reply;
    }
    const RouteResult routed = service_.deliver(target, ack_reply_, headers, body, msg.subject);
    if (routed.deliveries == 0) {
      // Nobody listens: the message stays where it was. A pull request without interest is dropped
      // (the requester went away); a push consumer goes inactive until its subject has interest again.
      put_back(candidate);
      if (request != nullptr) {
        waiting_.pop_front();
        continue;
      }
      active_ = false;
      if (inactive_since_ns_ == 0) inactive_since_ns_ = now;
      service_.await_interest(*this);
      break;
    }
    if (request != nullptr) finish_waiting_front(request);

    if (candidate.last_per_subject) {
      last_per_subject_.pop_front();
      tracker_.advance_past(msg.seq);
      if (last_per_subject_.empty())
        tracker_.set_next_stream_seq(std::max(tracker_.next_stream_seq(), resume_after_last_per_subject_));
      if (num_pending_ > 0) --num_pending_;
    } else if (first_delivery) {
      tracker_.advance_past(msg.seq);
      if (!num_pending_stale_ && num_pending_ > 0) --num_pending_;
    }
    tracker_.record_delivery(msg.seq, now);
    replay_last_ts_ns_ = msg.timestamp_ns;
    last_delivery_ns_ = now;
    last_active_ns_ = now;
    if (!is_pull() && config_.idle_heartbeat_ns > 0) next_heartbeat_ns_ = now + config_.idle_heartbeat_ns;
    mark_state_dirty();
    ++sent;

    if (config_.flow_control && !is_pull()) {
      pending_bytes_ += static_cast<std::int64_t>(size);
      if (flow_control_id_.empty() && pending_bytes_ > max_pending_bytes_ / 2) {
        flow_control_id_ = flow_control_subject(stream_.name(), name_, service_.random_token4());
        flow_control_bytes_ = pending_bytes_;
        send_status(config_.deliver_subject, kStatusFlowControlRequest, flow_control_id_);
      } else if (!flow_control_id_.empty() && pending_bytes_ - flow_control_bytes_ >= max_pending_bytes_) {
        flow_control_bytes_ += static_cast<std::int64_t>(size);
      }
    }
    // With no acks to wait for, a work-queue or interest stream lets the message go once it is sent.
    if (config_.ack_policy == AckPolicy::kNone && stream_.config().retention != RetentionPolicy::kLimits)
      stream_.acknowledged(msg.seq, *this);
    if (routed.congested != nullptr) {
      stalled_on_ = routed.congested->id();
      stalled_until_ns_ = now + kStallBoundNs;
      service_.note_stalled(*this);
      break;
    }
  }
  // A no_wait request that got something ends when nothing more is there (processWaiting(eos)).
  if (end_of_stream && is_pull()) {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->no_wait && it->delivered > 0) {
        send_status(it->reply, request_timeout_status(it->batch, it->max_bytes));
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }
  service_.schedule(*this);
  return sent >= budget;
}

bool Consumer::rate_allows(std::size_t size, std::int64_t now_ns) {
  const double bytes_per_ns = static_cast<double>(config_.rate_limit_bps / 8) / 1e9;
  const std::int64_t max_msg = stream_.config().max_msg_size;
  const double burst = static_cast<double>(max_msg > 0 ? max_msg : kDefaultRateBurst);
  if (rate_refilled_ns_ == 0) {
    rate_tokens_ = burst;
  } else {
    rate_tokens_ =
        std::min(burst, rate_tokens_ + static_cast<double>(now_ns - rate_refilled_ns_) * bytes_per_ns);
  }
  rate_refilled_ns_ = now_ns;
  // A message larger than the burst waits for a full bucket rather than forever.
  const double need = std::min(static_cast<double>(size), burst);
  if (rate_tokens_ >= need || bytes_per_ns <= 0) {
    rate_tokens_ -= need;
    rate_next_ns_ = 0;
    return true;
  }
  rate_next_ns_ = now_ns + static_cast<std::int64_t>((need - rate_tokens_) / bytes_per_ns) + 1;
  return false;
}

std::int64_t Consumer::process_waiting(bool end_of_stream, std::int64_t now_ns) {
  std::int64_t wanted = 0;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    WaitingRequest& request = *it;
    if ((end_of_stream && request.no_wait && request.delivered > 0) ||
        (request.expires_ns > 0 && now_ns >= request.expires_ns)) {
      send_status(request.reply, request_timeout_status(request.batch, request.max_bytes));
      it = waiting_.erase(it);
      continue;
    }
    if (!service_.has_interest(request.reply)) {
      it = waiting_.erase(it);
      continue;
    }
    wanted += request.batch;
    if (request.next_heartbeat_ns > 0 && now_ns >= request.next_heartbeat_ns) {
      send_heartbeat(request.reply);
      request.next_heartbeat_ns = now_ns + request.heartbeat_ns;
    }
    ++it;
  }
  return wanted;
}

bool Consumer::on_deadline(std::int64_t now_ns) noexcept {
  if (stopped_) return false;
  const std::int64_t ack_deadline = tracker_.next_deadline();
  if (ack_deadline != 0 && ack_deadline <= now_ns) {
    tracker_.expire(now_ns);
    if (tracker_.has_redeliveries()) signal();
  }
  if (is_pull()) {
    if (!waiting_.empty()) process_waiting(false, now_ns);
  } else if (config_.idle_heartbeat_ns > 0 && next_heartbeat_ns_ != 0 && now_ns >= next_heartbeat_ns_) {
    if (active_) send_heartbeat(config_.deliver_subject);
    next_heartbeat_ns_ = now_ns + config_.idle_heartbeat_ns;
  }
  if (replay_next_ns_ != 0 && now_ns >= replay_next_ns_) signal();
  if (rate_next_ns_ != 0 && now_ns >= rate_next_ns_) {
    rate_next_ns_ = 0;
    signal();
  }
  if (stalled_on_ != 0 && now_ns >= stalled_until_ns_) receiver_drained();
  if (config_.inactive_threshold_ns > 0 && !is_durable() && next_interest_check_ns_ != 0 &&
      now_ns >= next_interest_check_ns_) {
    next_interest_check_ns_ = now_ns + std::min(config_.inactive_threshold_ns, kInterestCheckNs);
    if (!is_pull()) {
      check_interest();
      if (!active_) {
        if (inactive_since_ns_ == 0) inactive_since_ns_ = now_ns;
        if (now_ns - inactive_since_ns_ >= config_.inactive_threshold_ns) return true;
      }
    } else if (waiting_.empty() && now_ns - last_request_ns_ >= config_.inactive_threshold_ns) {
      return true;
    }
  }
  service_.schedule(*this);
  return false;
}

std::int64_t Consumer::next_deadline() const noexcept {
  std::int64_t next = 0;
  const auto consider = [&next](std::int64_t when) {
    if (when > 0 && (next == 0 || when < next)) next = when;
  };
  consider(tracker_.next_deadline());
  for (const WaitingRequest& request : waiting_) {
    consider(request.expires_ns);
    consider(request.next_heartbeat_ns);
  }
  if (!is_pull() && config_.idle_heartbeat_ns > 0) consider(next_heartbeat_ns_);
  // A replay pause that has passed is the next delivery's to end, not the timer's.
  if (replay_next_ns_ > JetStream::now_ns()) consider(replay_next_ns_);
  consider(rate_next_ns_);
  if (stalled_on_ != 0) consider(stalled_until_ns_);
  if (config_.inactive_threshold_ns > 0 && !is_durable()) consider(next_interest_check_ns_);
  return next;
}

}  // namespace tern::server::jetstream
