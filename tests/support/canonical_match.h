// Match results in a form that compares, for tests of the subject index (unit tests and the fuzzer):
// sorted plain subscribers, and sorted members per queue group name. Header-only, so that the fuzz
// build, which does not link the test support library, can use it too.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/sublist.h"

namespace tern::test {

struct CanonicalMatch {
  std::vector<const server::Subscription*> plain;
  std::map<std::string, std::vector<const server::Subscription*>> queues;

  bool operator==(const CanonicalMatch&) const = default;
};

// The canonical form of `result`, or nothing when the result is malformed: a queue group listed twice
// or empty, or a member whose queue is not the group's name. Callers assert on the nothing with their
// own assertion macro.
inline std::optional<CanonicalMatch> canonical_match(const server::MatchResult& result) {
  CanonicalMatch match;
  match.plain.assign(result.plain.begin(), result.plain.end());
  std::sort(match.plain.begin(), match.plain.end());
  for (const auto& group : result.queues) {
    auto& members = match.queues[std::string(group.name)];
    if (!members.empty() || group.members.empty()) return std::nullopt;
    for (const server::Subscription* member : group.members) {
      if (member->queue != group.name) return std::nullopt;
      members.push_back(member);
    }
    std::sort(members.begin(), members.end());
  }
  return match;
}

}  // namespace tern::test
