#include "server/stream/segment_scan.h"

#include <cassert>
#include <limits>

namespace tern::server::stream {

SegmentScan scan_segment(std::string_view data,
                         const std::function<void(const RecordView&, std::uint32_t position)>& on_record) {
  SegmentScan scan;
  if (!is_segment_header(data)) {
    scan.stop = data.size() < kSegmentHeaderSize ? DecodeStatus::kPartial : DecodeStatus::kBad;
    scan.problem = "bad segment header";
    return scan;
  }
  scan.header_ok = true;
  std::size_t position = kSegmentHeaderSize;
  constexpr std::size_t kMaxPosition = std::numeric_limits<std::uint32_t>::max();
  while (position < data.size()) {
    RecordView record;
    const DecodeStatus status = decode_record(data.substr(position), record);
    if (status != DecodeStatus::kOk) {
      scan.stop = status;
      scan.problem = status == DecodeStatus::kPartial ? "partial record" : "bad record (length, type or CRC)";
      break;
    }
    bool valid = position <= kMaxPosition;
    if (record.type == RecordType::kMessage) {
      valid = valid && record.seq > scan.last_message_seq;
    } else if (record.type == RecordType::kDelete) {
      DeleteControl control;
      valid = valid && parse_delete(record, control);
    } else {
      PurgeControl control;
      valid = valid && parse_purge(record, control);
    }
    if (!valid) {
      scan.stop = DecodeStatus::kBad;
      scan.problem = "record out of order or malformed";
      break;
    }
    if (record.type == RecordType::kMessage) scan.last_message_seq = record.seq;
    if (on_record) on_record(record, static_cast<std::uint32_t>(position));
    ++scan.records;
    position += record.length;
  }
  scan.valid_bytes = position;
  assert(scan.valid_bytes <= data.size());
  return scan;
}

}  // namespace tern::server::stream
