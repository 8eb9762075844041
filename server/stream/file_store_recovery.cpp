// Recovery of a file store (jetstream.md 3.4): sealed segments from their .idx when it checks out,
// otherwise by a scan; the last segment always by a scan, truncated at its first bad or partial record;
// control records replayed where they were written; then the limits, max_age against `now_ns`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "server/stream/file_store.h"
#include "server/stream/segment_scan.h"

namespace tern::server::stream {
namespace {

StoreError io_error(const char* what, const std::string& path, int code) {
  return StoreError{StoreError::Code::kIo,
                    std::string(what) + " " + path + " failed: " + std::strerror(code)};
}

// Reads a whole file. Returns 0 or the errno.
int read_file(int fd, std::uint64_t size, std::string& out) {
  out.resize(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd, out.data() + done, size - done, static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno;
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  out.resize(done);
  return 0;
}

// The sequence a segment file's name gives, or 0 when it is not a segment name.
std::uint64_t segment_name_seq(const std::string& name) {
  if (name.size() != 24 || name.compare(20, 4, ".log") != 0) return 0;
  std::uint64_t seq = 0;
  for (int i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    seq = seq * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  return seq;
}

}  // namespace

bool FileStore::recover(std::int64_t now_ns, RecoveryReport& report, StoreError& error) {
  const auto started = std::chrono::steady_clock::now();
  std::error_code failure;
  std::filesystem::create_directories(segment_dir_, failure);
  if (failure) {
    error = StoreError{StoreError::Code::kIo, "create " + segment_dir_ + " failed: " + failure.message()};
    return false;
  }
  std::vector<std::uint64_t> names;
  for (std::filesystem::directory_iterator it(segment_dir_, failure), end; !failure && it != end;
       it.increment(failure)) {
    if (const std::uint64_t seq = segment_name_seq(it->path().filename().string()); seq != 0)
      names.push_back(seq);
  }
  if (failure) {
    error = StoreError{StoreError::Code::kIo, "read " + segment_dir_ + " failed: " + failure.message()};
    return false;
  }
  std::sort(names.begin(), names.end());
  recovering_ = true;
  std::string data;
  std::string index_data;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool last = i + 1 == names.size();
    auto segment = new_segment(names[i]);
    segment->fd = ::open(segment->log_path.c_str(), O_RDWR | O_CLOEXEC);
    struct stat status {};
    if (segment->fd < 0 || ::fstat(segment->fd, &status) != 0) {
      error = io_error("open", segment->log_path, errno);
      recovering_ = false;
      return false;
    }
    segment->created = true;
    segment->written = static_cast<std::uint64_t>(status.st_size);
    segment->buffer_start = segment->written;
    raise_last_seq(segment->first_seq - 1);
    SegmentIndexContent index;
    bool indexed = false;
    if (!last) {
      const int index_fd = ::open(segment->index_path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat index_status {};
      if (index_fd >= 0 && ::fstat(index_fd, &index_status) == 0 &&
          read_file(index_fd, static_cast<std::uint64_t>(index_status.st_size), index_data) == 0) {
        indexed = decode_segment_index(index_data, segment->written, index);
      }
      if (index_fd >= 0) ::close(index_fd);
    }
    if (indexed) {
      // Control records replay where they were written: before the first message above last_seq_at.
      std::vector<RecordView> controls;
      for (std::string_view rest = index.controls; !rest.empty();) {
        RecordView record;
        if (decode_record(rest, record) != DecodeStatus::kOk) break;
        controls.push_back(record);
        rest.remove_prefix(record.length);
      }
      std::size_t next_control = 0;
      auto replay_until = [&](std::uint64_t seq) {
        for (; next_control < controls.size(); ++next_control) {
          DeleteControl deleted;
          PurgeControl purged;
          if (parse_delete(controls[next_control], deleted)) {
            if (deleted.last_seq_at >= seq) return;
            replay_delete(deleted);
          } else if (parse_purge(controls[next_control], purged)) {
            if (purged.last_seq_at >= seq) return;
            raise_last_seq(purged.last_seq_at);
            replay_purge(purged);
          }
        }
      };
      std::uint64_t message = 0;
      for (const auto& [start, count] : index.runs) {
        for (std::uint64_t seq = start; seq < start + count; ++seq, ++message) {
          const char* at = index.messages + message * 12;
          if (seq <= last_seq()) continue;  // Never in a valid index; ignored rather than trusted.
          replay_until(seq);
          add_message(seq, index.subjects[get_u32(at + 4)], get_u32(at), get_u32(at + 8), kUnknownTime);
        }
      }
      replay_until(~std::uint64_t{0});
      for (const auto& [seq, timestamp] : index.times)
        add_time_sample(seq, timestamp);
      set_last_timestamp(index.last_ts);
      segment->sealed = true;
      segment->index_written = true;
      segment->last_seq = message > 0 ? last_seq() : 0;
      segments_.push_back(std::move(segment));
      continue;
    }
    if (!last) ++report.segments_rescanned;
    if (int code = read_file(segment->fd, segment->written, data); code != 0) {
      error = io_error("read of", segment->log_path, code);
      recovering_ = false;
      return false;
    }
    Segment& kept = *segment;
    // The tail kept in memory starts at a record boundary (or at the header).
    const std::uint64_t tail_from =
        segment->written > options_.tail_bytes ? segment->written - options_.tail_bytes : 0;
    std::uint64_t tail_start = tail_from <= kSegmentHeaderSize ? 0 : segment->written;
    const SegmentScan scan = scan_segment(data, [&](const RecordView& record, std::uint32_t position) {
      if (position >= tail_from) tail_start = std::min<std::uint64_t>(tail_start, position);
      if (record.type == RecordType::kMessage) {
        if (record.seq <= last_seq()) return;
        const auto size = static_cast<std::uint32_t>(
            file_store_msg_size(record.subject.size(), record.headers.size(), record.payload.size()));
        kept.builder.add_message(record.seq, record.subject, position, size, record.timestamp_ns);
        kept.last_seq = record.seq;
        add_message(record.seq, record.subject, position, size,
                    std::max(record.timestamp_ns, last_timestamp()));
        return;
      }
      kept.builder.add_control(std::string_view(data).substr(position, record.length));
      DeleteControl deleted;
      PurgeControl purged;
      if (parse_delete(record, deleted)) {
        replay_delete(deleted);
      } else if (parse_purge(record, purged)) {
        raise_last_seq(purged.last_seq_at);
        replay_purge(purged);
      }
    });
    std::uint64_t valid = scan.valid_bytes;
    if (valid < segment->written) {
      const std::uint64_t lost = segment->written - valid;
      if (valid < kSegmentHeaderSize) valid = 0;
      invalidate_read_ahead();
      if (::ftruncate(segment->fd, static_cast<off_t>(valid)) != 0) {
        error = io_error("truncate of", segment->log_path, errno);
        recovering_ = false;
        return false;
      }
      segment->needs_sync = true;
      report.notes.push_back(segment->log_path + ": " + scan.problem + " at byte " +
                             std::to_string(scan.valid_bytes) + "; " + std::to_string(lost) +
                             " bytes truncated, " + std::to_string(scan.records) + " records before it kept" +
                             (last ? "" : ", later segments kept"));
      if (last) report.bytes_truncated += lost;
      segment->written = valid;
      data.resize(valid);
    }
    if (last) {
      tail_start = std::min(tail_start, segment->written);
      segment->buffer_start = tail_start;
      segment->buffer.assign(data, tail_start, segment->written - tail_start);
      if (segment->written == 0) {
        // Not even a header survived: the segment starts again, written by the next flush.
        segment->buffer_start = 0;
        append_segment_header(segment->buffer);
        unflushed_ += segment->buffer.size();
      }
    } else {
      segment->sealed = true;
      segment->buffer_start = segment->written;
      if (write_index(*segment)) report.notes.push_back(segment->index_path + ": could not be rewritten");
    }
    segments_.push_back(std::move(segment));
  }
  if (segments_.empty()) {
    auto segment = new_segment(last_seq() + 1);
    append_segment_header(segment->buffer);
    unflushed_ += segment->buffer.size();
    segments_.push_back(std::move(segment));
  }
  enforce_all_limits();
  expire(now_ns);
  recovering_ = false;
  unlink_dead_segments();
  flushed_seq_ = last_seq();
  report.messages = message_count();
  report.segments = segments_.size();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return true;
}

std::unique_ptr<StreamStore> open_file_store(const FileStoreOptions& options, std::int64_t now_ns,
                                             RecoveryReport& report, StoreError& error) {
  auto store = std::make_unique<FileStore>(options);
  if (!store->recover(now_ns, report, error)) return nullptr;
  return store;
}

}  // namespace tern::server::stream
