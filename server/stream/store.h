// The message store of one stream: an append-only log addressed by stream sequence, with per-subject
// state, interior deletes and purges. It touches no sockets and no event loop, so it is unit-testable on
// its own; the server drives its two slow edges (the end-of-turn write and the sync) from the loop and
// libuv's thread pool.
//
// Threading: every member function runs on one thread (the loop's), except `SyncJob::run`, which may
// run on any thread while the store lives and touches only the job's own duplicated descriptors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::server::stream {

enum class StorageKind : std::uint8_t { kFile, kMemory };

// Limits the store enforces by itself after every append and on `expire`, always by removing the
// oldest messages (discard "new" is the stream's check before it appends). -1 / 0 mean unlimited, as
// in a stream's configuration.
struct StoreLimits {
  std::int64_t max_msgs = -1;
  std::int64_t max_bytes = -1;
  std::int64_t max_age_ns = 0;
  std::int64_t max_msgs_per_subject = -1;
};

// A message as stored. `size` is the figure nats-server accounts for it in "bytes" and against
// max_bytes (file: 30 + subject + payload, plus 4 + headers when there are headers; memory: 16 +
// subject + headers + payload), so that stream info and limits match nats-server's exactly.
struct StoredMessage {
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;  // Unix time in ns; never decreases along the sequence.
  std::string subject;
  std::string headers;  // The raw "NATS/1.0\r\n...\r\n\r\n" block, or empty.
  std::string payload;
};

struct SubjectState {
  std::uint64_t msgs = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
};

// The figures of nats-server's StreamState. A new store has first_seq = last_seq = 0; once messages
// were stored and all removed, first_seq is last_seq + 1, as in nats-server. With no messages both
// timestamps are 0 (written as Go's zero time).
struct StoreState {
  std::uint64_t msgs = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_seq = 0;
  std::int64_t first_ts_ns = 0;
  std::uint64_t last_seq = 0;
  std::int64_t last_ts_ns = 0;
  std::uint64_t num_subjects = 0;
  std::uint64_t num_deleted = 0;  // Interior gaps between first_seq and last_seq.
};

// An error of the store, as a value. `message` is what the publisher and the log are told
// (for example "write to /var/lib/tern/jetstream/ORDERS/seg/00000000000000000001.log failed: No space
// left on device").
struct StoreError {
  enum class Code : std::uint8_t { kNone, kNotFound, kIo, kCorrupt, kInvalid } code = Code::kNone;
  std::string message;
  explicit operator bool() const noexcept { return code != Code::kNone; }
};

// What a purge removes: every message matching `filter` (all when empty) below `upto_seq` (no bound
// when 0), except the `keep` newest of them (none kept when 0). nats-server's PurgeEx.
struct PurgeRequest {
  std::string filter;
  std::uint64_t upto_seq = 0;
  std::uint64_t keep = 0;
};

// Work for libuv's thread pool: make every byte written so far durable. `run` only syncs descriptors
// the job owns (duplicated when the job was made), so it is safe while the loop goes on appending.
class SyncJob {
 public:
  virtual ~SyncJob() = default;
  // Runs on a pool thread. Returns an empty string, or what failed.
  virtual std::string run() noexcept = 0;
};

class StreamStore {
 public:
  virtual ~StreamStore() = default;
  virtual StorageKind kind() const noexcept = 0;

  // Appends a message with the next sequence and `timestamp_ns` (raised to the last message's if it is
  // earlier), then removes what the limits no longer allow. The record is buffered: it reaches the
  // kernel at the next `flush`. Returns the sequence, or an error (nothing was appended).
  virtual std::uint64_t append(std::string_view subject, std::string_view headers, std::string_view payload,
                               std::int64_t timestamp_ns, StoreError& error) = 0;
  // Writes every buffered record (one vectored write per call). On failure the unwritten messages are
  // taken back out (last_seq returns to the last written one) and the error says why; the caller
  // answers their publishers with it. A memory store has nothing to write.
  virtual StoreError flush() = 0;
  // Bytes appended but not yet flushed.
  virtual std::size_t unflushed_bytes() const noexcept = 0;
  // The sequence up to which every message has been written to the kernel (flushed).
  virtual std::uint64_t flushed_seq() const noexcept = 0;
  // A job that makes every flushed byte durable, covering messages up to `covers_seq` (set here), or
  // null when there is nothing new to sync (or for a memory store). At most one should be in flight.
  virtual std::unique_ptr<SyncJob> make_sync_job(std::uint64_t& covers_seq) = 0;
  // The sync made by `make_sync_job` finished (`failure` empty on success). Closes what it may.
  virtual void sync_finished(const std::string& failure) noexcept = 0;

