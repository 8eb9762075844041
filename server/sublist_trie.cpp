#include "server/sublist_trie.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <span>

#include "server/hash_bytes.h"
#include "server/sublist_result.h"

namespace tern::server::detail {
namespace {

bool is_star(std::string_view token) noexcept {
  return token.size() == 1 && token[0] == '*';
}
bool is_full(std::string_view token) noexcept {
  return token.size() == 1 && token[0] == '>';
}

}  // namespace

Node* Node::create(std::string_view token) {
  void* block = ::operator new(sizeof(Node) + token.size());
  Node* node = new (block) Node(token.size());
  if (!token.empty()) std::memcpy(reinterpret_cast<char*>(node + 1), token.data(), token.size());
  return node;
}

Node::~Node() {
  if (SubscriptionSet* subs = set()) delete subs;
  if (branch_ == nullptr) return;
  branch_->literals.for_each([](Node* child) { destroy_tree(child); });
  if (branch_->star != nullptr) destroy_tree(branch_->star);
  if (branch_->full != nullptr) destroy_tree(branch_->full);
  delete branch_;
}

void Node::destroy_tree(Node* node) noexcept {
  node->~Node();
  ::operator delete(node);
}

SubscriptionSet* Node::set() const noexcept {
  if ((subscriptions_ & kSetTag) == 0) return nullptr;
  return reinterpret_cast<SubscriptionSet*>(subscriptions_ & ~kSetTag);
}

Node* Node::child(std::string_view token) const noexcept {
  if (branch_ == nullptr) return nullptr;
  if (is_star(token)) return branch_->star;
  if (is_full(token)) return branch_->full;
  return branch_->literals.find(token);
}

Node* Node::child_for_insert(std::string_view token) {
  if (branch_ == nullptr) branch_ = new Branch;
  Node** slot = is_star(token) ? &branch_->star : is_full(token) ? &branch_->full : nullptr;
  if (slot != nullptr) {
    if (*slot == nullptr) *slot = create(token);
    return *slot;
  }
  const std::uint64_t hash = hash_bytes(token);
  Node* found = branch_->literals.find(token, hash);
  if (found != nullptr) return found;
  Node* created = create(token);
  branch_->literals.insert(created, hash);
  return created;
}

void Node::erase_child(Node* child) {
  assert(child->is_unused());
  if (child == branch_->star) {
    branch_->star = nullptr;
  } else if (child == branch_->full) {
    branch_->full = nullptr;
  } else {
    branch_->literals.erase(child);
  }
  destroy_tree(child);
  if (branch_->empty()) {
    delete branch_;
    branch_ = nullptr;
  }
}

namespace {

// Appends `sub` to `list`, noting its position in it.
void push_indexed(std::vector<Subscription*>& list, Subscription* sub) {
  sub->index_position = static_cast<std::uint32_t>(list.size());
  list.push_back(sub);
}

// Removes `sub` from `list` in O(1) by its noted position, moving the last member into its place.
bool erase_indexed(std::vector<Subscription*>& list, const Subscription* sub) noexcept {
  const std::size_t position = sub->index_position;
  if (position >= list.size() || list[position] != sub) return false;
  Subscription* last = list.back();
  list[position] = last;
  last->index_position = static_cast<std::uint32_t>(position);
  list.pop_back();
  return true;
}

}  // namespace

void Node::add(Subscription* sub) {
  static_assert(alignof(Subscription) > kSetTag, "the low bit of a Subscription* must be free for the tag");
  if (subscriptions_ == 0 && sub->queue.empty()) {
    subscriptions_ = reinterpret_cast<std::uintptr_t>(sub);
    return;
  }
  SubscriptionSet* subs = set();
  if (subs == nullptr) {
    subs = new SubscriptionSet;
    if (subscriptions_ != 0) push_indexed(subs->plain, reinterpret_cast<Subscription*>(subscriptions_));
    subscriptions_ = reinterpret_cast<std::uintptr_t>(subs) | kSetTag;
  }
  if (sub->queue.empty()) {
    push_indexed(subs->plain, sub);
    return;
  }
  for (std::vector<Subscription*>& group : subs->queues) {
    if (group.front()->queue == sub->queue) {
      push_indexed(group, sub);
      return;
    }
  }
  subs->queues.emplace_back();
  push_indexed(subs->queues.back(), sub);
}

bool Node::remove(const Subscription* sub) noexcept {
  SubscriptionSet* subs = set();
  if (subs == nullptr) {
    if (subscriptions_ != reinterpret_cast<std::uintptr_t>(sub)) return false;
    subscriptions_ = 0;
    return true;
  }
  bool removed = false;
  if (sub->queue.empty()) {
    removed = erase_indexed(subs->plain, sub);
  } else {
    for (std::vector<Subscription*>& group : subs->queues) {
      if (group.front()->queue != sub->queue) continue;
      removed = erase_indexed(group, sub);
      if (group.empty()) {
        if (&group != &subs->queues.back()) group = std::move(subs->queues.back());
        subs->queues.pop_back();
      }
      break;
    }
  }
  if (subs->plain.empty() && subs->queues.empty()) {
    delete subs;
    subscriptions_ = 0;
  }
  return removed;
}

void Node::append_to(MatchResult& result) const {
  if (subscriptions_ == 0) return;
  const SubscriptionSet* subs = set();
  if (subs == nullptr) {
    result.plain.push_back(reinterpret_cast<Subscription*>(subscriptions_));
    return;
  }
  result.plain.insert(result.plain.end(), subs->plain.begin(), subs->plain.end());
  for (const std::vector<Subscription*>& group : subs->queues) {
    append_queue_members(result, group.front()->queue, group);
  }
}

void insert_subscription(Node* root, const protocol::SubjectTokens& tokens, Subscription* sub) {
  Node* node = root;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    node = node->child_for_insert(tokens[i]);
  node->add(sub);
}

namespace {

bool remove_below(Node* node, const protocol::SubjectTokens& tokens, std::size_t level,
                  const Subscription* sub) {
  if (level == tokens.size()) return node->remove(sub);
  Node* child = node->child(tokens[level]);
  if (child == nullptr || !remove_below(child, tokens, level + 1, sub)) return false;
  if (child->is_unused()) node->erase_child(child);
  return true;
}

void collect_below(const Node* node, const protocol::SubjectTokens& tokens, std::size_t level,
                   MatchResult& result) {
  if (level == tokens.size()) {
    node->append_to(result);
    return;
  }
  const Branch* branch = node->branch();
  if (branch == nullptr) return;
  if (branch->full != nullptr) branch->full->append_to(result);
  if (branch->star != nullptr) collect_below(branch->star, tokens, level + 1, result);
  const std::string_view token = tokens[level];
  if (const Node* literal = branch->literals.find(token)) {
    collect_below(literal, tokens, level + 1, result);
  }
}

}  // namespace

bool remove_subscription(Node* root, const protocol::SubjectTokens& tokens, const Subscription* sub) {
  return remove_below(root, tokens, 0, sub);
}

void collect_matches(const Node* root, const protocol::SubjectTokens& tokens, MatchResult& result) {
  collect_below(root, tokens, 0, result);
}

}  // namespace tern::server::detail
