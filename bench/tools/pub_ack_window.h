// The PubAcks a js-pub publisher is waiting for: at most a window of them, each remembered with the time
// its message was sent so that the ack's latency can be taken. Message n lives in slot n % capacity. A
// slot still taken when its next message is due (acks arriving out of order) holds that message back,
// so the bound holds and no send time is overwritten.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bench/tools/client_sample.h"

namespace tern::bench {

class PubAckWindow {
 public:
  explicit PubAckWindow(std::size_t capacity) : slots_(capacity) {}

  bool can_send(std::uint64_t number) const noexcept {
    return outstanding_ < slots_.size() && !slot(number).pending;
  }

  // Precondition: can_send(number).
  void sent(std::uint64_t number, Clock::time_point at) noexcept {
    Slot& taken = slot(number);
    taken = Slot{.number = number, .sent_at = at, .pending = true};
    ++outstanding_;
  }

  // The send time of message `number` when its ack was awaited, after which it no longer is; nothing for
  // an ack that was not awaited (a duplicate, or one for another run's message).
  std::optional<Clock::time_point> acknowledge(std::uint64_t number) noexcept {
    Slot& awaited = slot(number);
    if (!awaited.pending || awaited.number != number) return std::nullopt;
    awaited.pending = false;
    --outstanding_;
    return awaited.sent_at;
  }

  std::size_t outstanding() const noexcept { return outstanding_; }

 private:
  struct Slot {
    std::uint64_t number = 0;
    Clock::time_point sent_at{};
    bool pending = false;
  };

  Slot& slot(std::uint64_t number) noexcept { return slots_[number % slots_.size()]; }
  const Slot& slot(std::uint64_t number) const noexcept { return slots_[number % slots_.size()]; }

  std::vector<Slot> slots_;
  std::size_t outstanding_ = 0;
};

}  // namespace tern::bench
