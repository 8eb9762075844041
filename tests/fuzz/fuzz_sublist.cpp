// libFuzzer target: the subject index under fuzzed sequences of insert, remove, match and cache changes,
// checked after every step against a brute-force oracle (every live subscription tested with
// subject_matches); every matched subject is also asked again with an empty token added, which must
// match nothing. Match results are also held across later changes and dropped in a fuzzed order, which
// exercises the reference counts of shared results under AddressSanitizer.
//
// Input: byte 0 picks the cache (bit 0: enabled; bits 1-2: capacity 2, 4, 64 or the default), then each
// op is one byte (its low three bits say which op) followed by the bytes that op reads.
#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "protocol/subject.h"
#include "server/sublist.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/canonical_match.h"

namespace {

using tern::fuzz::FuzzInput;
using tern::server::MatchRef;
using tern::server::MatchResult;
using tern::server::Sublist;
using tern::server::Subscription;

constexpr std::size_t kSlots = 24;
constexpr std::size_t kHeldResults = 8;

using tern::test::CanonicalMatch;

CanonicalMatch canonical(const MatchResult& result) {
  auto match = tern::test::canonical_match(result);
  FUZZ_CHECK(match.has_value());
  return *match;
}

// A subscription subject from a small alphabet, so that overlaps are common. '>' only ends a subject.
std::string pattern_from(FuzzInput& input) {
  static constexpr std::string_view kTokens[] = {"a", "b", "c", "ab", "*", ">"};
  const std::uint8_t shape = input.byte();
  // Now and then a subject longer than the 32 tokens the tokenizer holds inline.
  const std::size_t count = shape >= 250 ? 33 + shape % 4 : 1 + shape % 4;
  std::string subject;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) subject.push_back('.');
    std::size_t index = input.byte() % std::size(kTokens);
    if (kTokens[index] == ">" && i + 1 != count) index = 4;
    subject.append(kTokens[index]);
  }
  return subject;
}

std::string literal_from(FuzzInput& input) {
  std::string subject = pattern_from(input);
  for (char& c : subject) {
    if (c == '*' || c == '>') c = 'c';
  }
  return subject;
}

class IndexUnderTest {
 public:
  IndexUnderTest(bool cache, std::size_t capacity) : index_(cache, capacity) {}

  void insert(std::size_t slot, std::string subject, std::string queue) {
    if (live_[slot]) return;
    Subscription& sub = slots_[slot];
    sub.subject = std::move(subject);
    sub.queue = std::move(queue);
    sub.sid = std::to_string(slot);
    const auto generation = index_.generation();
    index_.insert(&sub);
    live_[slot] = true;
    FUZZ_CHECK(index_.generation() != generation);
    check_count();
  }

  void remove(std::size_t slot) {
    const auto generation = index_.generation();
    FUZZ_CHECK(index_.remove(&slots_[slot]) == live_[slot]);
    FUZZ_CHECK((index_.generation() != generation) == live_[slot]);
    live_[slot] = false;
    check_count();
  }

  // Matches and compares with the oracle; keeps the result in a held slot, replacing what was there.
  void match(const std::string& subject, std::size_t hold_at) {
    MatchRef result = index_.match(subject);
    FUZZ_CHECK(canonical(*result) == oracle(subject));
    // A second lookup (a cache hit when the cache is on) must agree.
    FUZZ_CHECK(canonical(*index_.match(subject)) == oracle(subject));
    held_[hold_at] = Held{std::move(result), index_.generation(), subject};
    check_empty_tokens_match_nothing(subject);
  }

  // The same subject with an empty token added (leading, trailing or doubled '.') reaches nothing,
  // whatever is subscribed.
  void check_empty_tokens_match_nothing(const std::string& subject) {
    std::string leading(".");
    leading.append(subject);
    std::string trailing(subject);
    trailing.push_back('.');
    std::string doubled(subject);
    if (const auto dot = doubled.find('.'); dot != std::string::npos) doubled.insert(dot, 1, '.');
    for (const std::string& broken : {leading, trailing, doubled}) {
      if (broken == subject) continue;
      FUZZ_CHECK(index_.match(broken)->empty());
    }
  }

  // A held result is still exact while the generation has not moved; past that only dropping it is legal.
  void check_held(std::size_t at) {
    const Held& held = held_[at];
    if (held.generation == index_.generation()) FUZZ_CHECK(canonical(*held.result) == oracle(held.subject));
  }
  void drop_held(std::size_t at) { held_[at] = Held{}; }

  void set_cache(bool enabled) {
    index_.set_cache_enabled(enabled);
    FUZZ_CHECK(index_.cache_enabled() == enabled);
    const auto stats = index_.cache_stats();
    FUZZ_CHECK(stats.size <= stats.capacity);
    if (!enabled) FUZZ_CHECK(stats.size == 0);
  }

  // Leaves the index empty, as a server does when every connection has gone.
  void remove_all() {
    for (std::size_t slot = 0; slot < kSlots; ++slot) {
      if (live_[slot]) remove(slot);
    }
    FUZZ_CHECK(index_.count() == 0);
    for (const auto& held : held_) {
      if (!held.subject.empty()) FUZZ_CHECK(index_.match(held.subject)->empty());
    }
  }

 private:
  struct Held {
    MatchRef result;
    std::uint64_t generation = 0;
    std::string subject;
  };

  CanonicalMatch oracle(std::string_view subject) const {
    CanonicalMatch match;
    for (std::size_t slot = 0; slot < kSlots; ++slot) {
      const Subscription& sub = slots_[slot];
      if (!live_[slot] || !tern::protocol::subject_matches(sub.subject, subject)) continue;
      if (sub.queue.empty()) {
        match.plain.push_back(&sub);
      } else {
        match.queues[sub.queue].push_back(&sub);
      }
    }
    std::sort(match.plain.begin(), match.plain.end());
    for (auto& [name, members] : match.queues)
      std::sort(members.begin(), members.end());
    return match;
  }

  void check_count() const {
    FUZZ_CHECK(index_.count() == static_cast<std::size_t>(std::count(live_.begin(), live_.end(), true)));
  }

  Sublist index_;
  std::array<Subscription, kSlots> slots_{};
  std::array<bool, kSlots> live_{};
  std::array<Held, kHeldResults> held_{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::size_t kCapacities[] = {2, 4, 64, Sublist::kDefaultCacheCapacity};
  static constexpr const char* kQueues[] = {"", "", "q", "r"};
  FuzzInput input(data, size);
  const std::uint8_t config = input.byte();
  IndexUnderTest index((config & 1) != 0, kCapacities[(config >> 1) & 3]);
  // Bounded so that one input cannot run for long.
  for (int step = 0; step < 2000 && !input.empty(); ++step) {
    const std::uint8_t op = input.byte();
    const std::size_t slot = (op >> 3) % kSlots;
    switch (op & 7) {
      case 0:
      case 1: {
        std::string subject = pattern_from(input);
        index.insert(slot, std::move(subject), kQueues[input.byte() % std::size(kQueues)]);
        break;
      }
      case 2:
        index.remove(slot);
        break;
      case 3:
      case 4:
        index.match(literal_from(input), slot % kHeldResults);
        break;
      case 5:
        index.check_held(slot % kHeldResults);
        break;
      case 6:
        index.drop_held(slot % kHeldResults);
        break;
      case 7:
        index.set_cache((op & 8) != 0);
        break;
    }
  }
  index.remove_all();
  return 0;
}
