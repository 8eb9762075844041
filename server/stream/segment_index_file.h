// The .idx file written when a segment is sealed, so that recovery can rebuild the in-memory index
// without reading the segment's records. Little-endian:
//
//   "TERNIDX1", version:u32, flags:u32, log_size:u64, first_seq:u64, last_ts:i64, messages:u64,
//   subjects:u32, runs:u32, times:u32, reserved:u32, controls_bytes:u64,
//   subjects (len:u16, bytes)..., runs of sequences (start:u64, count:u64)...,
//   messages (position:u32, subject:u32 local id, size:u32)..., time samples (seq:u64, ts:i64)...,
//   the segment's control records as written, crc32c:u32 over everything before it.
//
// It is trusted only when the CRC checks and log_size equals the segment file's size.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tern::server::stream {

struct IndexedMessage {
  std::uint64_t seq;
  std::uint32_t position;
  std::uint32_t subject;  // Index into the segment's own subject list.
  std::uint32_t size;
};

// What a segment holds, gathered while it is active (or scanned) and written at seal.
class SegmentIndexBuilder {
 public:
  void add_message(std::uint64_t seq, std::string_view subject, std::uint32_t position, std::uint32_t size,
                   std::int64_t timestamp_ns);
  void add_control(std::string_view record) { controls_.append(record); }
  // Forgets messages above `last_seq` and control bytes past `controls_size` (a failed flush).
  void truncate(std::uint64_t last_seq, std::size_t controls_size);
  std::size_t controls_size() const noexcept { return controls_.size(); }
  std::uint64_t last_message_seq() const noexcept { return messages_.empty() ? 0 : messages_.back().seq; }
  std::string encode(std::uint64_t first_seq, std::uint64_t log_size) const;
  void clear();

 private:
  std::vector<std::string> subjects_;
  // Looked up by string_view (transparent hash and equality), so that adding a message allocates nothing.
  struct SubjectHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view subject) const noexcept {
      return std::hash<std::string_view>{}(subject);
    }
  };
  std::unordered_map<std::string, std::uint32_t, SubjectHash, std::equal_to<>> subject_ids_;
  std::vector<IndexedMessage> messages_;
  std::vector<std::pair<std::uint64_t, std::int64_t>> times_;
  std::string controls_;
  std::int64_t last_ts_ = 0;
};

// A decoded .idx file; the views point into the file's bytes.
struct SegmentIndexContent {
  std::uint64_t first_seq = 0;
  std::int64_t last_ts = 0;
  std::uint64_t message_count = 0;
  std::vector<std::string_view> subjects;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;  // {start, count}
  const char* messages = nullptr;                             // message_count * 12 bytes.
  std::vector<std::pair<std::uint64_t, std::int64_t>> times;
  std::string_view controls;
};

// False when the bytes are not a valid index of a log of `log_size` bytes.
bool decode_segment_index(std::string_view data, std::uint64_t log_size, SegmentIndexContent& out);

}  // namespace tern::server::stream
