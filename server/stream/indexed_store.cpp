#include "server/stream/indexed_store.h"

#include <algorithm>
#include <cassert>

namespace tern::server::stream {
namespace {

// A limit is active when positive (-1 and 0 mean unlimited in a stream's configuration).
bool limited(std::int64_t limit) noexcept {
  return limit > 0;
}

// True when `after` allows more than `before`.
bool loosened(std::int64_t before, std::int64_t after) noexcept {
  return limited(before) && (!limited(after) || after > before);
}

StoreError not_found() {
  return StoreError{StoreError::Code::kNotFound, "no message found"};
}

}  // namespace

const IndexEntry* IndexedStore::live_entry(std::uint64_t seq) const noexcept {
  if (msgs_ == 0 || seq < first_ || seq > last_) return nullptr;
  const IndexEntry* entry = entries_.find(seq);
  return entry != nullptr && entry->subject != kRemovedSubject ? entry : nullptr;
}

std::optional<StoredMessage> IndexedStore::read_live(std::uint64_t seq, StoreError& error) const {
  const IndexEntry* entry = live_entry(seq);
  if (entry == nullptr) {
    error = not_found();
    return std::nullopt;
  }
  StoredMessage message;
  if (!read_message(seq, *entry, message, error)) return std::nullopt;
  return message;
}

std::optional<StoredMessage> IndexedStore::load(std::uint64_t seq, StoreError& error) const {
  return read_live(seq, error);
}

std::optional<StoredMessage> IndexedStore::load_next(std::string_view filter, std::uint64_t start_seq,
                                                     StoreError& error) const {
  const SubjectFilter matcher(filter, subjects_);
  std::uint64_t from = std::max(start_seq, first_);
  std::uint64_t to = last_;
  if (matcher.is_literal()) {
    if (matcher.literal_id() == kRemovedSubject) {
      error = not_found();
      return std::nullopt;
    }
    refresh_first(matcher.literal_id());
    const SubjectState& subject = subjects_.at(matcher.literal_id()).state;
    from = std::max(from, subject.first_seq);
    to = subject.last_seq;
  }
  if (msgs_ > 0) {
    for (std::uint64_t seq = from; seq <= to; ++seq) {
      const IndexEntry* entry = entries_.find(seq);
      if (entry != nullptr && matcher.matches(entry->subject)) return read_live(seq, error);
    }
  }
  error = not_found();
  return std::nullopt;
}

std::optional<StoredMessage> IndexedStore::load_last(std::string_view subject, StoreError& error) const {
  const std::uint32_t id = subjects_.find(subject);
  if (id == kRemovedSubject) {
    error = not_found();
    return std::nullopt;
  }
  return read_live(subjects_.at(id).state.last_seq, error);
}

std::uint64_t IndexedStore::seq_for_time(std::int64_t timestamp_ns) const {
  if (msgs_ == 0) return last_ + 1;
  for (std::uint64_t seq = std::max(first_, times_.scan_start(timestamp_ns)); seq <= last_; ++seq) {
    const IndexEntry* entry = live_entry(seq);
    if (entry != nullptr && read_timestamp(seq, *entry) >= timestamp_ns) return seq;
  }
  return last_ + 1;
}

bool IndexedStore::remove(std::uint64_t seq, bool erase, StoreError& error) {
  const IndexEntry* entry = live_entry(seq);
  if (entry == nullptr) return false;
  error = log_delete(DeleteControl{seq, last_, first_}, erase, *entry);
  if (error) return false;
  return remove_entry(seq);
}

std::uint64_t IndexedStore::purge(const PurgeRequest& request, StoreError& error) {
  if (request.upto_seq > 1 && request.keep > 0) {
    error = StoreError{StoreError::Code::kInvalid, "purge cannot have both a sequence and keep"};
    return 0;
  }
  const SubjectFilter matcher(request.filter, subjects_);
  PurgeControl control{0, request.keep, last_, first_seq(), {}};
  if (matcher.matches_all()) {
    if (request.upto_seq > 1) {
      control.upto = request.upto_seq;
    } else if (request.keep > 0) {
      if (request.keep >= msgs_) return 0;
      control.upto = last_ - request.keep + 1;
    } else {
      control.upto = last_ + 1;
    }
  } else {
    const SubjectState matching = filtered_state(request.filter, 0);
    if (matching.msgs == 0 || request.keep >= matching.msgs) return 0;
    if (request.keep > 0) {
      // Keeping the newest `keep` matches is purging the matches below the first kept one.
      std::uint64_t skip = matching.msgs - request.keep;
      for (std::uint64_t seq = matching.first_seq; seq <= matching.last_seq; ++seq) {
        const IndexEntry* entry = live_entry(seq);
        if (entry == nullptr || !matcher.matches(entry->subject)) continue;
        if (skip-- == 0) {
          control.upto = seq;
          break;
        }
      }
    } else {
      control.upto = request.upto_seq > 1 ? request.upto_seq : matching.last_seq + 1;
    }
    control.filter = request.filter;
  }
  error = log_purge(control);
  if (error) return 0;
  return purge_matching(control.filter, control.upto);
}

std::uint64_t IndexedStore::purge_matching(std::string_view filter, std::uint64_t upto) {
  const SubjectFilter matcher(filter, subjects_);
  if (matcher.matches_all()) return compact(upto);
  std::uint64_t removed = 0;
  if (msgs_ == 0) return 0;
  std::uint64_t from = first_;
  std::uint64_t to = std::min(last_, upto == 0 ? last_ : upto - 1);
  if (matcher.is_literal()) {
    if (matcher.literal_id() == kRemovedSubject) return 0;
    refresh_first(matcher.literal_id());
    from = subjects_.at(matcher.literal_id()).state.first_seq;
  }
  for (std::uint64_t seq = from; seq <= to && msgs_ > 0; ++seq) {
    const IndexEntry* entry = entries_.find(seq);
    if (entry != nullptr && matcher.matches(entry->subject) && remove_entry(seq)) ++removed;
  }
  return removed;
}

std::uint64_t IndexedStore::expire(std::int64_t now_ns) {
  if (!limited(limits_.max_age_ns) || msgs_ == 0) return 0;
  // nats-server expires a message when its timestamp is at or before now - max_age.
  const std::uint64_t keep_from = seq_for_time(now_ns - limits_.max_age_ns + 1);
  if (keep_from <= first_) return 0;
  return compact(keep_from);
}

std::int64_t IndexedStore::next_expiry_ns() const noexcept {
  if (!limited(limits_.max_age_ns) || msgs_ == 0) return 0;
  return first_timestamp() + limits_.max_age_ns;
}

StoreError IndexedStore::update_limits(const StoreLimits& limits) {
  const bool per_subject_loosened = loosened(limits_.max_msgs_per_subject, limits.max_msgs_per_subject);
  const bool any_loosened = per_subject_loosened || loosened(limits_.max_msgs, limits.max_msgs) ||
                            loosened(limits_.max_bytes, limits.max_bytes) ||
                            loosened(limits_.max_age_ns, limits.max_age_ns);
  if (any_loosened && first_seq() > 1) {
    // What the old limits removed must stay removed when recovery applies the new ones.
    if (StoreError error = log_purge(PurgeControl{first_seq(), 0, last_, first_seq(), {}}); error)
      return error;
    if (per_subject_loosened && msgs_ > 0) {
      for (std::uint64_t seq = first_ + 1; seq < last_; ++seq) {
        const IndexEntry* entry = entries_.find(seq);
        if (entry == nullptr || entry->subject != kRemovedSubject) continue;
        if (StoreError error = log_delete(DeleteControl{seq, last_, first_}, false, *entry); error)
          return error;
      }
    }
  }
  limits_ = limits;
  enforce_all_limits();
  return {};
}

StoreState IndexedStore::state() const noexcept {
  StoreState state;
  state.msgs = msgs_;
  state.bytes = bytes_;
  state.last_seq = last_;
  state.first_seq = last_ == 0 && msgs_ == 0 ? 0 : first_seq();
  // nats-server keeps the last message's time when everything was removed (a purge): only the first
  // time goes back to zero.
  state.last_ts_ns = last_ > 0 ? last_ts_ : 0;
  if (msgs_ > 0) {
    state.first_ts_ns = first_timestamp();
    state.num_deleted = last_ - first_ + 1 - msgs_;
  }
  state.num_subjects = subjects_.count();
  return state;
}

SubjectState IndexedStore::subject_state(std::string_view subject) const {
  const std::uint32_t id = subjects_.find(subject);
  if (id == kRemovedSubject) return {};
  refresh_first(id);
  return subjects_.at(id).state;
}

void IndexedStore::for_each_subject(
    std::string_view filter, const std::function<bool(std::string_view, const SubjectState&)>& fn) const {
  const SubjectFilter matcher(filter, subjects_);
  for (std::uint32_t id = 0; id < subjects_.id_bound(); ++id) {
    if (!subjects_.live(id) || !matcher.matches(id)) continue;
    refresh_first(id);
    const SubjectSlot& slot = subjects_.at(id);
    if (!fn(slot.name, slot.state)) return;
  }
}

SubjectState IndexedStore::filtered_state(std::string_view filter, std::uint64_t start_seq) const {
  if (msgs_ == 0) return {};
  const SubjectFilter matcher(filter, subjects_);
  if (matcher.matches_all()) {
    if (start_seq <= first_) return SubjectState{msgs_, first_, last_};
    return scan_filtered(matcher, start_seq, last_);
  }
  if (matcher.is_literal()) {
    if (matcher.literal_id() == kRemovedSubject) return {};
    refresh_first(matcher.literal_id());
    const SubjectState& subject = subjects_.at(matcher.literal_id()).state;
    if (start_seq <= subject.first_seq) return subject;
    return scan_filtered(matcher, start_seq, subject.last_seq);
  }
  if (start_seq > first_) return scan_filtered(matcher, start_seq, last_);
  SubjectState total;
  for_each_subject(filter, [&total](std::string_view, const SubjectState& subject) {
    total.msgs += subject.msgs;
    total.first_seq = total.first_seq == 0 ? subject.first_seq : std::min(total.first_seq, subject.first_seq);
    total.last_seq = std::max(total.last_seq, subject.last_seq);
    return true;
  });
  return total;
}

SubjectState IndexedStore::scan_filtered(const SubjectFilter& filter, std::uint64_t from,
                                         std::uint64_t to) const {
  SubjectState result;
  for (std::uint64_t seq = std::max(from, first_); seq <= to; ++seq) {
    const IndexEntry* entry = entries_.find(seq);
    if (entry == nullptr || !filter.matches(entry->subject)) continue;
    if (result.msgs++ == 0) result.first_seq = seq;
    result.last_seq = seq;
  }
  return result;
}

void IndexedStore::add_message(std::uint64_t seq, std::string_view subject, std::uint32_t position,
                               std::uint32_t size, std::int64_t timestamp_ns) {
  assert(seq > last_);
  if (msgs_ == 0) {
    entries_.reset(seq);
    first_ = seq;
  } else {
    // A gap (a record lost to damage in the middle of the log) becomes removed entries.
    while (entries_.end_seq() < seq)
      entries_.push(IndexEntry{});
  }
  const std::uint32_t id = subjects_.intern(subject);
  SubjectSlot& slot = subjects_.at(id);
  if (slot.state.msgs++ == 0) slot.state.first_seq = seq;
  slot.state.last_seq = seq;
  entries_.push(IndexEntry{position, id, size});
  ++msgs_;
  bytes_ += size;
  last_ = seq;
  if (timestamp_ns != kUnknownTime) {
    last_ts_ = timestamp_ns;
    times_.add(seq, timestamp_ns);
  }
  if (limited(limits_.max_msgs_per_subject)) {
    while (slot.state.msgs > static_cast<std::uint64_t>(limits_.max_msgs_per_subject)) {
      refresh_first(id);
      remove_entry(slot.state.first_seq);
    }
  }
  enforce_count_and_bytes();
}

void IndexedStore::enforce_count_and_bytes() {
  if (limited(limits_.max_msgs)) {
    while (msgs_ > static_cast<std::uint64_t>(limits_.max_msgs))
      remove_entry(first_);
  }
  if (limited(limits_.max_bytes)) {
    while (msgs_ > 0 && bytes_ > static_cast<std::uint64_t>(limits_.max_bytes))
      remove_entry(first_);
  }
}

void IndexedStore::enforce_all_limits() {
  if (limited(limits_.max_msgs_per_subject)) {
    const auto limit = static_cast<std::uint64_t>(limits_.max_msgs_per_subject);
    for (std::uint32_t id = 0; id < subjects_.id_bound(); ++id) {
      while (subjects_.live(id) && subjects_.at(id).state.msgs > limit) {
        refresh_first(id);
        remove_entry(subjects_.at(id).state.first_seq);
      }
    }
  }
  enforce_count_and_bytes();
}

bool IndexedStore::remove_entry(std::uint64_t seq) {
  if (live_entry(seq) == nullptr) return false;
  IndexEntry* entry = entries_.find(seq);
  const IndexEntry removed = *entry;
  SubjectSlot& slot = subjects_.at(removed.subject);
  if (--slot.state.msgs == 0) {
    subjects_.release(removed.subject);
  } else {
    if (slot.state.first_seq == seq) {
      slot.state.first_seq = seq + 1;
      slot.first_stale = true;
    }
    if (slot.state.last_seq == seq) {
      std::uint64_t previous = seq - 1;
      while (entries_.find(previous)->subject != removed.subject)
        --previous;
      slot.state.last_seq = previous;
    }
  }
  entry->subject = kRemovedSubject;
  --msgs_;
  bytes_ -= removed.size;
  on_removed(seq, removed);
  if (seq == first_) advance_first();
  return true;
}

void IndexedStore::advance_first() {
  if (msgs_ == 0) {
    remove_all();
    return;
  }
  std::uint64_t seq = first_;
  while (entries_.find(seq)->subject == kRemovedSubject)
    ++seq;
  first_ = seq;
  entries_.release_below(first_);
  times_.trim_below(first_);
  on_first_advanced();
}

void IndexedStore::remove_all() {
  subjects_.clear();
  times_.clear();
  msgs_ = 0;
  bytes_ = 0;
  first_ = last_ + 1;
  entries_.reset(first_);
  on_first_advanced();
}

std::uint64_t IndexedStore::compact(std::uint64_t upto) {
  if (msgs_ == 0 || upto > last_) {
    const std::uint64_t removed = msgs_;
    for (std::uint64_t seq = first_; msgs_ > 0 && seq <= last_; ++seq) {
      const IndexEntry* entry = entries_.find(seq);
      if (entry != nullptr && entry->subject != kRemovedSubject) on_removed(seq, *entry);
    }
    if (upto > last_ + 1) last_ = upto - 1;
    remove_all();
    return removed;
  }
  std::uint64_t removed = 0;
  for (std::uint64_t seq = first_; seq < upto; ++seq) {
    IndexEntry* entry = entries_.find(seq);
    if (entry->subject == kRemovedSubject) continue;
    const IndexEntry gone = *entry;
    SubjectSlot& slot = subjects_.at(gone.subject);
    if (--slot.state.msgs == 0) {
      subjects_.release(gone.subject);
    } else if (slot.state.first_seq < upto) {
      slot.state.first_seq = upto;
      slot.first_stale = true;
    }
    entry->subject = kRemovedSubject;
    --msgs_;
    bytes_ -= gone.size;
    ++removed;
    on_removed(seq, gone);
  }
  first_ = upto;
  advance_first();
  return removed;
}

void IndexedStore::rollback_after(std::uint64_t last_kept) {
  while (last_ > last_kept) {
    if (const IndexEntry* entry = live_entry(last_); entry != nullptr) {
      const IndexEntry gone = *entry;
      SubjectSlot& slot = subjects_.at(gone.subject);
      if (--slot.state.msgs == 0) {
        subjects_.release(gone.subject);
      } else {
        std::uint64_t previous = last_ - 1;
        while (entries_.find(previous)->subject != gone.subject)
          --previous;
        slot.state.last_seq = previous;
      }
      --msgs_;
      bytes_ -= gone.size;
      on_removed(last_, gone);
    }
    if (entries_.end_seq() > last_) entries_.pop_back();
    --last_;
  }
  times_.drop_after(last_kept);
  cached_first_ts_seq_ = 0;  // A sequence given back may be reused by another message.
  if (msgs_ == 0) {
    remove_all();
  } else if (const IndexEntry* entry = live_entry(last_); entry != nullptr) {
    last_ts_ = read_timestamp(last_, *entry);
  }
}

void IndexedStore::raise_last_seq(std::uint64_t seq) {
  if (seq <= last_) return;
  if (msgs_ == 0) {
    last_ = seq;
    remove_all();
    return;
  }
  while (entries_.end_seq() <= seq)
    entries_.push(IndexEntry{});
  last_ = seq;
}

void IndexedStore::replay_delete(const DeleteControl& control) {
  if (control.first_seq_at > first_seq()) compact(control.first_seq_at);
  remove_entry(control.target);
}

void IndexedStore::replay_purge(const PurgeControl& control) {
  if (control.first_seq_at > first_seq()) compact(control.first_seq_at);
  purge_matching(control.filter, control.upto);
}

void IndexedStore::refresh_first(std::uint32_t id) const {
  SubjectSlot& slot = subjects_.at(id);
  if (!slot.first_stale) return;
  std::uint64_t seq = std::max(slot.state.first_seq, first_);
  while (entries_.find(seq)->subject != id)
    ++seq;
  assert(seq <= slot.state.last_seq);
  slot.state.first_seq = seq;
  slot.first_stale = false;
}

std::int64_t IndexedStore::first_timestamp() const {
  if (msgs_ == 0) return 0;
  if (cached_first_ts_seq_ != first_) {
    cached_first_ts_ = read_timestamp(first_, *entries_.find(first_));
    cached_first_ts_seq_ = first_;
  }
  return cached_first_ts_;
}

}  // namespace tern::server::stream
