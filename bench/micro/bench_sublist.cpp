// Subject index micro-benchmarks: insert, remove and match, cached and uncached, on literal sets of 10k
// and 1M subscriptions with 1, 3 and 5 tokens and on a wildcard-heavy set, plus the resident memory of
// 1M literal subscriptions. Figures and the command that produced them: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "server/sublist.h"

namespace {

using tern::server::Sublist;
using tern::server::Subscription;

std::size_t resident_bytes() {
  long pages = 0;
  long resident = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// The n-th literal subject with `tokens` tokens; the last token makes it unique.
std::string literal_subject(int tokens, std::size_t n) {
  static constexpr const char* kPrefix[] = {"", "", "foo.bar.", "", "foo.bar.baz.qux."};
  std::string subject = kPrefix[tokens - 1];
  subject.append(tokens == 1 ? "s" : "").append(std::to_string(n));
  return subject;
}

struct SubscriptionSet {
  std::vector<Subscription> subs;
  Sublist sublist;
  std::vector<std::string> probes;  // Subjects to match, in random order.
};

void fill_probes(SubscriptionSet& set, std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, set.subs.size() - 1);
  set.probes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Subscription& sub = set.subs[pick(rng)];
    set.probes.push_back(sub.subject);
  }
}

// One subscription per distinct literal subject, each with its own sid, built once per process.
SubscriptionSet& literal_set(int tokens, std::size_t size) {
  static std::map<std::pair<int, std::size_t>, std::unique_ptr<SubscriptionSet>> sets;
  auto& set = sets[{tokens, size}];
  if (set) return *set;
  set = std::make_unique<SubscriptionSet>();
  set->subs.resize(size);
  for (std::size_t n = 0; n < size; ++n) {
    set->subs[n].subject = literal_subject(tokens, n);
    set->subs[n].sid = std::to_string(n);
    set->sublist.insert(&set->subs[n]);
  }
  fill_probes(*set, 1 << 16, 7);
  return *set;
}

// Mostly wildcards: each literal "svc.<a>.<b>" is matched by several of the patterns around it.
SubscriptionSet& wildcard_set() {
  static std::unique_ptr<SubscriptionSet> set;
  if (set) return *set;
  set = std::make_unique<SubscriptionSet>();
  constexpr std::size_t kGroups = 100;
  constexpr std::size_t kRounds = 2000;
  set->subs.resize(kRounds * 5);
  std::size_t next = 0;
  const auto add = [&](std::string subject, std::string queue) {
    Subscription& sub = set->subs[next++];
    sub.subject = std::move(subject);
    sub.queue = std::move(queue);
    sub.sid = std::to_string(next);
    set->sublist.insert(&sub);
  };
  for (std::size_t n = 0; n < kRounds; ++n) {
    const std::string group = std::to_string(n % kGroups);
    const std::string id = std::to_string(n);
    add("svc." + group + ".*", {});
    add("svc.*." + id, "workers");
    add("svc." + group + ".>", {});
    add("*." + group + "." + id, "audit");
    add("svc." + group + "." + id, {});
  }
  std::mt19937 rng(11);
  for (std::size_t i = 0; i < (1 << 16); ++i) {
    const std::size_t n = rng() % kRounds;
    set->probes.push_back("svc." + std::to_string(n % kGroups) + "." + std::to_string(n));
  }
  return *set;
}

SubscriptionSet& set_for(const benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(1));
  return size == 0 ? wildcard_set() : literal_set(static_cast<int>(state.range(0)), size);
}

void report_cache(benchmark::State& state, const Sublist& sublist,
                  const tern::server::MatchCacheStats& before) {
  const auto after = sublist.cache_stats();
  const double lookups = static_cast<double>((after.hits - before.hits) + (after.misses - before.misses));
  state.counters["hit_ratio"] = lookups == 0 ? 0 : static_cast<double>(after.hits - before.hits) / lookups;
}

// Matches the probes of the set in turn, the first probe_mask + 1 of them, and reports the cache hit
// ratio. Leaves the cache enabled for the benchmarks that follow.
void match_probes(benchmark::State& state, bool cache_enabled, std::size_t probe_mask) {
  SubscriptionSet& set = set_for(state);
  set.sublist.set_cache_enabled(cache_enabled);
  const auto before = set.sublist.cache_stats();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.sublist.match(set.probes[i++ & probe_mask]).get());
  }
  if (cache_enabled) report_cache(state, set.sublist, before);
  set.sublist.set_cache_enabled(true);
}

