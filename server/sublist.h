// The subject index: which subscriptions a published literal subject reaches.
//
// A trie with one level per subject token. Each node has a hash table of literal children plus dedicated
// '*' and '>' children, and holds the plain subscriptions and the queue groups whose subject ends there.
// In front of it sits a bounded cache of match results keyed by literal subject, which insert and remove
// update precisely. Single-threaded: one event loop owns a Sublist and every MatchRef taken from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "server/subscription.h"

namespace tern::server {

// The members of one queue group that match a subject, merged across every matching pattern.
struct QueueGroupMatch {
  std::string_view name;  // Views the queue string of one of the members.
  std::vector<Subscription*> members;
};

// Every subscription a literal subject reaches. Plain subscribers each get the message; each queue
// group gets it once, delivered to one member the caller picks.
struct MatchResult {
  std::vector<Subscription*> plain;
  std::vector<QueueGroupMatch> queues;

  bool empty() const noexcept { return plain.empty() && queues.empty(); }
};

namespace detail {

inline constexpr std::uint32_t kImmortalRefs = UINT32_MAX;

struct SharedMatchResult {
  std::uint32_t refs = 1;  // kImmortalRefs marks the shared empty result, which is never counted.
  MatchResult result;
};

// Shared by every subject that matches nothing. Never written to, so several loops on several threads
// may hand it out at once.
inline constinit SharedMatchResult empty_shared_result{kImmortalRefs, {}};

// Frees a result whose last reference went. Out of line, which also keeps GCC from warning that the
// inlined delete could reach the static empty result (it cannot: that one is never counted down).
void destroy(SharedMatchResult* shared) noexcept;

inline void retain(SharedMatchResult* shared) noexcept {
  if (shared->refs != kImmortalRefs) ++shared->refs;
}
inline void release(SharedMatchResult* shared) noexcept {
  if (shared->refs != kImmortalRefs && --shared->refs == 0) destroy(shared);
}

}  // namespace detail

// A counted, non-atomic reference to an immutable MatchResult. Copies share the result, which lives until
// the last copy goes, so a connection's own cache may keep a result after the Sublist evicted it.
// A result describes the index as of the Sublist::generation() at which it was taken: once the generation
// has moved on, its subscription pointers may dangle and must not be dereferenced.
class MatchRef {
 public:
  MatchRef() noexcept = default;
  MatchRef(const MatchRef& other) noexcept : shared_(other.shared_) { retain(); }
  MatchRef(MatchRef&& other) noexcept : shared_(std::exchange(other.shared_, &detail::empty_shared_result)) {}
  MatchRef& operator=(const MatchRef& other) noexcept {
    MatchRef copy(other);
    std::swap(shared_, copy.shared_);
    return *this;
  }
  MatchRef& operator=(MatchRef&& other) noexcept {
    MatchRef taken(std::move(other));
    std::swap(shared_, taken.shared_);
    return *this;
  }
  ~MatchRef() { release(); }

  const MatchResult& operator*() const noexcept { return shared_->result; }
  const MatchResult* operator->() const noexcept { return &shared_->result; }
  const MatchResult* get() const noexcept { return &shared_->result; }

 private:
  friend class Sublist;
  friend class PublishCache;

  // Adopts one reference that the caller already counted.
  explicit MatchRef(detail::SharedMatchResult* shared) noexcept : shared_(shared) {}

  void retain() noexcept { detail::retain(shared_); }
  void release() noexcept { detail::release(shared_); }

  detail::SharedMatchResult* shared_ = &detail::empty_shared_result;
};

struct MatchCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t max_fanout = 0;  // Most subscriptions in one cached result.
  double avg_fanout = 0;         // Subscriptions per cached result.
  std::uint64_t misses = 0;      // Lookups that found no entry, counted only while the cache is enabled.
  std::uint64_t evictions = 0;   // Entries replaced by another subject because their set was full.
  std::size_t size = 0;          // Subjects cached now.
  std::size_t capacity = 0;
};

namespace detail {
class Node;
class MatchCache;
}  // namespace detail

class Sublist {
 public:
  static constexpr std::size_t kDefaultCacheCapacity = 4096;

  // The cache capacity is rounded up to a power of two, at least 2.
  explicit Sublist(bool cache_enabled = true, std::size_t cache_capacity = kDefaultCacheCapacity);
  ~Sublist();
  Sublist(const Sublist&) = delete;
  Sublist& operator=(const Sublist&) = delete;

  // Adds `sub` under sub->subject and sub->queue. Preconditions: sub->subject is a valid subscription
  // subject, sub->queue is empty or a valid queue name, neither changes until `sub` is removed, `sub` stays
  // at its address until then, and `sub` is not in the index already.
  void insert(Subscription* sub);

  // Takes `sub` out of the index; false when it was not in it. Precondition: sub->subject and sub->queue
  // are what they were at insert. Costs O(subscriptions on the same subject) besides the walk.
  bool remove(Subscription* sub);

  // The subscriptions that the published `subject` reaches. Any bytes are accepted, so callers need no
  // check of their own: a subject with an empty token (empty, a leading or trailing '.', or "..") reaches
  // nothing and gets the empty result, as in nats-server's Sublist.Match. Other bytes are matched as
  // they are: a "*" or ">" token of a published subject is a plain token that only wildcard
  // subscriptions match, again as in nats-server.
  MatchRef match(std::string_view subject);

  // Moves on at every insert and every successful remove, so a result taken at generation G is current
  // exactly while generation() == G.
  std::uint64_t generation() const noexcept { return generation_; }
  // Counters since construction, for monitoring (/subsz): subscriptions added and removed, and lookups
  // (match() calls, whether the cache answered them or not).
  std::uint64_t inserts() const noexcept { return inserts_; }
  std::uint64_t removes() const noexcept { return removes_; }
  std::uint64_t matches() const noexcept { return matches_; }
  // Moves whenever a result the shared cache holds may have changed or been freed: at every insert and
  // remove (as generation() does) and also when the cache evicts or drops entries. A caller that keeps a
  // result without a reference of its own (PublishCache) may use it exactly while this has not moved.
  std::uint64_t results_version() const noexcept { return results_version_; }
  std::size_t count() const noexcept { return count_; }

  bool cache_enabled() const noexcept { return cache_enabled_; }
  // Disabling drops every cached result.
  void set_cache_enabled(bool enabled);
  MatchCacheStats cache_stats() const noexcept;

 private:
  void update_cache(Subscription* sub, bool added);

  detail::Node* root_;
  std::unique_ptr<detail::MatchCache> cache_;
  std::uint64_t generation_ = 0;
  std::uint64_t results_version_ = 0;
  std::uint64_t inserts_ = 0, removes_ = 0, matches_ = 0;
  std::size_t count_ = 0;
  bool cache_enabled_;
};

}  // namespace tern::server
