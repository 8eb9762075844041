#include "server/stream/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace tern::server::stream {
namespace {

StoreError io_error(const char* what, const std::string& path, int code) {
  return StoreError{StoreError::Code::kIo,
                    std::string(what) + " " + path + " failed: " + std::strerror(code)};
}

// Writes all of `data` at `offset`, continuing after short writes. Returns 0 or the errno.
int write_all(int fd, const char* data, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    const ssize_t done = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (done < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (done == 0) return EIO;
    data += done;
    size -= static_cast<std::size_t>(done);
    offset += static_cast<std::uint64_t>(done);
  }
  return 0;
}

class FileSyncJob final : public SyncJob {
 public:
  explicit FileSyncJob(std::vector<int> fds) : fds_(std::move(fds)) {}
  ~FileSyncJob() override {
    for (int fd : fds_)
      ::close(fd);
  }
  std::string run() noexcept override {
    std::string failure;
    for (int fd : fds_) {
      if (::fdatasync(fd) != 0 && failure.empty())
        failure = std::string("fdatasync failed: ") + std::strerror(errno);
    }
    return failure;
  }

 private:
  std::vector<int> fds_;
};

}  // namespace

FileStore::FileStore(const FileStoreOptions& options)
    : IndexedStore(options.limits), options_(options), segment_dir_(options.directory + "/seg") {}

FileStore::~FileStore() {
  for (const auto& segment : segments_) {
    if (segment->fd >= 0) ::close(segment->fd);
  }
  for (int fd : rolled_unsynced_)
    ::close(fd);
}

std::unique_ptr<Segment> FileStore::new_segment(std::uint64_t first_seq) const {
  auto segment = std::make_unique<Segment>();
  segment->first_seq = first_seq;
  char name[32];
  std::snprintf(name, sizeof name, "/%020" PRIu64, first_seq);
  segment->log_path = segment_dir_ + name + ".log";
  segment->index_path = segment_dir_ + name + ".idx";
  return segment;
}

Segment* FileStore::segment_of(std::uint64_t seq) const noexcept {
  auto after = std::upper_bound(
      segments_.begin(), segments_.end(), seq,
      [](std::uint64_t s, const std::unique_ptr<Segment>& segment) { return s < segment->first_seq; });
  return after == segments_.begin() ? nullptr : std::prev(after)->get();
}

std::uint64_t FileStore::append(std::string_view subject, std::string_view headers, std::string_view payload,
                                std::int64_t timestamp_ns, StoreError& error) {
  const std::size_t length = record_size(subject.size(), headers.size(), payload.size());
  if (subject.empty() || subject.size() > 0xFFFFu || length > kMaxRecordBytes) {
    error = StoreError{StoreError::Code::kInvalid, "message too large or subject invalid"};
    return 0;
  }
  // Positions are 32-bit: a segment rolls before it could pass 4 GiB whatever segment_bytes says.
  const std::uint64_t roll_at =
      std::min<std::uint64_t>(options_.segment_bytes, 0xFFFFFFFFu - kMaxRecordBytes);
  if (active().last_seq != 0 && active().end() + length > roll_at) roll();
  Segment& segment = active();
  const std::uint64_t seq = last_seq() + 1;
  const std::int64_t timestamp = std::max(timestamp_ns, last_timestamp());
  const auto position = static_cast<std::uint32_t>(segment.end());
  append_record(segment.buffer, RecordType::kMessage, 0, seq, timestamp, subject, headers, payload);
  const auto size =
      static_cast<std::uint32_t>(file_store_msg_size(subject.size(), headers.size(), payload.size()));
  segment.builder.add_message(seq, subject, position, size, timestamp);
  segment.last_seq = seq;
  unflushed_ += length;
  add_message(seq, subject, position, size, timestamp);
  return seq;
}

