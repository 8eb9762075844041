#include "server/sublist_result.h"

#include <algorithm>

namespace tern::server::detail {
namespace {

QueueGroupMatch* find_group(MatchResult& result, std::string_view name) noexcept {
  for (QueueGroupMatch& group : result.queues) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

}  // namespace

bool erase_unordered(std::vector<Subscription*>& subs, const Subscription* sub) noexcept {
  const auto found = std::find(subs.rbegin(), subs.rend(), sub);
  if (found == subs.rend()) return false;
  *found = subs.back();
  subs.pop_back();
  return true;
}

void append_queue_members(MatchResult& result, std::string_view name,
                          std::span<Subscription* const> members) {
  QueueGroupMatch* group = find_group(result, name);
  if (group == nullptr) group = &result.queues.emplace_back(QueueGroupMatch{name, {}});
  group->members.insert(group->members.end(), members.begin(), members.end());
}

void add_to_result(MatchResult& result, Subscription* sub) {
  if (sub->queue.empty()) {
    result.plain.push_back(sub);
  } else {
    append_queue_members(result, sub->queue, std::span<Subscription* const>(&sub, 1));
  }
}

bool remove_from_result(MatchResult& result, const Subscription* sub) noexcept {
  if (sub->queue.empty()) return erase_unordered(result.plain, sub);
  QueueGroupMatch* group = find_group(result, sub->queue);
  if (group == nullptr || !erase_unordered(group->members, sub)) return false;
  if (group->members.empty()) {
    if (group != &result.queues.back()) *group = std::move(result.queues.back());
    result.queues.pop_back();
  } else if (group->name.data() == sub->queue.data()) {
    // The name viewed the queue string of the member that leaves.
    group->name = group->members.front()->queue;
  }
  return true;
}

}  // namespace tern::server::detail
