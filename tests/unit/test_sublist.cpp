// The subject index against a brute-force oracle, plus its cache, generation and lifetime contracts.
// Every test runs once per cache configuration, like nats-server's sublist_test.go (TestX/TestXNoCache).
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/subject.h"
#include "server/sublist.h"
#include "tests/support/canonical_match.h"

using tern::server::MatchRef;
using tern::server::MatchResult;
using tern::server::Sublist;
using tern::server::Subscription;

namespace {

struct CacheConfig {
  bool enabled;
  std::size_t capacity;
  const char* name;
};

// A tiny capacity makes evictions and set conflicts common.
constexpr CacheConfig kCacheConfigs[] = {
    {true, Sublist::kDefaultCacheCapacity, "cache on"},
    {true, 4, "cache on, 4 entries"},
    {false, Sublist::kDefaultCacheCapacity, "cache off"},
};

// Appends the number instead of using operator+, which trips a false -Wrestrict in GCC 12.
std::string numbered(std::string_view prefix, int number) {
  std::string text(prefix);
  text.append(std::to_string(number));
  return text;
}

CacheConfig cache_config() {
  const auto index = GENERATE(range(std::size_t{0}, std::size(kCacheConfigs)));
  return kCacheConfigs[index];
}

// Owns the subscriptions of a test at stable addresses.
class Subscriptions {
 public:
  Subscription* make(std::string subject, std::string queue = {}) {
    auto& sub = storage_.emplace_back();
    sub.subject = std::move(subject);
    sub.queue = std::move(queue);
    sub.sid = std::to_string(storage_.size());
    return &sub;
  }

