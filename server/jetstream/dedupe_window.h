// The Nats-Msg-Id duplicate window of one stream: a publish whose id was stored within
// duplicate_window is acknowledged with the first one's sequence and "duplicate": true, and not stored.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tern::server::jetstream {

class DedupeWindow {
 public:
  // `window_ns` <= 0 keeps nothing.
  explicit DedupeWindow(std::int64_t window_ns = 0) : window_ns_(window_ns) {}

  void set_window(std::int64_t window_ns, std::int64_t now_ns) {
    window_ns_ = window_ns;
    expire(now_ns);
  }
  // The sequence stored under `id` within the window, or 0.
  std::uint64_t find(std::string_view id, std::int64_t now_ns);
  // Remembers `id` for the message `seq` stored at `timestamp_ns`.
  void remember(std::string_view id, std::uint64_t seq, std::int64_t timestamp_ns);
  void clear() {
    by_id_.clear();
    by_time_.clear();
  }
  std::size_t size() const noexcept { return by_id_.size(); }

 private:
  struct Entry {
    std::uint64_t seq;
    std::int64_t timestamp_ns;
  };
  void expire(std::int64_t now_ns);

  std::int64_t window_ns_;
  // Looked up by string_view (transparent hash and equality): a publish's id is checked without a copy.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id); }
  };
  std::unordered_map<std::string, Entry, IdHash, std::equal_to<>> by_id_;
  // Ids in the order they were stored (timestamps never decrease along a stream), for expiry.
  std::deque<std::pair<std::string, std::int64_t>> by_time_;
};

}  // namespace tern::server::jetstream
