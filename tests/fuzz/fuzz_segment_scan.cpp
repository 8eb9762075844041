// libFuzzer target: the segment scanner over arbitrary bytes. Properties: it never reads out of bounds
// (the sanitizers check), the valid length lies within the input and on a record boundary it reported,
// every record it reports decodes again at its position, and rescanning the valid prefix gives the same
// records and stops cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "server/stream/segment_scan.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tern::server::stream;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::uint32_t> ends;
  const SegmentScan scan = scan_segment(bytes, [&](const RecordView& record, std::uint32_t position) {
    FUZZ_CHECK(position + record.length <= bytes.size());
    RecordView again;
    FUZZ_CHECK(decode_record(bytes.substr(position), again) == DecodeStatus::kOk);
    FUZZ_CHECK(again.length == record.length);
    ends.push_back(position + record.length);
  });
  FUZZ_CHECK(scan.valid_bytes <= size);
  FUZZ_CHECK(scan.records == ends.size());
  if (!scan.header_ok) {
    FUZZ_CHECK(scan.valid_bytes == 0);
    return 0;
  }
  FUZZ_CHECK(scan.valid_bytes == (ends.empty() ? kSegmentHeaderSize : ends.back()));
  FUZZ_CHECK((scan.valid_bytes == size) == (scan.stop == DecodeStatus::kOk));
  const SegmentScan prefix = scan_segment(bytes.substr(0, scan.valid_bytes), {});
  FUZZ_CHECK(prefix.valid_bytes == scan.valid_bytes);
  FUZZ_CHECK(prefix.records == scan.records);
  FUZZ_CHECK(prefix.stop == DecodeStatus::kOk);
  return 0;
}