void FileStore::roll() {
  active().sealed = true;
  auto segment = new_segment(last_seq() + 1);
  append_segment_header(segment->buffer);
  unflushed_ += segment->buffer.size();
  segments_.push_back(std::move(segment));
}

void FileStore::append_control(const std::string& record) {
  Segment& segment = active();
  segment.buffer.append(record);
  segment.builder.add_control(record);
  unflushed_ += record.size();
}

StoreError FileStore::log_delete(const DeleteControl& control, bool erase, const IndexEntry& entry) {
  if (erase) {
    Segment* segment = segment_of(control.target);
    if (segment == nullptr) return StoreError{StoreError::Code::kCorrupt, "no segment holds the message"};
    std::string scratch;
    std::string_view bytes;
    StoreError error;
    if (!read_bytes(*segment, entry.position, entry.size + 2, scratch, bytes, error)) return error;
    RecordView record;
    if (decode_record(bytes, record) != DecodeStatus::kOk || record.seq != control.target) {
      return StoreError{StoreError::Code::kCorrupt, "bad record in " + segment->log_path};
    }
    std::string erased(bytes.substr(0, record.length));
    erased[5] = static_cast<char>(record.flags | kRecordFlagErased);
    const std::size_t payload_at = erased.size() - 4 - record.payload.size();
    std::memset(erased.data() + payload_at, 0, record.payload.size());
    reseal_record(erased.data(), record.length);
    if (entry.position + erased.size() <= segment->written) {
      invalidate_read_ahead();
      if (int code = write_all(segment->fd, erased.data(), erased.size(), entry.position); code != 0) {
        return io_error("write to", segment->log_path, code);
      }
      segment->needs_sync = true;
    }
    if (entry.position >= segment->buffer_start) {
      segment->buffer.replace(entry.position - segment->buffer_start, erased.size(), erased);
    }
  }
  std::string record;
  append_delete_record(record, last_timestamp(), control);
  append_control(record);
  unflushed_controls_.push_back(std::move(record));
  return {};
}

StoreError FileStore::log_purge(const PurgeControl& control) {
  std::string record;
  append_purge_record(record, last_timestamp(), control);
  append_control(record);
  unflushed_controls_.push_back(std::move(record));
  return {};
}

StoreError FileStore::flush() {
  if (unflushed_ == 0) return {};
  for (auto& segment : segments_) {
    if (segment->unflushed() == 0) continue;
    if (StoreError error = write_segment(*segment); error) {
      undo_unflushed();
      return error;
    }
    flushed_seq_ = std::max(flushed_seq_, segment->last_seq);
    if (segment->sealed) {
      // A missing .idx only costs a rescan at recovery, so a failure here is not the publisher's.
      (void)write_index(*segment);
      const int duplicate = ::fcntl(segment->fd, F_DUPFD_CLOEXEC, 0);
      if (duplicate >= 0) rolled_unsynced_.push_back(duplicate);
      std::string().swap(segment->buffer);
      segment->buffer_start = segment->written;
    } else {
      trim_buffer(*segment);
    }
  }
  flushed_seq_ = last_seq();
  unflushed_ = 0;
  unflushed_controls_.clear();
  unlink_dead_segments();
  return {};
}