// Matches 16 subjects over and over: every lookup after the first is a cache hit.
void BM_MatchCached(benchmark::State& state) {
  match_probes(state, true, 15);
}

// Matches random subjects with the cache on: far more subjects than the cache holds, so most lookups miss,
// walk the trie and evict an entry to store their result.
void BM_MatchCacheMiss(benchmark::State& state) {
  match_probes(state, true, 0xffff);
}

// Matches random subjects of the set with the cache off: a full trie walk and a new result each time.
void BM_MatchUncached(benchmark::State& state) {
  match_probes(state, false, 0xffff);
}

// Subscriptions for insert and remove benchmarks, on subjects the base set does not have.
std::vector<Subscription> fresh_subscriptions(int tokens, std::size_t count) {
  std::vector<Subscription> subs(count);
  for (std::size_t n = 0; n < count; ++n) {
    subs[n].subject = literal_subject(tokens, 100'000'000 + n);
    subs[n].sid = std::to_string(n);
  }
  return subs;
}

// Inserts new literal subscriptions into the set; removes them again, untimed, once all are in.
void BM_Insert(benchmark::State& state) {
  SubscriptionSet& set = set_for(state);
  set.sublist.set_cache_enabled(true);
  std::vector<Subscription> fresh = fresh_subscriptions(static_cast<int>(state.range(0)), 1 << 16);
  std::size_t i = 0;
  for (auto _ : state) {
    set.sublist.insert(&fresh[i++]);
    if (i == fresh.size()) {
      state.PauseTiming();
      for (Subscription& sub : fresh)
        set.sublist.remove(&sub);
      i = 0;
      state.ResumeTiming();
    }
  }
  for (std::size_t j = 0; j < i; ++j)
    set.sublist.remove(&fresh[j]);
}

// Removes literal subscriptions from the set; puts them back, untimed, once all are out.
void BM_Remove(benchmark::State& state) {
  SubscriptionSet& set = set_for(state);
  set.sublist.set_cache_enabled(true);
  std::vector<Subscription> fresh = fresh_subscriptions(static_cast<int>(state.range(0)), 1 << 16);
  for (Subscription& sub : fresh)
    set.sublist.insert(&sub);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.sublist.remove(&fresh[i++]));
    if (i == fresh.size()) {
      state.PauseTiming();
      for (Subscription& sub : fresh)
        set.sublist.insert(&sub);
      i = 0;
      state.ResumeTiming();
    }
  }
  for (std::size_t j = i; j < fresh.size(); ++j)
    set.sublist.remove(&fresh[j]);
}

// Resident memory of 1M literal 3-token subscriptions, each with its own sid, built from scratch. Run it
// in a process of its own (--benchmark_filter=Memory) so no freed memory of other benchmarks is reused.
void BM_Memory1M(benchmark::State& state) {
  constexpr std::size_t kCount = 1'000'000;
  for (auto _ : state) {
    const std::size_t start = resident_bytes();
    auto subs = std::make_unique<std::vector<Subscription>>(kCount);
    for (std::size_t n = 0; n < kCount; ++n) {
      (*subs)[n].subject = literal_subject(3, n);
      (*subs)[n].sid = std::to_string(n);
    }
    const std::size_t with_subscriptions = resident_bytes();
    auto sublist = std::make_unique<Sublist>();
    for (Subscription& sub : *subs)
      sublist->insert(&sub);
    const std::size_t with_index = resident_bytes();
    state.counters["total_MB"] = static_cast<double>(with_index - start) / 1e6;
    state.counters["bytes_per_sub"] = static_cast<double>(with_index - start) / kCount;
    state.counters["index_bytes_per_sub"] = static_cast<double>(with_index - with_subscriptions) / kCount;
    state.counters["sizeof_Subscription"] = sizeof(Subscription);
    state.PauseTiming();
    sublist.reset();
    subs.reset();
    state.ResumeTiming();
  }
}

void literal_sets(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"tokens", "subs"});
  for (const int tokens : {1, 3, 5}) {
    for (const long size : {10'000L, 1'000'000L})
      bench->Args({tokens, size});
  }
  bench->Args({3, 0});  // Size 0 stands for the wildcard-heavy set.
}

}  // namespace

BENCHMARK(BM_Memory1M)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MatchCached)->Apply(literal_sets);
BENCHMARK(BM_MatchCacheMiss)->Apply(literal_sets);
BENCHMARK(BM_MatchUncached)->Apply(literal_sets);
BENCHMARK(BM_Insert)->Apply(literal_sets);
BENCHMARK(BM_Remove)->Apply(literal_sets);
