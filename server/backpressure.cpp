#include "server/backpressure.h"

#include <algorithm>
#include <cassert>

namespace tern::server {

Backpressure::Clock::duration Backpressure::stall_duration(std::int64_t pending,
                                                           std::int64_t budget) noexcept {
  if (pending >= budget) return kMaxStall;
  const std::int64_t half = budget / 2;
  Clock::duration ttl = kMinStall;
  const std::int64_t step = half / 10;
  if (pending > half && step > 0) ttl += kMinStall * ((pending - half) / step);
  // Not capped at kMaxStall: nats-server's stepped branch is not either (1.1 s just under a 64 MiB budget).
  return ttl;
}

void Backpressure::stall(std::uint64_t publisher, std::uint64_t receiver, Clock::time_point deadline) {
  assert(!stalled(publisher));
  waits_.push_back({publisher, receiver, deadline});
}

bool Backpressure::stalled(std::uint64_t publisher) const noexcept {
  return std::any_of(waits_.begin(), waits_.end(), [&](const Wait& w) { return w.publisher == publisher; });
}

bool Backpressure::has_waiters(std::uint64_t receiver) const noexcept {
  return std::any_of(waits_.begin(), waits_.end(), [&](const Wait& w) { return w.receiver == receiver; });
}

std::vector<std::uint64_t> Backpressure::release_receiver(std::uint64_t receiver) {
  std::vector<std::uint64_t> released;
  std::erase_if(waits_, [&](const Wait& w) {
    if (w.receiver != receiver) return false;
    released.push_back(w.publisher);
    return true;
  });
  return released;
}

std::vector<std::uint64_t> Backpressure::release_expired(Clock::time_point now) {
  std::vector<std::uint64_t> released;
  std::erase_if(waits_, [&](const Wait& w) {
    if (w.deadline > now) return false;
    released.push_back(w.publisher);
    return true;
  });
  return released;
}

bool Backpressure::forget_publisher(std::uint64_t publisher) noexcept {
  return std::erase_if(waits_, [&](const Wait& w) { return w.publisher == publisher; }) != 0;
}

std::optional<Backpressure::Clock::time_point> Backpressure::next_deadline() const noexcept {
  if (waits_.empty()) return std::nullopt;
  return std::min_element(waits_.begin(), waits_.end(),
                          [](const Wait& a, const Wait& b) { return a.deadline < b.deadline; })
      ->deadline;
}

}  // namespace tern::server
