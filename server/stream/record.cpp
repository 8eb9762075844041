#include "server/stream/record.h"

#include <cassert>
#include <cstring>

#include "server/stream/crc32c.h"

namespace tern::server::stream {
namespace {

constexpr char kSegmentMagic[8] = {'T', 'E', 'R', 'N', 'S', 'E', 'G', '1'};

void store_u32(char* at, std::uint32_t value) noexcept {
  for (int i = 0; i < 4; ++i)
    at[i] = static_cast<char>((value >> (8 * i)) & 0xFFu);
}

}  // namespace

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value & 0xFFu));
  out.push_back(static_cast<char>(value >> 8));
}
void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFu));
}
void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFu));
}
std::uint16_t get_u16(const char* at) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(at);
  return static_cast<std::uint16_t>(bytes[0] | (bytes[1] << 8));
}
std::uint32_t get_u32(const char* at) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(at);
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}
std::uint64_t get_u64(const char* at) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(at);
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

void append_record(std::string& out, RecordType type, std::uint8_t flags, std::uint64_t seq,
                   std::int64_t timestamp_ns, std::string_view subject, std::string_view headers,
                   std::string_view payload) {
  assert(subject.size() <= 0xFFFFu);
  const std::size_t length = record_size(subject.size(), headers.size(), payload.size());
  assert(length <= kMaxRecordBytes);
  const std::size_t start = out.size();
  out.reserve(start + length);
  put_u32(out, static_cast<std::uint32_t>(length));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  put_u16(out, static_cast<std::uint16_t>(subject.size()));
  put_u64(out, seq);
  put_u64(out, static_cast<std::uint64_t>(timestamp_ns));
  put_u32(out, static_cast<std::uint32_t>(headers.size()));
  out.append(subject);
  out.append(headers);
  out.append(payload);
  put_u32(out, crc32c(out.data() + start + 4, length - 8));
}

void append_delete_record(std::string& out, std::int64_t timestamp_ns, const DeleteControl& control) {
  std::string payload;
  put_u64(payload, control.target);
  put_u64(payload, control.last_seq_at);
  put_u64(payload, control.first_seq_at);
  append_record(out, RecordType::kDelete, 0, 0, timestamp_ns, {}, {}, payload);
}

void append_purge_record(std::string& out, std::int64_t timestamp_ns, const PurgeControl& control) {
  std::string payload;
  put_u64(payload, control.upto);
  put_u64(payload, control.keep);
  put_u64(payload, control.last_seq_at);
  put_u64(payload, control.first_seq_at);
  append_record(out, RecordType::kPurge, 0, 0, timestamp_ns, control.filter, {}, payload);
}

DecodeStatus decode_record(std::string_view data, RecordView& out) noexcept {
  if (data.size() < 4) return DecodeStatus::kPartial;
  const std::uint32_t length = get_u32(data.data());
  if (length < kRecordOverhead || length > kMaxRecordBytes) return DecodeStatus::kBad;
  if (data.size() < length) return DecodeStatus::kPartial;
  const char* at = data.data();
  const std::uint8_t type = static_cast<std::uint8_t>(at[4]);
  const std::uint16_t subject_length = get_u16(at + 6);
  const std::uint32_t headers_length = get_u32(at + 24);
  if (type < 1 || type > 3) return DecodeStatus::kBad;
  if (std::uint64_t{subject_length} + headers_length > length - kRecordOverhead) return DecodeStatus::kBad;
  if (get_u32(at + length - 4) != crc32c(at + 4, length - 8)) return DecodeStatus::kBad;
  out.type = static_cast<RecordType>(type);
  out.flags = static_cast<std::uint8_t>(at[5]);
  out.length = length;
  out.seq = get_u64(at + 8);
  out.timestamp_ns = static_cast<std::int64_t>(get_u64(at + 16));
  out.subject = std::string_view(at + kRecordFixedHeader, subject_length);
  out.headers = std::string_view(at + kRecordFixedHeader + subject_length, headers_length);
  const std::size_t payload_start = kRecordFixedHeader + subject_length + headers_length;
  out.payload = std::string_view(at + payload_start, length - 4 - payload_start);
  if (out.type == RecordType::kMessage && out.seq == 0) return DecodeStatus::kBad;
  if (out.type != RecordType::kMessage && out.seq != 0) return DecodeStatus::kBad;
  return DecodeStatus::kOk;
}

bool parse_delete(const RecordView& record, DeleteControl& out) noexcept {
  if (record.type != RecordType::kDelete || record.payload.size() != 24) return false;
  out.target = get_u64(record.payload.data());
  out.last_seq_at = get_u64(record.payload.data() + 8);
  out.first_seq_at = get_u64(record.payload.data() + 16);
  return true;
}

bool parse_purge(const RecordView& record, PurgeControl& out) noexcept {
  if (record.type != RecordType::kPurge || record.payload.size() != 32) return false;
  out.upto = get_u64(record.payload.data());
  out.keep = get_u64(record.payload.data() + 8);
  out.last_seq_at = get_u64(record.payload.data() + 16);
  out.first_seq_at = get_u64(record.payload.data() + 24);
  out.filter = record.subject;
  return true;
}

void reseal_record(char* record, std::uint32_t length) noexcept {
  assert(length >= kRecordOverhead);
  store_u32(record + length - 4, crc32c(record + 4, length - 8));
}

void append_segment_header(std::string& out) {
  out.append(kSegmentMagic, sizeof kSegmentMagic);
  put_u32(out, kSegmentVersion);
  put_u32(out, 0);
}

bool is_segment_header(std::string_view data) noexcept {
  return data.size() >= kSegmentHeaderSize && std::memcmp(data.data(), kSegmentMagic, 8) == 0 &&
         get_u32(data.data() + 8) == kSegmentVersion;
}

}  // namespace tern::server::stream