 private:
  std::deque<Subscription> storage_;
};

using tern::test::CanonicalMatch;

CanonicalMatch canonical(const MatchResult& result) {
  auto match = tern::test::canonical_match(result);
  REQUIRE(match.has_value());
  return *match;
}

CanonicalMatch oracle_match(const std::vector<Subscription*>& live, std::string_view subject) {
  CanonicalMatch match;
  for (const Subscription* sub : live) {
    if (!tern::protocol::subject_matches(sub->subject, subject)) continue;
    if (sub->queue.empty()) {
      match.plain.push_back(sub);
    } else {
      match.queues[sub->queue].push_back(sub);
    }
  }
  std::sort(match.plain.begin(), match.plain.end());
  for (auto& [name, members] : match.queues)
    std::sort(members.begin(), members.end());
  return match;
}

class RandomSubjects {
 public:
  explicit RandomSubjects(std::uint32_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  std::string literal() {
    const std::size_t tokens = 1 + below(5);
    std::string subject;
    for (std::size_t i = 0; i < tokens; ++i) {
      if (i != 0) subject += '.';
      subject += kTokens[below(std::size(kTokens))];
    }
    return subject;
  }

  // Half literal, half with '*' tokens in random places and, sometimes, a trailing '>'.
  std::string pattern() {
    const std::size_t tokens = 1 + below(5);
    const bool wildcards = below(2) == 0;
    std::string subject;
    for (std::size_t i = 0; i < tokens; ++i) {
      if (i != 0) subject += '.';
      if (wildcards && i + 1 == tokens && below(3) == 0) {
        subject += '>';
      } else if (wildcards && below(3) == 0) {
        subject += '*';
      } else {
        subject += kTokens[below(std::size(kTokens))];
      }
    }
    return subject;
  }

  std::string queue() {
    static constexpr const char* kQueues[] = {"", "", "", "workers", "audit"};
    return kQueues[below(std::size(kQueues))];
  }

 private:
  static constexpr const char* kTokens[] = {"a", "b", "c", "dd", "e.f"};
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("random workloads match a brute-force oracle", "[sublist]") {
  const CacheConfig config = cache_config();
  const auto seed = GENERATE(1u, 2u, 3u);
  INFO(config.name << ", seed " << seed);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  RandomSubjects random(seed);
  std::vector<Subscription*> live;
  std::vector<MatchRef> held;  // Results a caller keeps, which the cache must then never edit.
  std::unordered_map<std::string, std::pair<std::uint64_t, MatchRef>> l1;  // A connection-style cache.
  std::size_t checks = 0;

  for (int op = 0; op < 12000; ++op) {
    const std::size_t kind = random.below(10);
    if (kind < 3) {
      Subscription* sub = subs.make(random.pattern(), random.queue());
      sublist.insert(sub);
      live.push_back(sub);
    } else if (kind < 5 && !live.empty()) {
      const std::size_t victim = random.below(live.size());
      REQUIRE(sublist.remove(live[victim]));
      live[victim] = live.back();
      live.pop_back();
    } else if (kind == 5) {
      Subscription* stranger = subs.make(random.pattern(), random.queue());
      REQUIRE_FALSE(sublist.remove(stranger));
    } else {
      const std::string subject = random.literal();
      MatchRef result = sublist.match(subject);
      REQUIRE(canonical(*result) == oracle_match(live, subject));
      ++checks;
      auto& [generation, cached] = l1[subject];
      if (generation == sublist.generation()) REQUIRE(canonical(*cached) == canonical(*result));
      generation = sublist.generation();
      cached = result;
      if (random.below(4) == 0) held.push_back(std::move(result));
      if (held.size() > 50) held.clear();
    }
    REQUIRE(sublist.count() == live.size());
    if (config.enabled) REQUIRE(sublist.cache_stats().size <= sublist.cache_stats().capacity);
  }
  CHECK(checks > 4000);
  for (Subscription* sub : live)
    REQUIRE(sublist.remove(sub));
  CHECK(sublist.count() == 0);
  CHECK(sublist.match("a.b")->empty());
}

TEST_CASE("a literal change touches only its own cache entry", "[sublist]") {
  Sublist sublist(true, 64);
  Subscriptions subs;
  sublist.insert(subs.make("foo.bar"));
  sublist.insert(subs.make("foo.baz"));
  const MatchRef bar = sublist.match("foo.bar");
  const MatchResult* baz_result = sublist.match("foo.baz").get();  // Held by the cache alone.
  REQUIRE(sublist.cache_stats().size == 2);

  Subscription* second_baz = subs.make("foo.baz");
  sublist.insert(second_baz);
  const auto hits = sublist.cache_stats().hits;
  const MatchRef baz = sublist.match("foo.baz");
  CHECK(sublist.cache_stats().hits == hits + 1);
  CHECK(baz.get() == baz_result);  // Edited in place: nobody else held it.
  CHECK(baz->plain.size() == 2);
  CHECK(sublist.match("foo.bar").get() == bar.get());
  CHECK(sublist.cache_stats().hits == hits + 2);

  // "foo.baz" is now held by a caller too, so the cache drops it instead of editing it.
  REQUIRE(sublist.remove(second_baz));
  CHECK(baz->plain.size() == 2);
  const MatchRef baz_after = sublist.match("foo.baz");
  CHECK(baz_after.get() != baz.get());
  CHECK(baz_after->plain.size() == 1);
  CHECK(sublist.match("foo.bar").get() == bar.get());
}

TEST_CASE("a wildcard change touches exactly the cache entries it matches", "[sublist]") {
  Sublist sublist(true, 64);
  Subscriptions subs;
  sublist.insert(subs.make("foo.bar"));
  sublist.insert(subs.make("other.bar"));
  const MatchRef foo = sublist.match("foo.bar");
  const MatchRef other = sublist.match("other.bar");
  const MatchRef deep = sublist.match("foo.bar.baz");
  CHECK(deep->empty());

  Subscription* star = subs.make("foo.*", "workers");
  sublist.insert(star);
  CHECK(sublist.match("other.bar").get() == other.get());
  CHECK(sublist.match("foo.bar.baz").get() == deep.get());
  const MatchRef foo_after = sublist.match("foo.bar");
  CHECK(foo_after.get() != foo.get());
  REQUIRE(foo_after->queues.size() == 1);
  CHECK(foo_after->queues[0].members == std::vector<Subscription*>{star});

  Subscription* tail = subs.make("*.>");
  sublist.insert(tail);
  CHECK(sublist.match("other.bar")->plain.size() == 2);
  CHECK(sublist.match("foo.bar.baz")->plain == std::vector<Subscription*>{tail});
}

TEST_CASE("the generation moves on every change and only then", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  const auto start = sublist.generation();
  Subscription* sub = subs.make("foo");
  sublist.insert(sub);
  CHECK(sublist.generation() == start + 1);
  sublist.match("foo");
  CHECK(sublist.generation() == start + 1);
  CHECK(sublist.remove(sub));
  CHECK(sublist.generation() == start + 2);
  CHECK_FALSE(sublist.remove(sub));
  CHECK(sublist.generation() == start + 2);
}

TEST_CASE("a MatchRef keeps its result after the cache evicted it", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, 2);
  Subscriptions subs;
  Subscription* sub = subs.make("keep.me", "q");
  sublist.insert(sub);
  const MatchRef kept = sublist.match("keep.me");
  for (int i = 0; i < 100; ++i) {
    const std::string subject = numbered("other.", i);
    sublist.insert(subs.make(subject));
    sublist.match(subject);
  }
  if (config.enabled) CHECK(sublist.cache_stats().evictions > 0);
  REQUIRE(kept->queues.size() == 1);
  CHECK(kept->queues[0].name == "q");
  CHECK(kept->queues[0].members == std::vector<Subscription*>{sub});
  MatchRef copy = kept;
  MatchRef moved = std::move(copy);
  CHECK(moved.get() == kept.get());
  CHECK(copy->empty());
}

TEST_CASE("subjects without subscribers share one empty result", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  sublist.insert(subs.make("foo.bar"));
  const MatchRef none = sublist.match("nothing.here");
  CHECK(none->empty());
  CHECK(sublist.match("foo").get() == none.get());
  CHECK(sublist.match("foo.bar.baz").get() == none.get());
  CHECK(MatchRef().get() == none.get());
}

TEST_CASE("a subject with an empty token matches nothing, not even '>' or '*'", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  for (const char* pattern : {">", "*", "a.>", "*.*", "a.*", "*.b", "a.b"})
    sublist.insert(subs.make(pattern));
  sublist.insert(subs.make("a.*", "workers"));

  // More tokens than the tokenizer holds inline, then an empty one.
  std::string long_subject;
  for (int i = 0; i < 40; ++i)
    long_subject.append("a.");

  for (const std::string subject :
       {"", ".", "..", ".a", "a.", "a..b", "..a", ".a.b", "a.b.", long_subject.c_str()}) {
    INFO("subject '" << subject << "'");
    CHECK(sublist.match(subject).get() == MatchRef().get());
    // Asked again, in case the first answer was cached.
    CHECK(sublist.match(subject).get() == MatchRef().get());
  }
  CHECK(sublist.cache_stats().size == 0);

  const CanonicalMatch valid = canonical(*sublist.match("a.b"));
  CHECK(valid.plain.size() == 6);
  CHECK(valid.queues.size() == 1);
}

TEST_CASE("queue groups merge across every matching pattern", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  Subscription* literal = subs.make("orders.new", "workers");
  Subscription* star = subs.make("orders.*", "workers");
  Subscription* full = subs.make("orders.>", "workers");
  Subscription* auditor = subs.make("*.new", "audit");
  Subscription* plain = subs.make(">");
  for (Subscription* sub : {literal, star, full, auditor, plain})
    sublist.insert(sub);

  const MatchRef result = sublist.match("orders.new");
  CHECK(result->plain == std::vector<Subscription*>{plain});
  const CanonicalMatch match = canonical(*result);
  REQUIRE(match.queues.size() == 2);
  CHECK(match.queues.at("audit") == std::vector<const Subscription*>{auditor});
  std::vector<const Subscription*> workers{literal, star, full};
  std::sort(workers.begin(), workers.end());
  CHECK(match.queues.at("workers") == workers);

  // The group's name views a member's queue string; it must survive that member leaving.
  REQUIRE(sublist.remove(literal));
  REQUIRE(sublist.remove(star));
  const MatchRef after = sublist.match("orders.new");
  const CanonicalMatch after_match = canonical(*after);
  CHECK(after_match.queues.at("workers") == std::vector<const Subscription*>{full});
}

TEST_CASE("removing an unknown subscription changes nothing", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  Subscription* inserted = subs.make("foo.*");
  sublist.insert(inserted);
  CHECK_FALSE(sublist.remove(subs.make("foo.*")));
  CHECK_FALSE(sublist.remove(subs.make("foo.*", "q")));
  CHECK_FALSE(sublist.remove(subs.make("never.seen")));
  CHECK_FALSE(sublist.remove(subs.make("foo")));
  CHECK(sublist.count() == 1);
  CHECK(sublist.match("foo.x")->plain == std::vector<Subscription*>{inserted});
  CHECK(sublist.remove(inserted));
  CHECK_FALSE(sublist.remove(inserted));
  CHECK(sublist.count() == 0);
}

TEST_CASE("subjects with more tokens than fit inline", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i)
    tokens.push_back(numbered("t", i));
  const auto join = [](const std::vector<std::string>& parts) {
    std::string subject = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i)
      subject.append(".").append(parts[i]);
    return subject;
  };
  const std::string subject = join(tokens);
  auto with_star = tokens;
  with_star[35].assign(1, '*');
  auto with_full = tokens;
  with_full.resize(39);
  with_full[38].assign(1, '>');
  Subscription* exact = subs.make(subject);
  Subscription* star = subs.make(join(with_star));
  Subscription* full = subs.make(join(with_full));
  for (Subscription* sub : {exact, star, full})
    sublist.insert(sub);

