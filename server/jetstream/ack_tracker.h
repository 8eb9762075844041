// The delivery and acknowledgement state of one consumer, as nats-server 2.9.10 keeps it (consumer.go):
// the next stream sequence to look at and the next consumer sequence to give, the ack floor, the
// messages delivered and not yet acknowledged (`pending`), how often each was redelivered (`rdc`) and
// the queue of those due again (`rdq`). Pure: no store, no sockets, and the clock is an argument, so
// that redelivery timing is tested with a fake clock.
//
// Deadlines are kept in a lazy min-heap: an entry is pushed whenever a pending message's timestamp
// changes, and entries that no longer match their message's current deadline are skipped when they
// surface. nats-server instead walks every pending message on each timer tick.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/jetstream/consumer_policies.h"

namespace tern::server::jetstream {

class AckTracker {
 public:
  struct Settings {
    AckPolicy ack_policy{};
    std::int64_t ack_wait_ns = 30'000'000'000;
    std::vector<std::int64_t> backoff_ns;
    std::int64_t max_deliver = -1;      // <= 0: unlimited.
    std::int64_t max_ack_pending = -1;  // <= 0: unlimited.
  };
  struct Pending {
    std::uint64_t consumer_seq = 0;
    std::int64_t timestamp_ns = 0;  // When it was (last) delivered; its deadline runs from here.
  };
  // What a redelivery hands out: the stream sequence and its delivery count.
  struct Redelivery {
    std::uint64_t stream_seq = 0;
    std::uint64_t delivery_count = 0;
  };

  explicit AckTracker(Settings settings);
  // New limits from a consumer update (ack_wait, backoff, max_deliver, max_ack_pending).
  void update_settings(Settings settings);

  // Starts delivering at `stream_seq` (selectStartingSeqNo): consumer sequence 1, nothing acked.
  void start_at(std::uint64_t stream_seq) noexcept;

  // ---- The cursors.
  // The next stream sequence to look at for a new message (o.sseq).
  std::uint64_t next_stream_seq() const noexcept { return sseq_; }
  // A new message at `stream_seq` was found (or the search passed it): the cursor moves past it.
  void advance_past(std::uint64_t stream_seq) noexcept {
    if (stream_seq >= sseq_) sseq_ = stream_seq + 1;
  }
  void set_next_stream_seq(std::uint64_t stream_seq) noexcept { sseq_ = stream_seq; }
  // The next consumer sequence (o.dseq).
  std::uint64_t next_consumer_seq() const noexcept { return dseq_; }
  std::uint64_t ack_floor_consumer_seq() const noexcept { return adflr_; }
  std::uint64_t ack_floor_stream_seq() const noexcept { return asflr_; }

  // ---- Delivery.
  // True while no new message may go out: explicit or all acks and max_ack_pending reached.
  bool at_max_ack_pending() const noexcept;
  bool has_redeliveries() const noexcept { return !rdq_.empty(); }
  std::size_t redelivery_count() const noexcept { return rdq_.size(); }
  // The next message due again, its redelivery count raised. Messages past max_deliver leave pending
  // for good and are skipped; their stream sequences are appended to `exceeded`. Nothing when the
  // queue is empty.
  std::optional<Redelivery> next_redelivery(std::vector<std::uint64_t>& exceeded);
  // A redelivery taken with next_redelivery that was not sent (nobody to take it now): it goes back to
  // the head of the queue with its count as it was.
  void undo_redelivery(std::uint64_t stream_seq);
  // A redelivery taken with next_redelivery could not be sent (its message is gone): forgets it.
  void drop(std::uint64_t stream_seq);
  // Records that `stream_seq` was delivered now with the consumer sequence next_consumer_seq(), which
  // it consumes. Returns that consumer sequence.
  std::uint64_t record_delivery(std::uint64_t stream_seq, std::int64_t now_ns);
  // A delivery reached no one: it is queued to go again at once (didNotDeliver), if still pending.
  void delivery_failed(std::uint64_t stream_seq);

  // ---- Acknowledgements. Each returns the stream sequences that the ack settled (for work-queue and
  // interest retention: those may leave the stream); acks of what is not pending settle nothing.
  void ack(std::uint64_t stream_seq, std::uint64_t consumer_seq, std::vector<std::uint64_t>& settled);
  // -NAK: due again now, or `delay_ns` from now when positive. False when ignored.
  bool nak(std::uint64_t stream_seq, std::uint64_t consumer_seq, std::int64_t delay_ns, std::int64_t now_ns);
  // +WPI: the ack wait starts again.
  void progress(std::uint64_t stream_seq, std::int64_t now_ns);

  // ---- Time.
  // Moves every pending message whose ack deadline has passed to the redelivery queue, in stream
  // order (checkPending). Returns the next deadline, 0 when nothing is pending.
  std::int64_t expire(std::int64_t now_ns);
  // The earliest ack deadline (0: none). May be early (a stale heap entry); expire() then re-arms.
  std::int64_t next_deadline() const noexcept;

  // ---- The stream lost messages below `first_seq` (purge, limits): what they held is forgotten.
  void purge_below(std::uint64_t first_seq);
  // A message at `stream_seq` was removed from the stream (not by this consumer's ack).
  void forget(std::uint64_t stream_seq);

  // ---- Inspection and persistence.
  const std::unordered_map<std::uint64_t, Pending>& pending() const noexcept { return pending_; }
  const std::unordered_map<std::uint64_t, std::uint64_t>& redelivered() const noexcept { return rdc_; }
  // Entries in the deadline heap, stale ones included.
  std::size_t deadline_entries() const noexcept { return deadlines_.size(); }
  // Restores a recovered state: cursors, floors, pending (whose deadlines restart from their
  // timestamps) and redelivery counts.
  void restore(std::uint64_t next_stream_seq, std::uint64_t next_consumer_seq,
               std::uint64_t ack_floor_consumer, std::uint64_t ack_floor_stream,
               std::vector<std::pair<std::uint64_t, Pending>> pending,
               std::vector<std::pair<std::uint64_t, std::uint64_t>> redelivered);

 private:
  struct Deadline {
    std::int64_t when_ns;
    std::uint64_t stream_seq;
    bool operator>(const Deadline& other) const noexcept { return when_ns > other.when_ns; }
  };
  bool explicit_or_all() const noexcept;
  // The ack deadline of a pending message: ack_wait, or the backoff step for its redelivery count.
  std::int64_t deadline_of(std::uint64_t stream_seq, const Pending& pending) const noexcept;
  void push_deadline(std::uint64_t stream_seq, const Pending& pending);
  void queue_redelivery(std::uint64_t stream_seq);
  bool remove_from_redelivery(std::uint64_t stream_seq);

  Settings settings_;
  std::uint64_t sseq_ = 1;
  std::uint64_t dseq_ = 1;
  std::uint64_t adflr_ = 0;
  std::uint64_t asflr_ = 0;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::unordered_map<std::uint64_t, std::uint64_t> rdc_;
  std::deque<std::uint64_t> rdq_;
  std::unordered_set<std::uint64_t> rdq_members_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
};

}  // namespace tern::server::jetstream
