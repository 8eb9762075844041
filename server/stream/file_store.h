// The file store: segment files under <dir>/seg/ (<first_seq:020>.log, and .idx once sealed), records
// appended to an in-memory buffer and written by flush() with one pwrite per segment, fdatasync on the
// thread pool through SyncJob, and the shared in-memory index (message_index.h: 12 bytes per message).
// Recovery is in file_store_recovery.cpp.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "server/stream/indexed_store.h"
#include "server/stream/segment_index_file.h"

namespace tern::server::stream {

struct Segment {
  std::uint64_t first_seq = 0;  // From the file name: the first sequence it may hold.
  std::string log_path;
  std::string index_path;
  int fd = -1;
  std::uint64_t written = 0;       // Bytes in the file.
  std::string buffer;              // Bytes [buffer_start, written + unflushed) of the segment.
  std::uint64_t buffer_start = 0;  // The file offset of buffer[0].
  bool created = false;            // The file exists.
  bool sealed = false;             // Nothing more is appended; its .idx is written once flushed.
  bool index_written = false;
  bool needs_sync = false;
  std::uint64_t last_seq = 0;   // The last message it holds, or 0.
  SegmentIndexBuilder builder;  // Only while not sealed and indexed.

  std::uint64_t end() const noexcept { return buffer_start + buffer.size(); }
  std::uint64_t unflushed() const noexcept { return end() - written; }
};

class FileStore final : public IndexedStore {
 public:
  FileStore(const FileStoreOptions& options);
  ~FileStore() override;

  // Recovers what the directory holds (file_store_recovery.cpp). False with `error` set when the
  // directory cannot be made or read.
  bool recover(std::int64_t now_ns, RecoveryReport& report, StoreError& error);

  StorageKind kind() const noexcept override { return StorageKind::kFile; }
  std::uint64_t append(std::string_view subject, std::string_view headers, std::string_view payload,
                       std::int64_t timestamp_ns, StoreError& error) override;
  StoreError flush() override;
  std::size_t unflushed_bytes() const noexcept override { return unflushed_; }
  std::uint64_t flushed_seq() const noexcept override { return flushed_seq_; }
  std::unique_ptr<SyncJob> make_sync_job(std::uint64_t& covers_seq) override;
  void sync_finished(const std::string& failure) noexcept override;
  std::uint64_t storage_bytes() const noexcept override;
  StoreError destroy() override;

  // Test hook: the active segment's descriptor is replaced by `fd` (for example one opened read-only,
  // or /dev/full) so that the next flush fails. The store takes ownership of `fd`.
  void replace_active_fd_for_test(int fd);
  std::size_t segment_count() const noexcept { return segments_.size(); }

 protected:
  bool read_message(std::uint64_t seq, const IndexEntry& entry, StoredMessage& out,
                    StoreError& error) const override;
  std::int64_t read_timestamp(std::uint64_t seq, const IndexEntry& entry) const override;
  StoreError log_delete(const DeleteControl& control, bool erase, const IndexEntry& entry) override;
  StoreError log_purge(const PurgeControl& control) override;
  void on_first_advanced() override;

 private:
  friend class FileStoreRecovery;

  Segment& active() noexcept { return *segments_.back(); }
  Segment* segment_of(std::uint64_t seq) const noexcept;
  std::unique_ptr<Segment> new_segment(std::uint64_t first_seq) const;
  void roll();
  void append_control(const std::string& record);
  // Reads `length` bytes at `position` of `segment` (from its buffer when there), or fails.
  bool read_bytes(const Segment& segment, std::uint64_t position, std::size_t length, std::string& scratch,
                  std::string_view& out, StoreError& error) const;
  StoreError write_segment(Segment& segment);
  StoreError write_index(Segment& segment);
  void undo_unflushed();
  void trim_buffer(Segment& segment);
  void unlink_dead_segments();

  FileStoreOptions options_;
  std::string segment_dir_;
  std::deque<std::unique_ptr<Segment>> segments_;
  // Read-ahead for readers behind the tail (a consumer draining a backlog): one read of kReadAhead bytes
  // serves the records after it. Segments only grow, so the window stays true until a record is erased,
  // a failed write is truncated away or its segment goes (invalidate_read_ahead).
  static constexpr std::size_t kReadAhead = 256 * 1024;
  mutable const Segment* ahead_segment_ = nullptr;
  mutable std::uint64_t ahead_start_ = 0;
  mutable std::string ahead_;
  void invalidate_read_ahead() const noexcept { ahead_segment_ = nullptr; }
  std::size_t unflushed_ = 0;
  std::uint64_t flushed_seq_ = 0;
  std::vector<std::string> unflushed_controls_;  // Re-appended if a flush fails.
  bool directory_dirty_ = false;                 // A file was created or removed since the last sync.
  std::vector<int> rolled_unsynced_;             // Owned duplicates of sealed segments' descriptors, to sync.
  bool recovering_ = false;
};

}  // namespace tern::server::stream
