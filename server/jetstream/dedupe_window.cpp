#include "server/jetstream/dedupe_window.h"

namespace tern::server::jetstream {

std::uint64_t DedupeWindow::find(std::string_view id, std::int64_t now_ns) {
  expire(now_ns);
  const auto found = by_id_.find(id);
  return found == by_id_.end() ? 0 : found->second.seq;
}

void DedupeWindow::remember(std::string_view id, std::uint64_t seq, std::int64_t timestamp_ns) {
  if (window_ns_ <= 0) return;
  auto [it, inserted] = by_id_.try_emplace(std::string(id), Entry{seq, timestamp_ns});
  if (!inserted) it->second = Entry{seq, timestamp_ns};
  by_time_.emplace_back(it->first, timestamp_ns);
}

void DedupeWindow::expire(std::int64_t now_ns) {
  while (!by_time_.empty() && (window_ns_ <= 0 || by_time_.front().second < now_ns - window_ns_)) {
    const auto& [id, timestamp_ns] = by_time_.front();
    // Drop the id only if this FIFO entry is its latest storing.
    const auto found = by_id_.find(id);
    if (found != by_id_.end() && found->second.timestamp_ns == timestamp_ns) by_id_.erase(found);
    by_time_.pop_front();
  }
}

}  // namespace tern::server::jetstream
