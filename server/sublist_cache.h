// The match cache of Sublist: results by literal subject, bounded, updated precisely on every change.
//
// Set-associative with two ways per set and one recently-used bit, so its memory is fixed at
// construction and a full cache replaces one entry per miss instead of sweeping (nats-server's sweeps
// thrash under many distinct subjects: nats-server issues #710, #941, #4341). Two ways keep two hot
// subjects that share a set from evicting each other.
//
// It is not a FlatTable, although it hashes with the same detail::hash_bytes: a FlatTable grows with its
// contents and lets a probe run cross any number of slots, while this cache must stay at a fixed size,
// find an entry in exactly one set of kWays slots, and choose its victim within that set. It also owns its
// keys (a copy of each subject, as a result holds no subject to view), where a FlatTable keys on views into
// the objects it points at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/sublist.h"

namespace tern::server::detail {

class MatchCache {
 public:
  enum class Change { kAdded, kRemoved };

  // The capacity is rounded up to a power of two, at least 2.
  explicit MatchCache(std::size_t capacity);
  ~MatchCache();
  MatchCache(const MatchCache&) = delete;
  MatchCache& operator=(const MatchCache&) = delete;

  // The cached result for `subject`, still owned by the cache, or null. `hash` is hash_bytes(subject).
  SharedMatchResult* find(std::string_view subject, std::uint64_t hash) noexcept;
  // Caches `result` under `subject`, counting a reference of its own and evicting another subject of the
  // same set when the set is full. Returns true when another subject's entry was evicted for it.
  // Precondition: `subject` is not cached.
  bool store(std::string_view subject, std::uint64_t hash, SharedMatchResult* result);

  // Brings the entry of the literal `subject`, if any, up to date after `sub` was added or removed.
  void update_subject(std::string_view subject, std::uint64_t hash, Subscription* sub, Change change);
  // Brings every entry whose subject `pattern` matches up to date. Scans the whole cache.
  void update_matching(std::string_view pattern, Subscription* sub, Change change);

  void clear() noexcept;
  MatchCacheStats stats() const noexcept;

 private:
  static constexpr std::size_t kWays = 2;

  struct Entry {
    std::uint64_t hash = 0;
    SharedMatchResult* result = nullptr;  // Null when the entry is free.
    std::string subject;
  };

  Entry* set_of(std::uint64_t hash) noexcept { return &entries_[(hash & set_mask_) * kWays]; }
  void update(Entry& entry, Subscription* sub, Change change);
  void drop(Entry& entry) noexcept;

  std::vector<Entry> entries_;
  std::vector<std::uint8_t> recent_way_;  // Per set: the way that was hit or filled last.
  std::size_t set_mask_;
  std::size_t size_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace tern::server::detail
