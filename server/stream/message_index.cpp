#include "server/stream/message_index.h"

#include <algorithm>
#include <cassert>

#include "protocol/subject.h"

namespace tern::server::stream {

void EntryTable::reset(std::uint64_t next_seq) {
  chunks_.clear();
  chunk_base_ = next_seq;
  end_ = next_seq;
}

void EntryTable::push(const IndexEntry& entry) {
  const std::uint64_t offset = end_ - chunk_base_;
  if (offset == chunks_.size() * kChunkEntries) {
    chunks_.push_back(std::make_unique<IndexEntry[]>(kChunkEntries));
  }
  chunks_[offset / kChunkEntries][offset % kChunkEntries] = entry;
  ++end_;
}

void EntryTable::pop_back() noexcept {
  assert(end_ > chunk_base_);
  --end_;
  if ((end_ - chunk_base_) % kChunkEntries == 0) chunks_.pop_back();
}

IndexEntry* EntryTable::find(std::uint64_t seq) noexcept {
  if (seq < chunk_base_ || seq >= end_) return nullptr;
  const std::uint64_t offset = seq - chunk_base_;
  return &chunks_[offset / kChunkEntries][offset % kChunkEntries];
}

const IndexEntry* EntryTable::find(std::uint64_t seq) const noexcept {
  return const_cast<EntryTable*>(this)->find(seq);
}

void EntryTable::release_below(std::uint64_t seq) noexcept {
  while (!chunks_.empty() && chunk_base_ + kChunkEntries <= std::min(seq, end_)) {
    chunks_.pop_front();
    chunk_base_ += kChunkEntries;
  }
  if (chunks_.empty()) chunk_base_ = end_;
}

std::uint32_t SubjectTable::intern(std::string_view subject) {
  assert(!subject.empty());
  if (const auto found = by_name_.find(subject); found != by_name_.end()) return found->second;
  std::uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(slots_.size());
    assert(id != kRemovedSubject);
    slots_.emplace_back();
  }
  SubjectSlot& slot = slots_[id];
  slot.name.assign(subject);
  slot.state = {};
  slot.first_stale = false;
  by_name_.emplace(slot.name, id);
  return id;
}

std::uint32_t SubjectTable::find(std::string_view subject) const noexcept {
  const auto found = by_name_.find(subject);
  return found == by_name_.end() ? kRemovedSubject : found->second;
}

void SubjectTable::release(std::uint32_t id) {
  SubjectSlot& slot = slots_[id];
  assert(slot.state.msgs == 0);
  by_name_.erase(slot.name);
  std::string().swap(slot.name);
  free_ids_.push_back(id);
}

void SubjectTable::clear() {
  by_name_.clear();
  slots_.clear();
  free_ids_.clear();
}

void TimeIndex::add(std::uint64_t seq, std::int64_t timestamp_ns) {
  if (samples_.empty() || seq >= samples_.back().seq + kSpacing) samples_.push_back({seq, timestamp_ns});
}

std::uint64_t TimeIndex::scan_start(std::int64_t timestamp_ns) const noexcept {
  // The last sample strictly before the time: every message before it is earlier too.
  const auto after =
      std::lower_bound(samples_.begin(), samples_.end(), timestamp_ns,
                       [](const Sample& sample, std::int64_t t) { return sample.timestamp_ns < t; });
  return after == samples_.begin() ? 0 : std::prev(after)->seq;
}

void TimeIndex::trim_below(std::uint64_t first_seq) {
  while (samples_.size() >= 2 && samples_[1].seq <= first_seq)
    samples_.pop_front();
}

void TimeIndex::drop_after(std::uint64_t last_seq) {
  while (!samples_.empty() && samples_.back().seq > last_seq)
    samples_.pop_back();
}

SubjectFilter::SubjectFilter(std::string_view filter, const SubjectTable& subjects)
    : filter_(filter), subjects_(subjects) {
  all_ = filter.empty() || filter == ">";
  if (all_) return;
  valid_ = protocol::is_valid_subscription_subject(filter);
  literal_ = valid_ && !protocol::has_wildcard(filter);
  if (literal_) literal_id_ = subjects.find(filter);
}

bool SubjectFilter::matches(std::uint32_t id) const {
  if (id == kRemovedSubject) return false;
  if (all_) return true;
  if (literal_) return id == literal_id_;
  if (!valid_) return false;
  if (memo_.size() <= id) memo_.resize(subjects_.id_bound(), -1);
  if (memo_[id] < 0) memo_[id] = protocol::subject_matches(filter_, subjects_.at(id).name) ? 1 : 0;
  return memo_[id] == 1;
}

}  // namespace tern::server::stream
