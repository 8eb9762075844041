#include "server/stream/segment_index_file.h"

#include <cstring>

#include "server/stream/crc32c.h"
#include "server/stream/message_index.h"
#include "server/stream/record.h"

namespace tern::server::stream {
namespace {

constexpr char kIndexMagic[8] = {'T', 'E', 'R', 'N', 'I', 'D', 'X', '1'};
constexpr std::uint32_t kIndexVersion = 1;
constexpr std::size_t kIndexHeaderSize = 72;
constexpr std::size_t kMessageBytes = 12;

}  // namespace

void SegmentIndexBuilder::add_message(std::uint64_t seq, std::string_view subject, std::uint32_t position,
                                      std::uint32_t size, std::int64_t timestamp_ns) {
  auto found = subject_ids_.find(subject);
  if (found == subject_ids_.end()) {
    found = subject_ids_.emplace(std::string(subject), static_cast<std::uint32_t>(subjects_.size())).first;
    subjects_.emplace_back(subject);
  }
  messages_.push_back(IndexedMessage{seq, position, found->second, size});
  if (times_.empty() || seq >= times_.back().first + TimeIndex::kSpacing)
    times_.emplace_back(seq, timestamp_ns);
  last_ts_ = timestamp_ns;
}

void SegmentIndexBuilder::truncate(std::uint64_t last_seq, std::size_t controls_size) {
  while (!messages_.empty() && messages_.back().seq > last_seq)
    messages_.pop_back();
  while (!times_.empty() && times_.back().first > last_seq)
    times_.pop_back();
  controls_.resize(std::min(controls_.size(), controls_size));
}

void SegmentIndexBuilder::clear() {
  *this = SegmentIndexBuilder();
}

std::string SegmentIndexBuilder::encode(std::uint64_t first_seq, std::uint64_t log_size) const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
  for (const IndexedMessage& message : messages_) {
    if (!runs.empty() && runs.back().first + runs.back().second == message.seq) {
      ++runs.back().second;
    } else {
      runs.emplace_back(message.seq, 1);
    }
  }
  std::string out;
  out.reserve(kIndexHeaderSize + messages_.size() * kMessageBytes + controls_.size() + 4096);
  out.append(kIndexMagic, sizeof kIndexMagic);
  put_u32(out, kIndexVersion);
  put_u32(out, 0);
  put_u64(out, log_size);
  put_u64(out, first_seq);
  put_u64(out, static_cast<std::uint64_t>(last_ts_));
  put_u64(out, messages_.size());
  put_u32(out, static_cast<std::uint32_t>(subjects_.size()));
  put_u32(out, static_cast<std::uint32_t>(runs.size()));
  put_u32(out, static_cast<std::uint32_t>(times_.size()));
  put_u32(out, 0);
  put_u64(out, controls_.size());
  for (const std::string& subject : subjects_) {
    put_u16(out, static_cast<std::uint16_t>(subject.size()));
    out.append(subject);
  }
  for (const auto& [start, count] : runs) {
    put_u64(out, start);
    put_u64(out, count);
  }
  for (const IndexedMessage& message : messages_) {
    put_u32(out, message.position);
    put_u32(out, message.subject);
    put_u32(out, message.size);
  }
  for (const auto& [seq, timestamp] : times_) {
    put_u64(out, seq);
    put_u64(out, static_cast<std::uint64_t>(timestamp));
  }
  out.append(controls_);
  put_u32(out, crc32c(out.data(), out.size()));
  return out;
}

bool decode_segment_index(std::string_view data, std::uint64_t log_size, SegmentIndexContent& out) {
  if (data.size() < kIndexHeaderSize + 4 || std::memcmp(data.data(), kIndexMagic, 8) != 0) return false;
  const char* at = data.data();
  if (get_u32(at + 8) != kIndexVersion || get_u64(at + 16) != log_size) return false;
  if (get_u32(data.data() + data.size() - 4) != crc32c(data.data(), data.size() - 4)) return false;
  out.first_seq = get_u64(at + 24);
  out.last_ts = static_cast<std::int64_t>(get_u64(at + 32));
  out.message_count = get_u64(at + 40);
  const std::uint32_t subject_count = get_u32(at + 48);
  const std::uint32_t run_count = get_u32(at + 52);
  const std::uint32_t time_count = get_u32(at + 56);
  const std::uint64_t controls_bytes = get_u64(at + 64);
  std::size_t offset = kIndexHeaderSize;
  const std::size_t end = data.size() - 4;
  out.subjects.clear();
  for (std::uint32_t i = 0; i < subject_count; ++i) {
    if (end - offset < 2) return false;
    const std::uint16_t length = get_u16(at + offset);
    if (length == 0 || end - offset - 2 < length) return false;
    out.subjects.emplace_back(at + offset + 2, length);
    offset += 2 + length;
  }
  if ((end - offset) / 16 < run_count) return false;
  out.runs.clear();
  std::uint64_t counted = 0;
  for (std::uint32_t i = 0; i < run_count; ++i, offset += 16) {
    out.runs.emplace_back(get_u64(at + offset), get_u64(at + offset + 8));
    counted += out.runs.back().second;
  }
  if (counted != out.message_count || (end - offset) / kMessageBytes < out.message_count) return false;
  out.messages = at + offset;
  for (std::uint64_t i = 0; i < out.message_count; ++i) {
    const char* message = out.messages + i * kMessageBytes;
    if (get_u32(message + 4) >= subject_count || get_u32(message) >= log_size) return false;
  }
  offset += out.message_count * kMessageBytes;
  if ((end - offset) / 16 < time_count) return false;
  out.times.clear();
  for (std::uint32_t i = 0; i < time_count; ++i, offset += 16) {
    out.times.emplace_back(get_u64(at + offset), static_cast<std::int64_t>(get_u64(at + offset + 8)));
  }
  if (end - offset != controls_bytes) return false;
  out.controls = std::string_view(at + offset, controls_bytes);
  return true;
}

}  // namespace tern::server::stream
