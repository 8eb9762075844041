// The trie behind Sublist: nodes, their literal-child tables and their subscription sets.
//
// Memory matters most at the leaves: an index of a million literal subscriptions is mostly leaves with one
// plain subscriber. A leaf is one allocation of 24 bytes plus its token, and costs its parent's table
// about 10 to 21 bytes (see FlatTable); branches and subscription sets are allocated only by the nodes that
// need them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/subject.h"
#include "server/flat_table.h"
#include "server/sublist.h"

namespace tern::server::detail {

class Node;

// Keys a node's literal children by their tokens. Defined after Node, whose token() it needs.
struct NodeToken {
  std::string_view operator()(const Node& node) const noexcept;
};

// The children of a node. Allocated when the first child appears and freed with the last one.
struct Branch {
  FlatTable<Node, NodeToken> literals;
  Node* star = nullptr;  // The child for a '*' token.
  Node* full = nullptr;  // The child for a '>' token; it never has children.

  bool empty() const noexcept { return literals.size() == 0 && star == nullptr && full == nullptr; }
};

// The subscriptions of a node that has more than one, or any queue subscription.
struct SubscriptionSet {
  std::vector<Subscription*> plain;
  std::vector<std::vector<Subscription*>> queues;  // One non-empty group each; named by its members.
};

// One trie level. Allocated as one block with its token bytes right after the object.
class Node {
 public:
  static Node* create(std::string_view token);
  // Frees `node`, its subtree and their subscription sets; the subscriptions belong to their owners.
  static void destroy_tree(Node* node) noexcept;

  std::string_view token() const noexcept { return {reinterpret_cast<const char*>(this + 1), token_size_}; }
  Branch* branch() const noexcept { return branch_; }
  // The child for `token`, created when missing.
  Node* child_for_insert(std::string_view token);
  Node* child(std::string_view token) const noexcept;
  // Unlinks and frees `child`, which has no children and no subscriptions, and frees the branch when
  // that was the last child.
  void erase_child(Node* child);

  // Precondition: `sub` is not here already.
  void add(Subscription* sub);
  bool remove(const Subscription* sub) noexcept;
  bool is_unused() const noexcept { return branch_ == nullptr && subscriptions_ == 0; }
  // Appends this node's subscriptions to `result`, merging queue groups by name.
  void append_to(MatchResult& result) const;

 private:
  explicit Node(std::size_t token_size) noexcept : token_size_(static_cast<std::uint32_t>(token_size)) {}
  ~Node();

  // Either 0, a single plain Subscription* (low bit clear), or a SubscriptionSet* with the low bit set.
  static constexpr std::uintptr_t kSetTag = 1;
  SubscriptionSet* set() const noexcept;

  Branch* branch_ = nullptr;
  std::uintptr_t subscriptions_ = 0;
  std::uint32_t token_size_;
};

inline std::string_view NodeToken::operator()(const Node& node) const noexcept {
  return node.token();
}

// Adds `sub` at the node that `tokens` (the tokens of sub->subject) lead to, creating the path.
void insert_subscription(Node* root, const protocol::SubjectTokens& tokens, Subscription* sub);

// Removes `sub` from the node that `tokens` lead to and frees the nodes left unused; false when absent.
bool remove_subscription(Node* root, const protocol::SubjectTokens& tokens, const Subscription* sub);

// Appends every subscription whose pattern matches the published subject of `tokens`. Precondition: no
// token is empty (Sublist::match answers those subjects itself).
void collect_matches(const Node* root, const protocol::SubjectTokens& tokens, MatchResult& result);

}  // namespace tern::server::detail
