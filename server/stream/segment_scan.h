// Walks the records of a segment file's bytes and finds where the valid part ends. A pure function
// over memory, so that recovery and the fuzz target (tests/fuzz/fuzz_segment_scan.cpp) drive the same
// code.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "server/stream/record.h"

namespace tern::server::stream {

struct SegmentScan {
  std::uint64_t valid_bytes = 0;  // The header and every record before the first bad or partial one.
  std::uint64_t records = 0;
  std::uint64_t last_message_seq = 0;
  bool header_ok = false;
  DecodeStatus stop = DecodeStatus::kOk;  // kOk: the data ended exactly at a record boundary.
  const char* problem = "";               // Why the scan stopped early, for the recovery notes.
};

// Calls `on_record` with each valid record and its position in `data`, in order. A record is valid
// when it decodes (bounds, then CRC), lies below 4 GiB (positions are 32-bit), its payload is well
// formed for a control record, and a message's sequence is above the previous message's.
SegmentScan scan_segment(std::string_view data,
                         const std::function<void(const RecordView&, std::uint32_t position)>& on_record);

}  // namespace tern::server::stream