StoreError FileStore::write_segment(Segment& segment) {
  if (!segment.created) {
    const int fd = ::open(segment.log_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("create", segment.log_path, errno);
    segment.fd = fd;
    segment.created = true;
    directory_dirty_ = true;
  }
  const std::uint64_t offset = segment.written;
  const char* data = segment.buffer.data() + (offset - segment.buffer_start);
  if (int code = write_all(segment.fd, data, segment.unflushed(), offset); code != 0) {
    // Drop whatever part did reach the file, so that the next write starts at a record boundary.
    invalidate_read_ahead();
    (void)::ftruncate(segment.fd, static_cast<off_t>(offset));
    return io_error("write to", segment.log_path, code);
  }
  segment.written = segment.end();
  segment.needs_sync = true;
  return {};
}

StoreError FileStore::write_index(Segment& segment) {
  const std::string index = segment.builder.encode(segment.first_seq, segment.written);
  segment.builder.clear();
  const int fd = ::open(segment.index_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("create", segment.index_path, errno);
  const int code = write_all(fd, index.data(), index.size(), 0);
  ::close(fd);
  if (code != 0) {
    ::unlink(segment.index_path.c_str());
    return io_error("write to", segment.index_path, code);
  }
  segment.index_written = true;
  return {};
}

void FileStore::undo_unflushed() {
  // Segments made since the last good flush whose file was never created go; the last one left takes
  // appends again.
  while (segments_.size() > 1 && !active().created)
    segments_.pop_back();
  for (auto& segment : segments_) {
    if (segment->unflushed() == 0) continue;
    segment->buffer.resize(segment->written - segment->buffer_start);
    segment->builder.truncate(flushed_seq_, segment->builder.controls_size());
    if (segment->last_seq > flushed_seq_) segment->last_seq = segment->builder.last_message_seq();
  }
  Segment& last = active();
  if (!last.created) {
    last.buffer.clear();
    append_segment_header(last.buffer);
  }
  last.sealed = false;
  unflushed_ = last.unflushed();
  rollback_after(flushed_seq_);
  // Deletes and purges already hold in memory: their records are queued again for the next flush.
  std::vector<std::string> controls = std::move(unflushed_controls_);
  unflushed_controls_.clear();
  for (std::string& record : controls) {
    append_control(record);
    unflushed_controls_.push_back(std::move(record));
  }
}

void FileStore::trim_buffer(Segment& segment) {
  const std::uint64_t kept = segment.written - segment.buffer_start;
  if (kept <= 2 * options_.tail_bytes) return;
  // Keep whole records only: the tail starts at the first record boundary past the cut.
  const std::size_t cut = kept - options_.tail_bytes;
  std::size_t at = segment.buffer_start == 0 ? kSegmentHeaderSize : 0;
  while (at < cut)
    at += get_u32(segment.buffer.data() + at);
  segment.buffer.erase(0, at);
  segment.buffer_start += at;
}

bool FileStore::read_bytes(const Segment& segment, std::uint64_t position, std::size_t length,
                           std::string& scratch, std::string_view& out, StoreError& error) const {
  if (position >= segment.buffer_start && position < segment.end()) {
    const std::uint64_t offset = position - segment.buffer_start;
    out = std::string_view(segment.buffer).substr(offset, length);
    return true;
  }
  if (ahead_segment_ == &segment && position >= ahead_start_ &&
      position + length <= ahead_start_ + ahead_.size()) {
    out = std::string_view(ahead_).substr(position - ahead_start_, length);
    return true;
  }
  if (length < kReadAhead) {
    ahead_segment_ = nullptr;
    ahead_.resize(kReadAhead);
    std::size_t got_total = 0;
    while (got_total < kReadAhead) {
      const ssize_t got = ::pread(segment.fd, ahead_.data() + got_total, kReadAhead - got_total,
                                  static_cast<off_t>(position + got_total));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        error = io_error("read of", segment.log_path, errno);
        return false;
      }
      if (got == 0) break;
      got_total += static_cast<std::size_t>(got);
    }
    ahead_.resize(got_total);
    ahead_segment_ = &segment;
    ahead_start_ = position;
    out = std::string_view(ahead_).substr(0, std::min(length, got_total));
    return true;
  }
  scratch.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t got =
        ::pread(segment.fd, scratch.data() + done, length - done, static_cast<off_t>(position + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = io_error("read of", segment.log_path, errno);
      return false;
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  out = std::string_view(scratch.data(), done);
  return true;
}

bool FileStore::read_message(std::uint64_t seq, const IndexEntry& entry, StoredMessage& out,
                             StoreError& error) const {
  const Segment* segment = segment_of(seq);
  std::string scratch;
  std::string_view bytes;
  if (segment == nullptr || !read_bytes(*segment, entry.position, entry.size + 2, scratch, bytes, error)) {
    if (!error) error = StoreError{StoreError::Code::kCorrupt, "no segment holds the message"};
    return false;
  }
  RecordView record;
  if (decode_record(bytes, record) != DecodeStatus::kOk || record.seq != seq) {
    error = StoreError{StoreError::Code::kCorrupt,
                       "bad record for sequence " + std::to_string(seq) + " in " + segment->log_path};
    return false;
  }
  out.seq = seq;
  out.timestamp_ns = record.timestamp_ns;
  out.subject.assign(record.subject);
  out.headers.assign(record.headers);
  out.payload.assign(record.payload);
  return true;
}

std::int64_t FileStore::read_timestamp(std::uint64_t seq, const IndexEntry& entry) const {
  const Segment* segment = segment_of(seq);
  std::string scratch;
  std::string_view bytes;
  StoreError error;
  if (segment == nullptr || !read_bytes(*segment, entry.position, 24, scratch, bytes, error) ||
      bytes.size() < 24) {
    return 0;
  }
  return static_cast<std::int64_t>(get_u64(bytes.data() + 16));
}

void FileStore::on_first_advanced() {
  if (!recovering_) unlink_dead_segments();
}

void FileStore::unlink_dead_segments() {
  // A segment goes once the next one starts at or below first_seq, and all of it is written.
  while (segments_.size() > 1 && segments_[1]->first_seq <= first_seq() && segments_[0]->unflushed() == 0 &&
         segments_[0]->sealed) {
    Segment& dead = *segments_[0];
    if (ahead_segment_ == &dead) invalidate_read_ahead();
    if (dead.fd >= 0) ::close(dead.fd);
    if (::unlink(dead.log_path.c_str()) == 0) directory_dirty_ = true;
    ::unlink(dead.index_path.c_str());
    segments_.pop_front();
  }
}

std::unique_ptr<SyncJob> FileStore::make_sync_job(std::uint64_t& covers_seq) {
  covers_seq = flushed_seq_;
  std::vector<int> fds = std::move(rolled_unsynced_);
  rolled_unsynced_.clear();
  for (auto& segment : segments_) {
    if (!segment->needs_sync || segment->fd < 0 || !segment->created) continue;
    segment->needs_sync = false;
    const int duplicate = ::fcntl(segment->fd, F_DUPFD_CLOEXEC, 0);
    if (duplicate >= 0) fds.push_back(duplicate);
  }
  if (directory_dirty_) {
    const int dir = ::open(segment_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      fds.push_back(dir);
      directory_dirty_ = false;
    }
  }
  if (fds.empty()) return nullptr;
  return std::make_unique<FileSyncJob>(std::move(fds));
}

void FileStore::sync_finished(const std::string& failure) noexcept {
  if (failure.empty()) return;
  // Whatever the job covered is synced again by the next one.
  directory_dirty_ = true;
  for (auto& segment : segments_)
    segment->needs_sync = segment->created;
}

std::uint64_t FileStore::storage_bytes() const noexcept {
  std::uint64_t total = 0;
  for (const auto& segment : segments_)
    total += segment->end();
  return total;
}

StoreError FileStore::destroy() {
  for (auto& segment : segments_) {
    if (segment->fd >= 0) ::close(segment->fd);
    segment->fd = -1;
  }
  segments_.clear();
  std::error_code failure;
  std::filesystem::remove_all(options_.directory, failure);
  if (failure)
    return StoreError{StoreError::Code::kIo,
                      "remove " + options_.directory + " failed: " + failure.message()};
  return {};
}

void FileStore::replace_active_fd_for_test(int fd) {
  Segment& segment = active();
  if (segment.fd >= 0) ::close(segment.fd);
  segment.fd = fd;
  segment.created = true;
}

}  // namespace tern::server::stream
