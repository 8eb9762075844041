// PublishCache, the publisher's one-entry cache in front of the index's shared cache: what it answers,
// when it asks the index again (observed through Sublist::cache_stats()), and that it never makes the
// shared cache rebuild a result it would otherwise have edited in place.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "server/publish_cache.h"
#include "server/sublist.h"
#include "server/subscription.h"

using tern::server::MatchCacheStats;
using tern::server::MatchRef;
using tern::server::MatchResult;
using tern::server::PublishCache;
using tern::server::Sublist;
using tern::server::Subscription;

namespace {

Subscription make_sub(std::string subject, std::string queue = {}) {
  Subscription sub;
  sub.subject = std::move(subject);
  sub.queue = std::move(queue);
  return sub;
}

// The plain subscriptions of a lookup, taken and released at once, as a route does.
std::vector<Subscription*> plain_of(PublishCache& cache, Sublist& index, std::string_view subject) {
  const MatchRef match = cache.lookup(index, subject);
  return match->plain;
}

bool same_set(std::vector<Subscription*> a, std::vector<Subscription*> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

TEST_CASE("repeated lookups of one subject do not ask the index again", "[publish_cache]") {
  Sublist index;
  Subscription s1 = make_sub("a");
  index.insert(&s1);
  PublishCache cache;

  const MatchRef first = cache.lookup(index, "a");
  REQUIRE(first->plain == std::vector<Subscription*>{&s1});
  const MatchCacheStats after_first = index.cache_stats();
  CHECK(after_first.misses == 1);
  CHECK(after_first.hits == 0);
  CHECK(after_first.size == 1);

  for (int i = 0; i < 10; ++i) {
    const MatchRef again = cache.lookup(index, "a");
    CHECK(again.get() == first.get());
    CHECK(again->plain == std::vector<Subscription*>{&s1});
  }
  const MatchCacheStats after = index.cache_stats();
  CHECK(after.misses == 1);
  CHECK(after.hits == 0);
}

TEST_CASE("a different subject asks the index, and so does coming back", "[publish_cache]") {
  Sublist index;
  Subscription sa = make_sub("a");
  Subscription sb = make_sub("b");
  index.insert(&sa);
  index.insert(&sb);
  PublishCache cache;

  CHECK(plain_of(cache, index, "a") == std::vector<Subscription*>{&sa});
  CHECK(plain_of(cache, index, "b") == std::vector<Subscription*>{&sb});
  CHECK(index.cache_stats().misses == 2);
  CHECK(index.cache_stats().hits == 0);
  // "a" was replaced in the one entry: the index answers it again, from its own cache this time.
  CHECK(plain_of(cache, index, "a") == std::vector<Subscription*>{&sa});
  CHECK(index.cache_stats().misses == 2);
  CHECK(index.cache_stats().hits == 1);
  // Same length, different bytes (the inline comparison runs eight bytes at a time).
  Subscription long1 = make_sub("abcdefgh.ijklmnop.1");
  Subscription long2 = make_sub("abcdefgh.ijklmnop.2");
  index.insert(&long1);
  index.insert(&long2);
  CHECK(plain_of(cache, index, "abcdefgh.ijklmnop.1") == std::vector<Subscription*>{&long1});
  CHECK(plain_of(cache, index, "abcdefgh.ijklmnop.2") == std::vector<Subscription*>{&long2});
  CHECK(plain_of(cache, index, "abcdefgh.ijklmnop.1") == std::vector<Subscription*>{&long1});
}

TEST_CASE("after an insert or a remove the next lookup sees the change", "[publish_cache]") {
  Sublist index;
  Subscription s1 = make_sub("a.b");
  index.insert(&s1);
  PublishCache cache;
  CHECK(plain_of(cache, index, "a.b") == std::vector<Subscription*>{&s1});

  Subscription s2 = make_sub("a.b");
  index.insert(&s2);
  CHECK(same_set(plain_of(cache, index, "a.b"), {&s1, &s2}));

  Subscription wild = make_sub("a.*");
  index.insert(&wild);
  CHECK(same_set(plain_of(cache, index, "a.b"), {&s1, &s2, &wild}));

  Subscription queued = make_sub("a.>", "q");
  index.insert(&queued);
  {
    const MatchRef match = cache.lookup(index, "a.b");
    REQUIRE(match->queues.size() == 1);
    CHECK(match->queues[0].members == std::vector<Subscription*>{&queued});
  }

  REQUIRE(index.remove(&s1));
  CHECK(same_set(plain_of(cache, index, "a.b"), {&s2, &wild}));
  REQUIRE(index.remove(&wild));
  REQUIRE(index.remove(&queued));
  {
    const MatchRef match = cache.lookup(index, "a.b");
    CHECK(match->plain == std::vector<Subscription*>{&s2});
    CHECK(match->queues.empty());
  }
  REQUIRE(index.remove(&s2));
  CHECK(cache.lookup(index, "a.b")->empty());

  // From nothing to something: the empty result is not edited in place, but the answer is right.
  Subscription s3 = make_sub("a.b");
  index.insert(&s3);
  CHECK(plain_of(cache, index, "a.b") == std::vector<Subscription*>{&s3});
}

// The key property: the publisher's entry holds no reference of its own, so the shared cache still edits
// its result in place when the subscriptions on that subject change. Observed through the index's cache
// statistics: an edit in place leaves the entry cached (the next lookup hits); a result someone else
// holds is immutable, so the entry is dropped and the next lookup misses and rebuilds it.
TEST_CASE("holding a subject in a PublishCache does not force the index to rebuild it", "[publish_cache]") {
  Sublist index;
  Subscription s1 = make_sub("orders.new");
  index.insert(&s1);
  PublishCache cache;
  CHECK(plain_of(cache, index, "orders.new") == std::vector<Subscription*>{&s1});
  const MatchCacheStats before = index.cache_stats();
  REQUIRE(before.misses == 1);
  REQUIRE(before.size == 1);

  SECTION("a literal subscription on the same subject") {
    Subscription s2 = make_sub("orders.new");
    index.insert(&s2);
    CHECK(index.cache_stats().size == 1);  // Still cached: edited, not dropped.
    CHECK(same_set(plain_of(cache, index, "orders.new"), {&s1, &s2}));
    const MatchCacheStats after = index.cache_stats();
    CHECK(after.misses == before.misses);
    CHECK(after.hits == before.hits + 1);
    index.remove(&s2);
  }
  SECTION("a wildcard subscription that matches it") {
    Subscription wild = make_sub("orders.*");
    index.insert(&wild);
    CHECK(index.cache_stats().size == 1);
    CHECK(same_set(plain_of(cache, index, "orders.new"), {&s1, &wild}));
    const MatchCacheStats after = index.cache_stats();
    CHECK(after.misses == before.misses);
    CHECK(after.hits == before.hits + 1);
    index.remove(&wild);
  }
  SECTION("a removal") {
    Subscription s2 = make_sub("orders.new");
    index.insert(&s2);
    CHECK(same_set(plain_of(cache, index, "orders.new"), {&s1, &s2}));
    index.remove(&s1);
    CHECK(plain_of(cache, index, "orders.new") == std::vector<Subscription*>{&s2});
    const MatchCacheStats after = index.cache_stats();
    CHECK(after.misses == before.misses);
    CHECK(after.hits == before.hits + 2);
    index.remove(&s2);
  }
}

TEST_CASE("for comparison: a held MatchRef copy does force the rebuild", "[publish_cache]") {
  Sublist index;
  Subscription s1 = make_sub("orders.new");
  index.insert(&s1);
  PublishCache cache;
  const MatchRef held = cache.lookup(index, "orders.new");  // Held across the insert.
  const MatchCacheStats before = index.cache_stats();
  REQUIRE(before.misses == 1);

  Subscription s2 = make_sub("orders.new");
  index.insert(&s2);
  CHECK(index.cache_stats().size == 0);  // Dropped: the result was shared, so immutable.
  CHECK(same_set(plain_of(cache, index, "orders.new"), {&s1, &s2}));
  const MatchCacheStats after = index.cache_stats();
  CHECK(after.misses == before.misses + 1);
  CHECK(after.hits == before.hits);
  // The held copy still describes the index as it was.
  CHECK(held->plain == std::vector<Subscription*>{&s1});
  index.remove(&s2);
}

TEST_CASE("an entry the index evicted is looked up again, and the answer is right", "[publish_cache]") {
  // Two entries in all (one set of two ways): any two other subjects evict the first.
  Sublist index(true, 2);
  REQUIRE(index.cache_stats().capacity == 2);
  Subscription sa = make_sub("a");
  Subscription sb = make_sub("b");
  Subscription sc = make_sub("c");
  Subscription all = make_sub(">");
  index.insert(&sa);
  index.insert(&sb);
  index.insert(&sc);
  index.insert(&all);

  PublishCache cache;
  CHECK(same_set(plain_of(cache, index, "a"), {&sa, &all}));
  const std::uint64_t version = index.results_version();
  const MatchCacheStats before = index.cache_stats();
  REQUIRE(before.misses == 1);

  // Other publishers fill the shared cache; "a" is evicted and its result freed.
  PublishCache other;
  CHECK(same_set(plain_of(other, index, "b"), {&sb, &all}));
  CHECK(same_set(plain_of(other, index, "c"), {&sc, &all}));
  const MatchCacheStats filled = index.cache_stats();
  CHECK(filled.evictions == 1);
  CHECK(filled.size == 2);
  CHECK(index.results_version() != version);

  // The entry must not be trusted: the index is asked (a miss, since "a" is gone from its cache).
  CHECK(same_set(plain_of(cache, index, "a"), {&sa, &all}));
  const MatchCacheStats after = index.cache_stats();
  CHECK(after.misses == filled.misses + 1);
  // And it is current again: the next lookup does not ask.
  CHECK(same_set(plain_of(cache, index, "a"), {&sa, &all}));
  CHECK(index.cache_stats().misses == after.misses);
  CHECK(index.cache_stats().hits == after.hits);
}

TEST_CASE("with the index's cache disabled, the PublishCache keeps its own reference", "[publish_cache]") {
  Sublist index(false);
  Subscription s1 = make_sub("x.y");
  index.insert(&s1);
  PublishCache cache;

  const MatchResult* first = nullptr;
  {
    const MatchRef match = cache.lookup(index, "x.y");
    CHECK(match->plain == std::vector<Subscription*>{&s1});
    first = match.get();
  }
  // The caller's reference is gone; the entry's own keeps the result alive and it is reused.
  {
    const MatchRef match = cache.lookup(index, "x.y");
    CHECK(match.get() == first);
    CHECK(match->plain == std::vector<Subscription*>{&s1});
  }
  const MatchCacheStats stats = index.cache_stats();
  CHECK(stats.hits == 0);
  CHECK(stats.misses == 0);
  CHECK(stats.size == 0);

  Subscription s2 = make_sub("x.*");
  index.insert(&s2);
  CHECK(same_set(plain_of(cache, index, "x.y"), {&s1, &s2}));
  index.remove(&s1);
  CHECK(plain_of(cache, index, "x.y") == std::vector<Subscription*>{&s2});
  index.remove(&s2);
  CHECK(cache.lookup(index, "x.y")->empty());
}

TEST_CASE("disabling the index's cache while a PublishCache holds an entry", "[publish_cache]") {
  Sublist index;
  Subscription s1 = make_sub("k");
  index.insert(&s1);
  PublishCache cache;
  CHECK(plain_of(cache, index, "k") == std::vector<Subscription*>{&s1});
  index.set_cache_enabled(false);  // Frees the shared result the entry pointed at.
  CHECK(plain_of(cache, index, "k") == std::vector<Subscription*>{&s1});
  index.set_cache_enabled(true);
  CHECK(plain_of(cache, index, "k") == std::vector<Subscription*>{&s1});
  Subscription s2 = make_sub("k");
  index.insert(&s2);
  CHECK(same_set(plain_of(cache, index, "k"), {&s1, &s2}));
}

TEST_CASE("subjects with an empty token reach nothing and are never cached by the index", "[publish_cache]") {
  Sublist index;
  Subscription all = make_sub(">");
  index.insert(&all);
  PublishCache cache;
  for (const char* subject : {"", ".", ".a", "a.", "a..b"}) {
    CAPTURE(subject);
    CHECK(cache.lookup(index, subject)->empty());
    CHECK(cache.lookup(index, subject)->empty());
  }
  // The index is asked once per subject (it owns the subject check), the repeat is the publisher's own
  // cache, and the index stores none of them.
  const MatchCacheStats stats = index.cache_stats();
  CHECK(stats.hits == 0);
  CHECK(stats.misses == 5);
  CHECK(stats.size == 0);
  CHECK(plain_of(cache, index, "a") == std::vector<Subscription*>{&all});
}

TEST_CASE("clear() forgets the entry", "[publish_cache]") {
  Sublist index;
  Subscription s1 = make_sub("z");
  index.insert(&s1);
  PublishCache cache;
  CHECK(plain_of(cache, index, "z") == std::vector<Subscription*>{&s1});
  cache.clear();
  CHECK(plain_of(cache, index, "z") == std::vector<Subscription*>{&s1});
  CHECK(index.cache_stats().misses == 1);
  CHECK(index.cache_stats().hits == 1);
}
