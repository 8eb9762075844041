#include "server/jetstream/ack_tracker.h"

#include <algorithm>
#include <cassert>

namespace tern::server::jetstream {

AckTracker::AckTracker(Settings settings) : settings_(std::move(settings)) {}

void AckTracker::update_settings(Settings settings) {
  settings_ = std::move(settings);
  // Deadlines follow the new ack wait and backoff: every pending message is armed again.
  deadlines_ = {};
  for (const auto& [seq, entry] : pending_)
    push_deadline(seq, entry);
}

void AckTracker::start_at(std::uint64_t stream_seq) noexcept {
  sseq_ = stream_seq;
  dseq_ = 1;
  // nats-server reports a new consumer's ack floor as 0/0 whatever its start (its stored state, read
  // back when it becomes leader, has only the delivered sequence set); the first ack moves it.
  adflr_ = 0;
  asflr_ = 0;
}

bool AckTracker::explicit_or_all() const noexcept {
  return settings_.ack_policy == AckPolicy::kExplicit || settings_.ack_policy == AckPolicy::kAll;
}

bool AckTracker::at_max_ack_pending() const noexcept {
  return explicit_or_all() && settings_.max_ack_pending > 0 &&
         pending_.size() >= static_cast<std::size_t>(settings_.max_ack_pending);
}

std::optional<AckTracker::Redelivery> AckTracker::next_redelivery(std::vector<std::uint64_t>& exceeded) {
  while (!rdq_.empty()) {
    const std::uint64_t seq = rdq_.front();
    rdq_.pop_front();
    rdq_members_.erase(seq);
    // rdc counts redeliveries; the delivery count is one more (incDeliveryCount).
    const std::uint64_t count = ++rdc_[seq] + 1;
    if (settings_.max_deliver > 0 && count > static_cast<std::uint64_t>(settings_.max_deliver)) {
      // Past max_deliver the message is never sent again; nats-server keeps its rdc entry, which
      // num_redelivered then still counts.
      pending_.erase(seq);
      if (count == static_cast<std::uint64_t>(settings_.max_deliver) + 1) exceeded.push_back(seq);
      continue;
    }
    return Redelivery{seq, count};
  }
  return std::nullopt;
}

void AckTracker::undo_redelivery(std::uint64_t stream_seq) {
  if (auto it = rdc_.find(stream_seq); it != rdc_.end() && --it->second == 0) rdc_.erase(it);
  if (rdq_members_.insert(stream_seq).second) rdq_.push_front(stream_seq);
}

void AckTracker::drop(std::uint64_t stream_seq) {
  pending_.erase(stream_seq);
  rdc_.erase(stream_seq);
}

std::uint64_t AckTracker::record_delivery(std::uint64_t stream_seq, std::int64_t now_ns) {
  const std::uint64_t consumer_seq = dseq_++;
  if (explicit_or_all()) {
    // A redelivered message keeps the consumer sequence of its first delivery in pending, as
    // nats-server's trackPending does: the ack floor moves by first deliveries.
    auto [it, inserted] = pending_.try_emplace(stream_seq, Pending{consumer_seq, now_ns});
    if (!inserted) it->second.timestamp_ns = now_ns;
    push_deadline(stream_seq, it->second);
  } else {
    adflr_ = consumer_seq;
    asflr_ = stream_seq;
  }
  return consumer_seq;
}

void AckTracker::delivery_failed(std::uint64_t stream_seq) {
  if (pending_.contains(stream_seq) && !rdq_members_.contains(stream_seq)) queue_redelivery(stream_seq);
}

void AckTracker::ack(std::uint64_t stream_seq, std::uint64_t consumer_seq,
                     std::vector<std::uint64_t>& settled) {
  switch (settings_.ack_policy) {
    case AckPolicy::kExplicit: {
      if (auto it = pending_.find(stream_seq); it != pending_.end()) {
        consumer_seq = it->second.consumer_seq;
        pending_.erase(it);
      }
      if (pending_.empty()) {
        adflr_ = dseq_ - 1;
        asflr_ = sseq_ - 1;
      } else if (consumer_seq == adflr_ + 1) {
        adflr_ = consumer_seq;
        asflr_ = stream_seq;
        for (std::uint64_t seq = stream_seq + 1; seq < sseq_; ++seq) {
          if (auto next = pending_.find(seq); next != pending_.end()) {
            if (next->second.consumer_seq > 0) {
              adflr_ = next->second.consumer_seq - 1;
              asflr_ = seq - 1;
            }
            break;
          }
        }
      }
      rdc_.erase(stream_seq);
      remove_from_redelivery(stream_seq);
      // nats-server lets the stream know whether or not the message was pending.
      settled.push_back(stream_seq);
      break;
    }
    case AckPolicy::kAll: {
      if (consumer_seq <= adflr_ || stream_seq <= asflr_) return;
      const std::uint64_t gap = stream_seq - asflr_;
      adflr_ = consumer_seq;
      asflr_ = stream_seq;
      for (std::uint64_t seq = stream_seq; seq > stream_seq - gap; --seq) {
        pending_.erase(seq);
        rdc_.erase(seq);
        remove_from_redelivery(seq);
        settled.push_back(seq);
      }
      break;
    }
    case AckPolicy::kNone:
      break;
  }
}

bool AckTracker::nak(std::uint64_t stream_seq, std::uint64_t consumer_seq, std::int64_t delay_ns,
                     std::int64_t now_ns) {
  if (consumer_seq <= adflr_ || consumer_seq > dseq_) return false;
  if (!pending_.empty() && !pending_.contains(stream_seq)) return false;
  if (delay_ns > 0) {
    remove_from_redelivery(stream_seq);
    if (auto it = pending_.find(stream_seq); it != pending_.end()) {
      // "now - ack_wait" is due at once; the delay is counted from there (processNak).
      it->second.timestamp_ns = now_ns - settings_.ack_wait_ns + delay_ns;
      push_deadline(stream_seq, it->second);
    }
    return true;
  }
  if (!rdq_members_.contains(stream_seq)) queue_redelivery(stream_seq);
  return true;
}

void AckTracker::progress(std::uint64_t stream_seq, std::int64_t now_ns) {
  if (auto it = pending_.find(stream_seq); it != pending_.end()) {
    it->second.timestamp_ns = now_ns;
    push_deadline(stream_seq, it->second);
  }
}

std::int64_t AckTracker::deadline_of(std::uint64_t stream_seq, const Pending& pending) const noexcept {
  if (settings_.backoff_ns.empty()) return pending.timestamp_ns + settings_.ack_wait_ns;
  const auto found = rdc_.find(stream_seq);
  const std::uint64_t redeliveries = found == rdc_.end() ? 0 : found->second;
  const std::size_t step = std::min<std::size_t>(redeliveries, settings_.backoff_ns.size() - 1);
  return pending.timestamp_ns + settings_.backoff_ns[step];
}

void AckTracker::push_deadline(std::uint64_t stream_seq, const Pending& pending) {
  // Stale entries are skipped when they surface; a heap far larger than what is pending (acks came
  // quickly) is rebuilt, so that its memory stays proportional to the pending messages.
  if (deadlines_.size() > 2 * pending_.size() + 1024) {
    std::vector<Deadline> fresh;
    fresh.reserve(pending_.size() + 1);
    for (const auto& [seq, entry] : pending_)
      fresh.push_back({deadline_of(seq, entry), seq});
    deadlines_ = decltype(deadlines_)(std::greater<>{}, std::move(fresh));
    return;
  }
  deadlines_.push({deadline_of(stream_seq, pending), stream_seq});
}

std::int64_t AckTracker::expire(std::int64_t now_ns) {
  std::vector<std::uint64_t> expired;
  while (!deadlines_.empty() && deadlines_.top().when_ns <= now_ns) {
    const Deadline top = deadlines_.top();
    deadlines_.pop();
    const auto it = pending_.find(top.stream_seq);
    if (it == pending_.end() || deadline_of(top.stream_seq, it->second) != top.when_ns) continue;
    if (!rdq_members_.contains(top.stream_seq)) expired.push_back(top.stream_seq);
  }
  std::sort(expired.begin(), expired.end());
  for (const std::uint64_t seq : expired)
    queue_redelivery(seq);
  return next_deadline();
}

std::int64_t AckTracker::next_deadline() const noexcept {
  return deadlines_.empty() ? 0 : deadlines_.top().when_ns;
}

void AckTracker::purge_below(std::uint64_t first_seq) {
  const std::size_t pending_before = pending_.size();
  const bool cursor_moved = sseq_ < first_seq;
  if (cursor_moved) sseq_ = first_seq;
  std::erase_if(pending_, [first_seq](const auto& entry) { return entry.first < first_seq; });
  std::erase_if(rdc_, [first_seq](const auto& entry) { return entry.first < first_seq; });
  std::erase_if(rdq_, [first_seq](std::uint64_t seq) { return seq < first_seq; });
  std::erase_if(rdq_members_, [first_seq](std::uint64_t seq) { return seq < first_seq; });
  // Only when the purge took something from this consumer do its floors move (consumer.go purge):
  // what was below the new first sequence counts as acknowledged, and with nothing left pending, so
  // is everything delivered.
  if (!cursor_moved && pending_.size() == pending_before) return;
  if (asflr_ + 1 < first_seq) asflr_ = first_seq - 1;
  if (pending_.empty()) {
    adflr_ = dseq_ - 1;
    asflr_ = sseq_ - 1;
  }
}

void AckTracker::forget(std::uint64_t stream_seq) {
  pending_.erase(stream_seq);
  rdc_.erase(stream_seq);
  remove_from_redelivery(stream_seq);
}

void AckTracker::queue_redelivery(std::uint64_t stream_seq) {
  rdq_.push_back(stream_seq);
  rdq_members_.insert(stream_seq);
}

bool AckTracker::remove_from_redelivery(std::uint64_t stream_seq) {
  if (rdq_members_.erase(stream_seq) == 0) return false;
  const auto it = std::find(rdq_.begin(), rdq_.end(), stream_seq);
  assert(it != rdq_.end());
  rdq_.erase(it);
  return true;
}

void AckTracker::restore(std::uint64_t next_stream_seq, std::uint64_t next_consumer_seq,
                         std::uint64_t ack_floor_consumer, std::uint64_t ack_floor_stream,
                         std::vector<std::pair<std::uint64_t, Pending>> pending,
                         std::vector<std::pair<std::uint64_t, std::uint64_t>> redelivered) {
  sseq_ = next_stream_seq;
  dseq_ = next_consumer_seq;
  adflr_ = ack_floor_consumer;
  asflr_ = ack_floor_stream;
  pending_.clear();
  rdc_.clear();
  rdq_.clear();
  rdq_members_.clear();
  deadlines_ = {};
  for (const auto& [seq, count] : redelivered)
    if (seq > asflr_) rdc_[seq] = count;
  for (const auto& [seq, entry] : pending) {
    pending_[seq] = entry;
    push_deadline(seq, entry);
  }
}

}  // namespace tern::server::jetstream
