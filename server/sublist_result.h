// Edits of a MatchResult, shared by the trie (which builds results) and the cache (which fixes them).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "server/sublist.h"

namespace tern::server::detail {

// Removes one occurrence of `sub` by swapping the last element into its place; false when absent.
// Searches from the back, where the newest subscriptions are.
bool erase_unordered(std::vector<Subscription*>& subs, const Subscription* sub) noexcept;

// Appends `members`, which all belong to the queue group `name`, to that group in `result`, adding the
// group when it is not there yet.
void append_queue_members(MatchResult& result, std::string_view name, std::span<Subscription* const> members);

// Adds `sub` as a plain subscriber or as a member of its queue group.
void add_to_result(MatchResult& result, Subscription* sub);

// Takes `sub` out of `result`, dropping its queue group when it was the last member; false when absent.
bool remove_from_result(MatchResult& result, const Subscription* sub) noexcept;

}  // namespace tern::server::detail