  CHECK(canonical(*sublist.match(subject)) == oracle_match({exact, star, full}, subject));
  CHECK(sublist.match(subject)->plain.size() == 3);
  auto other_star_token = tokens;
  other_star_token[35].assign(1, 'x');
  CHECK(sublist.match(join(other_star_token))->plain == std::vector<Subscription*>{star});
  auto other_last_token = tokens;
  other_last_token[39].assign(1, 'y');
  CHECK(sublist.match(join(other_last_token))->plain == std::vector<Subscription*>{full});
  REQUIRE(sublist.remove(star));
  CHECK(sublist.match(join(other_star_token))->empty());
  CHECK(sublist.match(subject)->plain.size() == 2);
}

TEST_CASE("the cache stays within its capacity and counts hits and misses", "[sublist]") {
  Sublist sublist(true, 16);
  Subscriptions subs;
  sublist.insert(subs.make(">"));
  for (int i = 0; i < 1000; ++i)
    sublist.match(numbered("s.", i));
  auto stats = sublist.cache_stats();
  CHECK(stats.capacity == 16);
  CHECK(stats.size == 16);
  CHECK(stats.misses == 1000);
  CHECK(stats.evictions == 1000 - 16);
  sublist.match("s.999");
  CHECK(sublist.cache_stats().hits == stats.hits + 1);

  sublist.set_cache_enabled(false);
  CHECK(sublist.cache_stats().size == 0);
  sublist.match("s.999");
  CHECK(sublist.cache_stats().hits == stats.hits + 1);
  CHECK(sublist.match("s.999")->plain.size() == 1);
}

TEST_CASE("many subscriptions on one subject and one group", "[sublist]") {
  const CacheConfig config = cache_config();
  INFO(config.name);
  Sublist sublist(config.enabled, config.capacity);
  Subscriptions subs;
  std::vector<Subscription*> plain;
  std::vector<Subscription*> queued;
  for (int i = 0; i < 500; ++i) {
    plain.push_back(subs.make("fan.out"));
    queued.push_back(subs.make("fan.out", "workers"));
    sublist.insert(plain.back());
    sublist.insert(queued.back());
  }
  CHECK(sublist.match("fan.out")->plain.size() == 500);
  for (int i = 0; i < 500; i += 2) {
    REQUIRE(sublist.remove(plain[i]));
    REQUIRE(sublist.remove(queued[i]));
  }
  const MatchRef result = sublist.match("fan.out");
  CHECK(result->plain.size() == 250);
  REQUIRE(result->queues.size() == 1);
  CHECK(result->queues[0].members.size() == 250);
  CHECK(sublist.count() == 500);
}
