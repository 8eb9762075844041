// The connections (and later other peers) that queued bytes this loop turn, flushed once each at the
// end of the turn, as Redis's clients_pending_write list is. Scheduling is idempotent here, in the
// scheduler: a target already on the list is not added twice, whoever asks.
#pragma once

#include <cassert>
#include <cstddef>
#include <vector>

namespace tern::server {

class FlushTarget {
 public:
  enum class Flushed : unsigned char {
    kDone,  // Nothing more to write now (all written, or the rest is with an asynchronous write).
    kMore,  // Stopped at the per-turn cap with bytes left and the socket still writable.
  };
  // Writes at most about `budget` bytes of what is queued.
  virtual Flushed flush(std::size_t budget) noexcept = 0;

 protected:
  virtual ~FlushTarget() = default;

 private:
  friend class FlushScheduler;
  bool scheduled_ = false;
};

class FlushScheduler {
 public:
  // Bytes one target may write in one loop turn, so that one deep backlog cannot starve the other
  // connections of the turn (Redis caps a client's write per event the same way).
  static constexpr std::size_t kMaxBytesPerTurn = 512 * 1024;

  void schedule(FlushTarget& target) {
    if (target.scheduled_) return;
    target.scheduled_ = true;
    pending_.push_back(&target);
  }
  // Takes `target` off the list; for a target about to be destroyed.
  void cancel(FlushTarget& target) noexcept {
    // Also from the targets a run in progress carries over, which are not marked scheduled yet.
    std::erase(carried_, &target);
    if (!target.scheduled_) return;
    target.scheduled_ = false;
    std::erase(pending_, &target);
  }
  bool scheduled(const FlushTarget& target) const noexcept { return target.scheduled_; }

  // Flushes every target scheduled so far, once. Those that stopped at the cap stay scheduled for the
  // next turn; returns true when any did, so that the loop must not sleep. A flush may schedule more
  // targets (they are flushed in this same call).
  bool run() noexcept {
    carried_.clear();
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      FlushTarget* target = pending_[i];
      target->scheduled_ = false;
      if (target->flush(kMaxBytesPerTurn) == FlushTarget::Flushed::kMore) carried_.push_back(target);
    }
    pending_.clear();
    for (FlushTarget* target : carried_)
      schedule(*target);
    return !carried_.empty();
  }

 private:
  std::vector<FlushTarget*> pending_;
  std::vector<FlushTarget*> carried_;
};

}  // namespace tern::server
