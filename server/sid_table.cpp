#include "server/sid_table.h"

namespace tern::server {

SidTable::~SidTable() {
  for (std::size_t i = 0; i < capacity_; ++i)
    delete slots_[i];
}

std::uint64_t SidTable::hash(std::string_view sid) noexcept {
  // FNV-1a, then a final mix so that sequential numeric sids spread over the low bits.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : sid)
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ull;
  return h ^ (h >> 32);
}

std::size_t SidTable::slot_of(std::string_view sid) const noexcept {
  const std::size_t mask = capacity_ - 1;
  std::size_t i = hash(sid) & mask;
  while (slots_[i] != nullptr && slots_[i]->sid != sid)
    i = (i + 1) & mask;
  return i;
}

Subscription* SidTable::find(std::string_view sid) const noexcept {
  if (size_ == 0) return nullptr;
  return slots_[slot_of(sid)];
}

void SidTable::grow() {
  const std::size_t capacity = capacity_ == 0 ? 4 : capacity_ * 2;
  auto old = std::move(slots_);
  const std::size_t old_capacity = capacity_;
  slots_ = std::make_unique<Subscription*[]>(capacity);
  capacity_ = capacity;
  for (std::size_t i = 0; i < old_capacity; ++i) {
    if (old[i] != nullptr) slots_[slot_of(old[i]->sid)] = old[i];
  }
}

void SidTable::insert(std::unique_ptr<Subscription> sub) {
  // At most half full, so that probe runs stay short.
  if ((size_ + 1) * 2 > capacity_) grow();
  // The slot is found before ownership moves: in `a = b` the right side is evaluated first.
  const std::size_t slot = slot_of(sub->sid);
  slots_[slot] = sub.release();
  ++size_;
}

std::unique_ptr<Subscription> SidTable::release(const Subscription* sub) noexcept {
  if (size_ == 0) return nullptr;
  const std::size_t mask = capacity_ - 1;
  std::size_t hole = slot_of(sub->sid);
  if (slots_[hole] != sub) return nullptr;
  std::unique_ptr<Subscription> taken(slots_[hole]);
  slots_[hole] = nullptr;
  --size_;
  // Backward-shift deletion: move later members of the probe run into the hole when their home slot
  // allows it, so that lookups never need tombstones.
  for (std::size_t i = (hole + 1) & mask; slots_[i] != nullptr; i = (i + 1) & mask) {
    const std::size_t home = hash(slots_[i]->sid) & mask;
    const bool hole_between_home_and_i = ((i - home) & mask) >= ((i - hole) & mask);
    if (hole_between_home_and_i) {
      slots_[hole] = slots_[i];
      slots_[i] = nullptr;
      hole = i;
    }
  }
  return taken;
}

}  // namespace tern::server
