// Backpressure: publishers whose reads are paused because a receiver they just fed is congested (holds
// more than half its max_pending). nats-server stalls a fast producer's read loop the same way, so that
// TCP pushes back on the publisher before the receiver's budget is reached and it is cut as a slow
// consumer. Each pause is bounded in time; it ends early when the receiver drains or goes away.
//
// Pure bookkeeping by subscriber id, with the clock passed in: the server owns the timer and resumes the
// publishers this returns. Publishers that fed no congested receiver are never here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace tern::server {

class Backpressure {
 public:
  using Clock = std::chrono::steady_clock;
  // nats-server's bounds for one stall: 100 ms, growing with the receiver's backlog, 1 s at the budget.
  static constexpr auto kMinStall = std::chrono::milliseconds(100);
  static constexpr auto kMaxStall = std::chrono::milliseconds(1000);

  // How long a publisher waits for a receiver holding `pending` of its `budget` bytes: the minimum,
  // plus the minimum again for each tenth of the upper half of the budget that is in use, and the
  // maximum once the budget is reached (nats-server's stallDuration, which may pass the maximum just
  // below the budget: 1.1 s for a budget of 64 MiB).
  static Clock::duration stall_duration(std::int64_t pending, std::int64_t budget) noexcept;

  // Records that `publisher` waits for `receiver` until `deadline`. A publisher waits on one receiver
  // at a time. Precondition: publisher is not waiting already.
  void stall(std::uint64_t publisher, std::uint64_t receiver, Clock::time_point deadline);
  bool stalled(std::uint64_t publisher) const noexcept;
  bool has_waiters(std::uint64_t receiver) const noexcept;

  // The publishers waiting for `receiver`, which drained or closed; they are forgotten.
  std::vector<std::uint64_t> release_receiver(std::uint64_t receiver);
  // The publishers whose deadline has passed; they are forgotten.
  std::vector<std::uint64_t> release_expired(Clock::time_point now);
  // Forgets `publisher` (it closed); false when it was not waiting.
  bool forget_publisher(std::uint64_t publisher) noexcept;

  // The earliest deadline of those waiting, if any.
  std::optional<Clock::time_point> next_deadline() const noexcept;
  std::size_t size() const noexcept { return waits_.size(); }

 private:
  struct Wait {
    std::uint64_t publisher;
    std::uint64_t receiver;
    Clock::time_point deadline;
  };
  // Few entries at once (only publishers feeding a congested receiver), so a vector beats a map.
  std::vector<Wait> waits_;
};

}  // namespace tern::server
