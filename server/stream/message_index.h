// The in-memory index shared by the file and memory stores: per message 12 bytes in chunked arrays
// indexed by sequence, interned subjects with their state, and a sparse time index. Lookups by
// sequence, subject and time never touch the disk.
//
// RAM per stored message: 12 bytes of entry ({position, subject id, size}), plus 16 bytes per 64
// messages of time index, plus per distinct live subject its name and ~80 bytes of table and hash map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/stream/store.h"

namespace tern::server::stream {

inline constexpr std::uint32_t kRemovedSubject = 0xFFFFFFFFu;

struct IndexEntry {
  std::uint32_t position = 0;               // Where the record starts in its segment (file store).
  std::uint32_t subject = kRemovedSubject;  // Interned subject id; kRemovedSubject for a removed message.
  std::uint32_t size = 0;                   // nats-server's accounted size (StoredMessage).
};

// Entries by sequence in chunks of kChunkEntries, freed whole as the front advances.
class EntryTable {
 public:
  static constexpr std::size_t kChunkEntries = 4096;

  // Empties the table; the next push is `next_seq`.
  void reset(std::uint64_t next_seq);
  std::uint64_t end_seq() const noexcept { return end_; }
  // Precondition: `entry` is for end_seq().
  void push(const IndexEntry& entry);
  // Removes the entry of end_seq() - 1. Precondition: the table holds it.
  void pop_back() noexcept;
  IndexEntry* find(std::uint64_t seq) noexcept;
  const IndexEntry* find(std::uint64_t seq) const noexcept;
  // Frees the chunks that hold only sequences below `seq`.
  void release_below(std::uint64_t seq) noexcept;
  std::size_t memory_bytes() const noexcept { return chunks_.size() * kChunkEntries * sizeof(IndexEntry); }

 private:
  std::deque<std::unique_ptr<IndexEntry[]>> chunks_;
  std::uint64_t chunk_base_ = 1;  // The sequence of chunks_[0][0].
  std::uint64_t end_ = 1;
};

struct SubjectSlot {
  std::string name;
  SubjectState state;
  // state.first_seq is only a lower bound (the real first is found on demand), so that removing a
  // subject's first message costs no scan.
  bool first_stale = false;
};

// Interned subjects. Ids of subjects whose last message went are reused.
class SubjectTable {
 public:
  std::uint32_t intern(std::string_view subject);
  // kRemovedSubject when the subject has no messages.
  std::uint32_t find(std::string_view subject) const noexcept;
  SubjectSlot& at(std::uint32_t id) noexcept { return slots_[id]; }
  const SubjectSlot& at(std::uint32_t id) const noexcept { return slots_[id]; }
  bool live(std::uint32_t id) const noexcept { return id < slots_.size() && !slots_[id].name.empty(); }
  void release(std::uint32_t id);
  void clear();
  std::size_t count() const noexcept { return by_name_.size(); }
  std::uint32_t id_bound() const noexcept { return static_cast<std::uint32_t>(slots_.size()); }

 private:
  std::deque<SubjectSlot> slots_;  // A deque, so that the names the map views never move.
  std::unordered_map<std::string_view, std::uint32_t> by_name_;
  std::vector<std::uint32_t> free_ids_;
};

// One {seq, timestamp} sample per kSpacing sequences: a binary search gives where to start scanning.
class TimeIndex {
 public:
  static constexpr std::uint64_t kSpacing = 64;
  void add(std::uint64_t seq, std::int64_t timestamp_ns);
  // The sequence to start scanning from for the first message at or after `timestamp_ns` (0: from the
  // beginning).
  std::uint64_t scan_start(std::int64_t timestamp_ns) const noexcept;
  void trim_below(std::uint64_t first_seq);
  void drop_after(std::uint64_t last_seq);
  void clear() { samples_.clear(); }

 private:
  struct Sample {
    std::uint64_t seq;
    std::int64_t timestamp_ns;
  };
  std::deque<Sample> samples_;
};

// A subject filter evaluated against interned subject ids, remembering each id's answer.
class SubjectFilter {
 public:
  // An empty filter or ">" matches everything.
  SubjectFilter(std::string_view filter, const SubjectTable& subjects);
  bool matches_all() const noexcept { return all_; }
  bool is_literal() const noexcept { return literal_; }
  // The id of a literal filter (kRemovedSubject when that subject has no messages).
  std::uint32_t literal_id() const noexcept { return literal_id_; }
  bool matches(std::uint32_t id) const;

 private:
  std::string_view filter_;
  const SubjectTable& subjects_;
  bool all_ = false;
  bool literal_ = false;
  bool valid_ = true;
  std::uint32_t literal_id_ = kRemovedSubject;
  mutable std::vector<std::int8_t> memo_;  // -1 unknown, 0 no, 1 yes.
};

}  // namespace tern::server::stream
