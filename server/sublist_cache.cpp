#include "server/sublist_cache.h"

#include <algorithm>
#include <bit>

#include "protocol/subject.h"
#include "server/sublist_result.h"

namespace tern::server::detail {

MatchCache::MatchCache(std::size_t capacity) {
  const std::size_t sets = std::bit_ceil(capacity < kWays ? kWays : capacity) / kWays;
  entries_.resize(sets * kWays);
  recent_way_.resize(sets);
  set_mask_ = sets - 1;
}

MatchCache::~MatchCache() {
  clear();
}

SharedMatchResult* MatchCache::find(std::string_view subject, std::uint64_t hash) noexcept {
  Entry* set = set_of(hash);
  for (std::size_t way = 0; way < kWays; ++way) {
    Entry& entry = set[way];
    if (entry.result != nullptr && entry.hash == hash && entry.subject == subject) {
      recent_way_[hash & set_mask_] = static_cast<std::uint8_t>(way);
      ++hits_;
      return entry.result;
    }
  }
  ++misses_;
  return nullptr;
}

bool MatchCache::store(std::string_view subject, std::uint64_t hash, SharedMatchResult* result) {
  Entry* set = set_of(hash);
  std::uint8_t& recent = recent_way_[hash & set_mask_];
  std::size_t way = 0;
  while (way < kWays && set[way].result != nullptr)
    ++way;
  const bool evicted = way == kWays;
  if (evicted) {
    way = (recent + 1) % kWays;
    drop(set[way]);
    ++evictions_;
  }
  Entry& entry = set[way];
  entry.subject.assign(subject);
  entry.hash = hash;
  retain(result);
  entry.result = result;
  recent = static_cast<std::uint8_t>(way);
  ++size_;
  return evicted;
}

void MatchCache::update_subject(std::string_view subject, std::uint64_t hash, Subscription* sub,
                                Change change) {
  Entry* set = set_of(hash);
  for (std::size_t way = 0; way < kWays; ++way) {
    Entry& entry = set[way];
    if (entry.result != nullptr && entry.hash == hash && entry.subject == subject) {
      update(entry, sub, change);
      return;
    }
  }
}

void MatchCache::update_matching(std::string_view pattern, Subscription* sub, Change change) {
  for (Entry& entry : entries_) {
    if (entry.result != nullptr && protocol::subject_matches(pattern, entry.subject))
      update(entry, sub, change);
  }
}

// A result that only the cache holds is edited in place. One that a caller also holds is immutable, so
// the entry is dropped and the next match rebuilds it. A large result is dropped rather than searched
// for a leaving member: a client that ends many subscriptions on one subject would otherwise cost
// O(n) per removal, O(n^2) in all.
void MatchCache::update(Entry& entry, Subscription* sub, Change change) {
  constexpr std::size_t kEditInPlaceLimit = 64;
  const MatchResult& result = entry.result->result;
  std::size_t members = result.plain.size();
  for (const QueueGroupMatch& group : result.queues)
    members += group.members.size();
  const bool large = members > kEditInPlaceLimit;
  if (entry.result->refs != 1 || (change == Change::kRemoved && large)) {
    drop(entry);
    return;
  }
  if (change == Change::kAdded) {
    add_to_result(entry.result->result, sub);
  } else {
    remove_from_result(entry.result->result, sub);
  }
}

void MatchCache::drop(Entry& entry) noexcept {
  release(entry.result);
  entry.result = nullptr;
  --size_;
}

void MatchCache::clear() noexcept {
  for (Entry& entry : entries_) {
    if (entry.result != nullptr) drop(entry);
  }
}

MatchCacheStats MatchCache::stats() const noexcept {
  MatchCacheStats stats;
  stats.hits = hits_;
  stats.misses = misses_;
  stats.evictions = evictions_;
  stats.size = size_;
  stats.capacity = entries_.size();
  // Walks the cache (a few thousand entries at most): only monitoring asks, never the hot path.
  std::uint64_t total = 0;
  for (const Entry& entry : entries_) {
    if (entry.result == nullptr) continue;
    std::uint64_t fanout = entry.result->result.plain.size();
    for (const QueueGroupMatch& group : entry.result->result.queues)
      fanout += group.members.size();
    total += fanout;
    stats.max_fanout = std::max(stats.max_fanout, fanout);
  }
  if (size_ > 0) stats.avg_fanout = static_cast<double>(total) / static_cast<double>(size_);
  return stats;
}

}  // namespace tern::server::detail