  // Reads. A message that was removed, or a sequence out of range, is not found.
  virtual std::optional<StoredMessage> load(std::uint64_t seq, StoreError& error) const = 0;
  // The first message at or after `start_seq` whose subject matches `filter` (a subject with
  // wildcards; all subjects when empty or ">").
  virtual std::optional<StoredMessage> load_next(std::string_view filter, std::uint64_t start_seq,
                                                 StoreError& error) const = 0;
  // The last message on the literal `subject`.
  virtual std::optional<StoredMessage> load_last(std::string_view subject, StoreError& error) const = 0;
  // The first sequence whose timestamp is at or after `timestamp_ns` (last_seq + 1 if none).
  virtual std::uint64_t seq_for_time(std::int64_t timestamp_ns) const = 0;

  // Removes one message; with `erase`, its payload is also overwritten on disk. Logged (a DELETE
  // record), so that recovery does not bring it back. False when it was not there.
  virtual bool remove(std::uint64_t seq, bool erase, StoreError& error) = 0;
  // Logged (a PURGE record). Returns how many messages were removed.
  virtual std::uint64_t purge(const PurgeRequest& request, StoreError& error) = 0;
  // Removes messages older than max_age (`now_ns` - max_age). Returns the number removed. Not logged:
  // recovery applies the age limit again.
  virtual std::uint64_t expire(std::int64_t now_ns) = 0;
  // When the oldest remaining message expires (0: none, or no max_age).
  virtual std::int64_t next_expiry_ns() const noexcept = 0;
  // New limits; applied at once. Loosened limits first log what the old ones removed, so that recovery
  // under the new ones cannot bring it back.
  virtual StoreError update_limits(const StoreLimits& limits) = 0;

  virtual StoreState state() const noexcept = 0;
  // The per-subject state of the literal `subject` (zeros when it has no messages).
  virtual SubjectState subject_state(std::string_view subject) const = 0;
  // Every subject with messages matching `filter` (all when empty), with its state, for stream info's
  // subjects_filter and num_subjects. The callback returns false to stop.
  virtual void for_each_subject(
      std::string_view filter,
      const std::function<bool(std::string_view, const SubjectState&)>& fn) const = 0;
  // Messages matching `filter` at or after `start_seq`, with the first and last of them.
  virtual SubjectState filtered_state(std::string_view filter, std::uint64_t start_seq) const = 0;
  // Bytes the store occupies (on disk for a file store, in memory for a memory store).
  virtual std::uint64_t storage_bytes() const noexcept = 0;

  // Removes everything the store has, on disk too. The store is unusable afterwards.
  virtual StoreError destroy() = 0;
};

// What recovery found, for the log.
struct RecoveryReport {
  std::uint64_t messages = 0;
  std::uint64_t segments = 0;
  std::uint64_t segments_rescanned = 0;  // Sealed segments whose index did not check out.
  std::uint64_t bytes_truncated = 0;     // Lost at the end of the last segment (partial or bad records).
  std::vector<std::string> notes;        // One line each: what was truncated or skipped, and why.
  double seconds = 0;
};

struct FileStoreOptions {
  std::string directory;                      // <store_dir>/jetstream/<stream>; made if missing.
  std::uint64_t segment_bytes = 64ull << 20;  // Roll the active segment past this size.
  StoreLimits limits;
  // The newest bytes of the active segment kept in memory, so that loads of recent messages never read
  // the disk.
  std::size_t tail_bytes = 1u << 20;
};

// Opens (recovering what is there) or creates a file store. Returns null with `error` set when the
// directory cannot be made or read. `now_ns` is the time max_age is applied against.
std::unique_ptr<StreamStore> open_file_store(const FileStoreOptions& options, std::int64_t now_ns,
                                             RecoveryReport& report, StoreError& error);
std::unique_ptr<StreamStore> make_memory_store(const StoreLimits& limits);

// nats-server's accounting of a message's size (see StoredMessage).
constexpr std::uint64_t file_store_msg_size(std::size_t subject, std::size_t headers,
                                            std::size_t payload) noexcept {
  return headers == 0 ? 30 + subject + payload : 34 + subject + headers + payload;
}
constexpr std::uint64_t memory_store_msg_size(std::size_t subject, std::size_t headers,
                                              std::size_t payload) noexcept {
  return 16 + subject + headers + payload;
}

}  // namespace tern::server::stream
