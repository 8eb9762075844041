// A connection's subscriptions by sid: an open-addressing table of owned Subscription pointers, keyed
// by a view of each subscription's own sid string.
//
// Why not std::unordered_map<std::string, std::unique_ptr<Subscription>>: that costs a node per entry
// (a copied key string, the pointer, a cached hash, a link) plus a bucket, about 80 bytes; this table
// costs 8 to 16 bytes per subscription, which is most of the difference between meeting and missing
// the memory budget per subscription.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "server/subscription.h"

namespace tern::server {

class SidTable {
 public:
  SidTable() = default;
  SidTable(const SidTable&) = delete;
  SidTable& operator=(const SidTable&) = delete;
  ~SidTable();

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  Subscription* find(std::string_view sid) const noexcept;
  // Takes ownership. Precondition: no subscription with sub->sid is in the table.
  void insert(std::unique_ptr<Subscription> sub);
  // Gives ownership back; null when `sub` is not in the table.
  std::unique_ptr<Subscription> release(const Subscription* sub) noexcept;

  template <class Visit>
  void for_each(Visit&& visit) const {
    for (std::size_t i = 0; i < capacity_; ++i) {
      if (slots_[i] != nullptr) visit(*slots_[i]);
    }
  }

 private:
  static std::uint64_t hash(std::string_view sid) noexcept;
  std::size_t slot_of(std::string_view sid) const noexcept;  // The slot holding it, or an empty one.
  void grow();

  std::unique_ptr<Subscription*[]> slots_;
  std::size_t capacity_ = 0;  // Zero or a power of two.
  std::size_t size_ = 0;
};

}  // namespace tern::server
