// A connection's subscriptions by sid: a FlatTable of owned Subscription pointers, keyed by a view of each
// subscription's own sid string.
//
// Why not std::unordered_map<std::string, std::unique_ptr<Subscription>>: that costs a node per entry
// (a copied key string, the pointer, a cached hash, a link) plus a bucket, about 80 bytes; this table
// costs 10 to 21 bytes per subscription, which is most of the difference between meeting and missing
// the memory budget per subscription.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "server/flat_table.h"
#include "server/subscription.h"

namespace tern::server {

class SidTable {
 public:
  SidTable() = default;
  SidTable(const SidTable&) = delete;
  SidTable& operator=(const SidTable&) = delete;
  ~SidTable();

  std::size_t size() const noexcept { return subscriptions_.size(); }
  bool empty() const noexcept { return subscriptions_.empty(); }

  Subscription* find(std::string_view sid) const noexcept { return subscriptions_.find(sid); }
  // Takes ownership. Precondition: no subscription with sub->sid is in the table.
  void insert(std::unique_ptr<Subscription> sub);
  // Gives ownership back; null when `sub` is not in the table.
  std::unique_ptr<Subscription> release(const Subscription* sub) noexcept {
    return std::unique_ptr<Subscription>(subscriptions_.erase(sub));
  }

  template <class Visit>
  void for_each(Visit&& visit) const {
    subscriptions_.for_each([&visit](Subscription* sub) { visit(*sub); });
  }

 private:
  struct SidOf {
    std::string_view operator()(const Subscription& sub) const noexcept { return sub.sid; }
  };

  FlatTable<Subscription, SidOf> subscriptions_;
};

}  // namespace tern::server
