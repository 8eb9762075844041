#include "server/sublist.h"

#include <cassert>

#include "protocol/subject.h"
#include "server/hash_bytes.h"
#include "server/sublist_cache.h"
#include "server/sublist_trie.h"

namespace tern::server {

void detail::destroy(SharedMatchResult* shared) noexcept {
  delete shared;
}

Sublist::Sublist(bool cache_enabled, std::size_t cache_capacity)
    : root_(detail::Node::create({})),
      cache_(std::make_unique<detail::MatchCache>(cache_capacity)),
      cache_enabled_(cache_enabled) {}

Sublist::~Sublist() {
  // Cached results only point at subscriptions, so the order does not matter.
  cache_->clear();
  detail::Node::destroy_tree(root_);
}

void Sublist::insert(Subscription* sub) {
  assert(protocol::is_valid_subscription_subject(sub->subject));
  assert(sub->queue.empty() || protocol::is_valid_queue_name(sub->queue));
  const protocol::SubjectTokens tokens(sub->subject);
  detail::insert_subscription(root_, tokens, sub);
  ++count_;
  ++inserts_;
  ++generation_;
  ++results_version_;
  update_cache(sub, true);
}

bool Sublist::remove(Subscription* sub) {
  const protocol::SubjectTokens tokens(sub->subject);
  if (!detail::remove_subscription(root_, tokens, sub)) return false;
  --count_;
  ++removes_;
  ++generation_;
  ++results_version_;
  update_cache(sub, false);
  return true;
}

void Sublist::update_cache(Subscription* sub, bool added) {
  const auto change = added ? detail::MatchCache::Change::kAdded : detail::MatchCache::Change::kRemoved;
  if (!cache_enabled_) return;
  if (protocol::has_wildcard(sub->subject)) {
    cache_->update_matching(sub->subject, sub, change);
  } else {
    cache_->update_subject(sub->subject, detail::hash_bytes(sub->subject), sub, change);
  }
}

namespace {

// True when the subject had an empty token: it was empty, or began or ended with '.', or held "..".
bool has_empty_token(const protocol::SubjectTokens& tokens) noexcept {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) return true;
  }
  return false;
}

}  // namespace

MatchRef Sublist::match(std::string_view subject) {
  ++matches_;
  std::uint64_t hash = 0;
  if (cache_enabled_) {
    hash = detail::hash_bytes(subject);
    // Only subjects without empty tokens are ever stored, so checking the cache first is safe and keeps
    // a hit free of tokenizing, as in nats-server's Sublist.Match.
    if (detail::SharedMatchResult* cached = cache_->find(subject, hash)) {
      detail::retain(cached);
      return MatchRef(cached);
    }
  }
  const protocol::SubjectTokens tokens(subject);
  if (has_empty_token(tokens)) return MatchRef();
  MatchResult found;
  detail::collect_matches(root_, tokens, found);
  detail::SharedMatchResult* shared = &detail::empty_shared_result;
  if (!found.empty()) shared = new detail::SharedMatchResult{1, std::move(found)};
  if (cache_enabled_ && cache_->store(subject, hash, shared)) ++results_version_;
  return MatchRef(shared);
}

void Sublist::set_cache_enabled(bool enabled) {
  if (!enabled) {
    cache_->clear();
    ++results_version_;
  }
  cache_enabled_ = enabled;
}

MatchCacheStats Sublist::cache_stats() const noexcept {
  return cache_->stats();
}

}  // namespace tern::server
