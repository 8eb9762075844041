// The semantics both stores share (nats-server's memstore/filestore rules for state, purge, limits and
// lookups), over the in-memory index. A subclass supplies where message bodies live and how deletes
// and purges are logged.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "server/stream/message_index.h"
#include "server/stream/record.h"
#include "server/stream/store.h"

namespace tern::server::stream {

class IndexedStore : public StreamStore {
 public:
  explicit IndexedStore(const StoreLimits& limits) : limits_(limits) {}

  std::optional<StoredMessage> load(std::uint64_t seq, StoreError& error) const override;
  std::optional<StoredMessage> load_next(std::string_view filter, std::uint64_t start_seq,
                                         StoreError& error) const override;
  std::optional<StoredMessage> load_last(std::string_view subject, StoreError& error) const override;
  std::uint64_t seq_for_time(std::int64_t timestamp_ns) const override;
  bool remove(std::uint64_t seq, bool erase, StoreError& error) override;
  std::uint64_t purge(const PurgeRequest& request, StoreError& error) override;
  std::uint64_t expire(std::int64_t now_ns) override;
  std::int64_t next_expiry_ns() const noexcept override;
  StoreError update_limits(const StoreLimits& limits) override;
  StoreState state() const noexcept override;
  SubjectState subject_state(std::string_view subject) const override;
  void for_each_subject(std::string_view filter,
                        const std::function<bool(std::string_view, const SubjectState&)>& fn) const override;
  SubjectState filtered_state(std::string_view filter, std::uint64_t start_seq) const override;

 protected:
  // Reads the body of a live message.
  virtual bool read_message(std::uint64_t seq, const IndexEntry& entry, StoredMessage& out,
                            StoreError& error) const = 0;
  // The timestamp of a live message; 0 when it cannot be read.
  virtual std::int64_t read_timestamp(std::uint64_t seq, const IndexEntry& entry) const = 0;
  // Logs an explicit delete (and erases the payload when asked) before the index forgets the message.
  virtual StoreError log_delete(const DeleteControl& control, bool erase, const IndexEntry& entry) = 0;
  virtual StoreError log_purge(const PurgeControl& control) = 0;
  // A message left the index (its entry is passed as it was).
  virtual void on_removed(std::uint64_t /*seq*/, const IndexEntry& /*entry*/) {}
  // first_seq moved up (or everything went).
  virtual void on_first_advanced() {}

  // Indexes a message with sequence `seq` (above last_seq) and applies the count, size and per-subject
  // limits. Preconditions: the subject is a valid literal, and timestamps never decrease.
  // `timestamp_ns` may be kUnknownTime (recovery from a segment's .idx, which keeps only samples): then
  // the caller adds the samples with add_time_sample and sets the last timestamp.
  void add_message(std::uint64_t seq, std::string_view subject, std::uint32_t position, std::uint32_t size,
                   std::int64_t timestamp_ns);
  static constexpr std::int64_t kUnknownTime = INT64_MIN;
  void add_time_sample(std::uint64_t seq, std::int64_t timestamp_ns) { times_.add(seq, timestamp_ns); }
  void set_last_timestamp(std::int64_t timestamp_ns) noexcept { last_ts_ = std::max(last_ts_, timestamp_ns); }
  // Removes one live message from the index; false when it is not there.
  bool remove_entry(std::uint64_t seq);
  // Removes every message below `upto` (unlogged). Past the end, the sequence moves on: first_seq =
  // upto, last_seq = upto - 1, as nats-server's Compact. Returns how many went.
  std::uint64_t compact(std::uint64_t upto);
  // Removes messages matching `filter` below `upto` (no filter: compact). Returns how many went.
  std::uint64_t purge_matching(std::string_view filter, std::uint64_t upto);
  // Removes every message above `last_kept` and moves last_seq back to it (flush failure).
  void rollback_after(std::uint64_t last_kept);
  // Replays a logged control record (recovery).
  void replay_delete(const DeleteControl& control);
  void replay_purge(const PurgeControl& control);
  // Raises last_seq to `seq` when it is below (recovery: a segment named past every message it holds).
  void raise_last_seq(std::uint64_t seq);
  // Applies max_msgs, max_bytes and max_msgs_per_subject to everything.
  void enforce_all_limits();

  std::uint64_t first_seq() const noexcept { return msgs_ > 0 ? first_ : last_ + 1; }
  std::uint64_t last_seq() const noexcept { return last_; }
  std::int64_t last_timestamp() const noexcept { return last_ts_; }
  std::uint64_t message_count() const noexcept { return msgs_; }
  std::uint64_t message_bytes() const noexcept { return bytes_; }
  const StoreLimits& limits() const noexcept { return limits_; }
  const EntryTable& entries() const noexcept { return entries_; }
  const SubjectTable& subjects() const noexcept { return subjects_; }
  std::size_t index_memory_bytes() const noexcept { return entries_.memory_bytes(); }

 private:
  const IndexEntry* live_entry(std::uint64_t seq) const noexcept;
  std::optional<StoredMessage> read_live(std::uint64_t seq, StoreError& error) const;
  // Finds a subject's real first sequence if it is stale.
  void refresh_first(std::uint32_t id) const;
  void advance_first();
  void remove_all();
  void enforce_count_and_bytes();
  std::int64_t first_timestamp() const;
  // Scans [from, to] for the messages `filter` matches.
  SubjectState scan_filtered(const SubjectFilter& filter, std::uint64_t from, std::uint64_t to) const;

  StoreLimits limits_;
  EntryTable entries_;
  mutable SubjectTable subjects_;  // Mutable: reads settle stale subject first sequences.
  TimeIndex times_;
  std::uint64_t first_ = 1;  // The lowest live sequence when msgs_ > 0.
  std::uint64_t last_ = 0;
  std::uint64_t msgs_ = 0;
  std::uint64_t bytes_ = 0;
  std::int64_t last_ts_ = 0;
  mutable std::uint64_t cached_first_ts_seq_ = 0;
  mutable std::int64_t cached_first_ts_ = 0;
};

}  // namespace tern::server::stream
