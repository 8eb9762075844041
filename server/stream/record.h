// The file store's on-disk record and segment header (docs: jetstream.md section 3.2). Little-endian:
//
//   off 0  len:u32       whole record, len through crc      off 16 ts:i64       ns since the epoch
//   off 4  type:u8       1 MSG, 2 DELETE, 3 PURGE           off 24 hdr_len:u32  header block length
//   off 5  flags:u8      bit0 payload erased                off 28 subject, header block, payload
//   off 6  subj_len:u16                                     len-4  crc32c:u32 over bytes [4, len-4)
//   off 8  seq:u64       stream sequence; 0 for control records
//
// Control records carry their arguments in the payload: DELETE {target, last_seq_at, first_seq_at},
// PURGE {upto, keep, last_seq_at, first_seq_at} with the filter as the subject. last_seq_at and
// first_seq_at are the store's last and first sequence when the record was written: recovery applies
// the record at that point of the sequence and drops everything below first_seq_at first, so that a
// replay with limits re-applied reaches the state the live store had.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::server::stream {

enum class RecordType : std::uint8_t { kMessage = 1, kDelete = 2, kPurge = 3 };

inline constexpr std::uint8_t kRecordFlagErased = 1;
inline constexpr std::size_t kRecordOverhead = 32;
inline constexpr std::size_t kRecordFixedHeader = 28;
// Bounds a record's length, so that a corrupt len cannot make a reader allocate or skip gigabytes:
// room for the largest subject and a 64 MiB header block plus payload.
inline constexpr std::size_t kMaxRecordBytes = (64u << 20) + (64u << 10) + kRecordOverhead;

inline constexpr std::size_t kSegmentHeaderSize = 16;
inline constexpr std::uint32_t kSegmentVersion = 1;

struct RecordView {
  RecordType type = RecordType::kMessage;
  std::uint8_t flags = 0;
  std::uint32_t length = 0;
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;
  std::string_view subject;
  std::string_view headers;
  std::string_view payload;
};

enum class DecodeStatus : std::uint8_t { kOk, kPartial, kBad };

struct DeleteControl {
  std::uint64_t target = 0;
  std::uint64_t last_seq_at = 0;
  std::uint64_t first_seq_at = 0;
};

struct PurgeControl {
  std::uint64_t upto = 0;  // Exclusive bound, as resolved when the purge ran.
  std::uint64_t keep = 0;  // What was asked, for the record only: `upto` already accounts for it.
  std::uint64_t last_seq_at = 0;
  std::uint64_t first_seq_at = 0;
  std::string_view filter;
};

constexpr std::size_t record_size(std::size_t subject, std::size_t headers, std::size_t payload) noexcept {
  return kRecordOverhead + subject + headers + payload;
}

// Appends one record to `out`. Preconditions: subject.size() < 65536 and the record fits kMaxRecordBytes.
void append_record(std::string& out, RecordType type, std::uint8_t flags, std::uint64_t seq,
                   std::int64_t timestamp_ns, std::string_view subject, std::string_view headers,
                   std::string_view payload);
void append_delete_record(std::string& out, std::int64_t timestamp_ns, const DeleteControl& control);
void append_purge_record(std::string& out, std::int64_t timestamp_ns, const PurgeControl& control);

// Decodes the record at the start of `data`. kPartial: `data` ends inside the record (or its length
// field). kBad: the length is out of bounds, the fields do not fit it, the type is unknown or the CRC
// does not match. On kOk `out` views into `data`.
DecodeStatus decode_record(std::string_view data, RecordView& out) noexcept;

// The control arguments of a decoded DELETE or PURGE record; false when its payload is malformed.
bool parse_delete(const RecordView& record, DeleteControl& out) noexcept;
bool parse_purge(const RecordView& record, PurgeControl& out) noexcept;

// Recomputes the CRC of a whole encoded record in place (after its payload was erased).
void reseal_record(char* record, std::uint32_t length) noexcept;

void append_segment_header(std::string& out);
bool is_segment_header(std::string_view data) noexcept;

// Little-endian field access shared by the record and index file code.
void put_u16(std::string& out, std::uint16_t value);
void put_u32(std::string& out, std::uint32_t value);
void put_u64(std::string& out, std::uint64_t value);
std::uint16_t get_u16(const char* at) noexcept;
std::uint32_t get_u32(const char* at) noexcept;
std::uint64_t get_u64(const char* at) noexcept;

}  // namespace tern::server::stream
