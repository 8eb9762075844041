// A set of pointers to objects that each carry their own string key: the one hash table of the server,
// used for a trie node's literal children (keyed by token) and a connection's subscriptions (keyed by sid).
//
// Open addressing with linear probing and backward-shift erase, so there are no tombstones and a probe
// stops at the first empty slot. One block holds the pointers followed by one tag byte per slot; a tag is 0
// for an empty slot, or 0x80 plus the top 7 bits of the key's hash, so most probes that miss never touch
// an object. A slot costs 9 bytes, and the table is kept between 7/16 and 7/8 full once it holds a few
// entries (10 to 21 bytes per entry), because an index of a million subscriptions is mostly such slots.
//
// The table does not own its objects. Keys are views into the objects, so an object's key must not change
// while it is in the table.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include "server/hash_bytes.h"

namespace tern::server {

// KeyOf is a stateless function object: `std::string_view KeyOf{}(const T&) noexcept`.
template <class T, class KeyOf>
class FlatTable {
 public:
  FlatTable() = default;
  ~FlatTable() { ::operator delete(entries_); }
  FlatTable(const FlatTable&) = delete;
  FlatTable& operator=(const FlatTable&) = delete;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // Zero or a power of two; exposed for tests of growth and shrinking.
  std::size_t capacity() const noexcept { return capacity_; }

  // The entry whose key is `key`, or null. `hash` is detail::hash_bytes(key), for callers that need it
  // for more than one call.
  T* find(std::string_view key, std::uint64_t hash) const noexcept {
    assert(hash == detail::hash_bytes(key));
    if (capacity_ == 0) return nullptr;
    const std::size_t mask = capacity_ - 1;
    const std::uint8_t tag = tag_of(hash);
    const std::uint8_t* slot_tags = tags();
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      if (slot_tags[slot] == 0) return nullptr;
      if (slot_tags[slot] == tag && KeyOf{}(*entries_[slot]) == key) return entries_[slot];
    }
  }
  T* find(std::string_view key) const noexcept { return find(key, detail::hash_bytes(key)); }

  // Adds `entry`. Precondition: no entry has its key, and `hash` is detail::hash_bytes of its key.
  // Leaves the table unchanged when it throws std::bad_alloc.
  void insert(T* entry, std::uint64_t hash) {
    assert(entry != nullptr && find(KeyOf{}(*entry), hash) == nullptr);
    if (capacity_ == 0 || needs_growth(size_ + 1, capacity_)) {
      if (!resize(capacity_for(size_ + 1))) throw std::bad_alloc();
    }
    place(entry, hash);
    ++size_;
  }
  void insert(T* entry) { insert(entry, detail::hash_bytes(KeyOf{}(*entry))); }

  // Removes `entry` itself (compared by address, not by key) and returns it; null when it is not here.
  // Shrinks the table when it becomes sparse, and frees it with the last entry.
  T* erase(const T* entry) noexcept {
    if (size_ == 0) return nullptr;
    const std::size_t mask = capacity_ - 1;
    std::uint8_t* slot_tags = tags();
    std::size_t hole = detail::hash_bytes(KeyOf{}(*entry)) & mask;
    for (;; hole = (hole + 1) & mask) {
      if (slot_tags[hole] == 0) return nullptr;
      if (entries_[hole] == entry) break;
    }
    T* const erased = entries_[hole];
    // Shift back each later entry of the probe run that may live in the hole: one whose home slot does
    // not lie cyclically within (hole, slot]. This re-hashes the keys it passes, which is what erasing
    // costs instead of tombstones that would lengthen every later probe.
    for (std::size_t slot = (hole + 1) & mask; slot_tags[slot] != 0; slot = (slot + 1) & mask) {
      const std::size_t home = detail::hash_bytes(KeyOf{}(*entries_[slot])) & mask;
      const bool home_in_range = hole <= slot ? (hole < home && home <= slot) : (hole < home || home <= slot);
      if (home_in_range) continue;
      slot_tags[hole] = slot_tags[slot];
      entries_[hole] = entries_[slot];
      hole = slot;
    }
    slot_tags[hole] = 0;
    --size_;
    // A failed shrink keeps the larger table, which is still correct.
    if (size_ == 0) {
      resize(0);
    } else if (needs_shrink(size_, capacity_)) {
      resize(capacity_for(size_));
    }
    return erased;
  }

  // Visits every entry as a T*, in no particular order. `visit` must not change the table.
  template <class Visit>
  void for_each(Visit&& visit) const {
    const std::uint8_t* slot_tags = tags();
    for (std::size_t slot = 0; slot < capacity_; ++slot) {
      if (slot_tags[slot] != 0) visit(entries_[slot]);
    }
  }

 private:
  static constexpr std::size_t kMinCapacity = 4;

  static constexpr std::uint8_t tag_of(std::uint64_t hash) noexcept {
    return static_cast<std::uint8_t>(0x80 | (hash >> 57));
  }
  // Grows past 7/8 full and shrinks below 1/8 full, to a table between 1/4 and 1/2 full, so a table never
  // flips between two sizes on one insert and one erase.
  static bool needs_growth(std::size_t size, std::size_t capacity) noexcept {
    return size * 8 > capacity * 7;
  }
  static bool needs_shrink(std::size_t size, std::size_t capacity) noexcept {
    return capacity > kMinCapacity && size * 8 < capacity;
  }
  static std::size_t capacity_for(std::size_t size) noexcept {
    std::size_t capacity = kMinCapacity;
    while (size * 2 > capacity)
      capacity *= 2;
    return capacity;
  }

  std::uint8_t* tags() const noexcept { return reinterpret_cast<std::uint8_t*>(entries_ + capacity_); }

  // Precondition: the table has an empty slot and no entry with this key.
  void place(T* entry, std::uint64_t hash) noexcept {
    const std::size_t mask = capacity_ - 1;
    std::uint8_t* slot_tags = tags();
    std::size_t slot = hash & mask;
    while (slot_tags[slot] != 0)
      slot = (slot + 1) & mask;
    slot_tags[slot] = tag_of(hash);
    entries_[slot] = entry;
  }

  // Moves every entry into a table of `capacity` slots (none when zero); false, with the table unchanged,
  // when the memory cannot be had. Precondition: capacity is zero or a power of two above size() * 8 / 7.
  bool resize(std::size_t capacity) noexcept {
    T** new_entries = nullptr;
    if (capacity != 0) {
      new_entries = static_cast<T**>(::operator new(capacity*(sizeof(T*) + 1), std::nothrow));
      if (new_entries == nullptr) return false;
      std::memset(new_entries + capacity, 0, capacity);
    }
    T** const old_entries = entries_;
    const std::uint8_t* const old_tags = tags();
    const std::size_t old_capacity = capacity_;
    entries_ = new_entries;
    capacity_ = static_cast<std::uint32_t>(capacity);
    for (std::size_t slot = 0; slot < old_capacity; ++slot) {
      if (old_tags[slot] != 0) place(old_entries[slot], detail::hash_bytes(KeyOf{}(*old_entries[slot])));
    }
    ::operator delete(old_entries);
    return true;
  }

  T** entries_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
};

}  // namespace tern::server
