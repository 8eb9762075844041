// The file store's building blocks: CRC32C, the record encoding and the segment scanner.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "server/stream/crc32c.h"
#include "server/stream/record.h"
#include "server/stream/segment_scan.h"

using namespace tern::server::stream;

namespace {

std::string three_record_segment() {
  std::string segment;
  append_segment_header(segment);
  append_record(segment, RecordType::kMessage, 0, 1, 100, "orders.new", "", "hello");
  append_record(segment, RecordType::kMessage, 0, 2, 200, "orders.old", "NATS/1.0\r\nA: b\r\n\r\n", "x");
  append_delete_record(segment, 300, DeleteControl{1, 2, 1});
  return segment;
}

}  // namespace

TEST_CASE("crc32c matches the standard test vectors in both implementations") {
  const std::string digits = "123456789";
  CHECK(crc32c(digits.data(), digits.size()) == 0xE3069283u);
  CHECK(crc32c_portable(digits.data(), digits.size()) == 0xE3069283u);
  const std::string zeros(32, '\0');
  CHECK(crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
  CHECK(crc32c(nullptr, 0) == 0u);
  // Continuing a CRC over a split buffer gives the CRC of the whole, for every split and odd length.
  std::string text;
  for (int i = 0; i < 300; ++i)
    text.push_back(static_cast<char>(i * 7));
  const std::uint32_t whole = crc32c_portable(text.data(), text.size());
  for (std::size_t split = 0; split <= text.size(); split += 13) {
    CHECK(crc32c(text.data() + split, text.size() - split, crc32c(text.data(), split)) == whole);
  }
}

TEST_CASE("a record round-trips with every field") {
  std::string out;
  append_record(out, RecordType::kMessage, kRecordFlagErased, 42, -5, "a.b", "NATS/1.0\r\n\r\n", "payload");
  REQUIRE(out.size() == 32 + 3 + 12 + 7);
  RecordView record;
  REQUIRE(decode_record(out, record) == DecodeStatus::kOk);
  CHECK(record.type == RecordType::kMessage);
  CHECK(record.flags == kRecordFlagErased);
  CHECK(record.length == out.size());
  CHECK(record.seq == 42);
  CHECK(record.timestamp_ns == -5);
  CHECK(record.subject == "a.b");
  CHECK(record.headers == "NATS/1.0\r\n\r\n");
  CHECK(record.payload == "payload");
  CHECK(get_u32(out.data()) == out.size());
}

TEST_CASE("control records round-trip") {
  std::string out;
  append_delete_record(out, 7, DeleteControl{9, 12, 3});
  append_purge_record(out, 8, PurgeControl{20, 2, 25, 4, "orders.*"});
  RecordView record;
  REQUIRE(decode_record(out, record) == DecodeStatus::kOk);
  DeleteControl deleted;
  REQUIRE(parse_delete(record, deleted));
  CHECK(deleted.target == 9);
  CHECK(deleted.last_seq_at == 12);
  CHECK(deleted.first_seq_at == 3);
  REQUIRE(decode_record(std::string_view(out).substr(record.length), record) == DecodeStatus::kOk);
  PurgeControl purged;
  REQUIRE(parse_purge(record, purged));
  CHECK(purged.upto == 20);
  CHECK(purged.keep == 2);
  CHECK(purged.last_seq_at == 25);
  CHECK(purged.first_seq_at == 4);
  CHECK(purged.filter == "orders.*");
  CHECK_FALSE(parse_delete(record, deleted));
}

TEST_CASE("decode reports partial records and rejects bad ones") {
  std::string out;
  append_record(out, RecordType::kMessage, 0, 1, 1, "s", "", "data");
  RecordView record;
  for (std::size_t size = 0; size < out.size(); ++size) {
    CHECK(decode_record(std::string_view(out).substr(0, size), record) == DecodeStatus::kPartial);
  }
  for (std::size_t byte = 4; byte < out.size(); ++byte) {
    std::string corrupt = out;
    corrupt[byte] = static_cast<char>(corrupt[byte] ^ 0x10);
    CHECK(decode_record(corrupt, record) == DecodeStatus::kBad);
  }
  std::string short_length = out;
  short_length[0] = 31;
  CHECK(decode_record(short_length, record) == DecodeStatus::kBad);
  std::string zero_seq;
  append_record(zero_seq, RecordType::kMessage, 0, 0, 1, "s", "", "");
  CHECK(decode_record(zero_seq, record) == DecodeStatus::kBad);
}

TEST_CASE("an erased record reseals with a valid CRC") {
  std::string out;
  append_record(out, RecordType::kMessage, 0, 3, 1, "s", "", "secret");
  out[5] = static_cast<char>(kRecordFlagErased);
  for (std::size_t i = 29; i < 35; ++i)
    out[i] = 0;
  reseal_record(out.data(), static_cast<std::uint32_t>(out.size()));
  RecordView record;
  REQUIRE(decode_record(out, record) == DecodeStatus::kOk);
  CHECK(record.flags == kRecordFlagErased);
  CHECK(record.payload == std::string(6, '\0'));
}

TEST_CASE("the scanner walks every record and reports the valid length") {
  const std::string segment = three_record_segment();
  std::vector<std::uint32_t> positions;
  const SegmentScan scan = scan_segment(
      segment, [&](const RecordView&, std::uint32_t position) { positions.push_back(position); });
  CHECK(scan.header_ok);
  CHECK(scan.valid_bytes == segment.size());
  CHECK(scan.records == 3);
  CHECK(scan.last_message_seq == 2);
  CHECK(scan.stop == DecodeStatus::kOk);
  CHECK(positions == std::vector<std::uint32_t>{16, 16 + 47, 16 + 47 + 61});
}

TEST_CASE("the scanner stops at every truncation and every corrupt byte, keeping what precedes it") {
  const std::string segment = three_record_segment();
  const std::vector<std::size_t> boundaries{16, 63, 124, segment.size()};
  for (std::size_t size = 0; size <= segment.size(); ++size) {
    const SegmentScan scan = scan_segment(std::string_view(segment).substr(0, size), {});
    std::size_t expected = 0;
    for (std::size_t boundary : boundaries) {
      if (boundary <= size) expected = boundary;
    }
    CHECK(scan.valid_bytes == expected);
  }
  for (std::size_t byte = 0; byte < segment.size(); ++byte) {
    std::string corrupt = segment;
    corrupt[byte] = static_cast<char>(corrupt[byte] ^ 0x01);
    const SegmentScan scan = scan_segment(corrupt, {});
    std::size_t expected = 0;
    for (std::size_t boundary : boundaries) {
      if (boundary <= byte) expected = boundary;
    }
    // Flipping the low bit of the reserved header flags is not checked; everything else is.
    if (byte >= 12 && byte < 16) expected = segment.size();
    CHECK(scan.valid_bytes == expected);
  }
}

TEST_CASE("the scanner rejects message sequences that go backwards") {
  std::string segment;
  append_segment_header(segment);
  append_record(segment, RecordType::kMessage, 0, 5, 1, "s", "", "");
  const std::size_t first_end = segment.size();
  append_record(segment, RecordType::kMessage, 0, 5, 1, "s", "", "");
  const SegmentScan scan = scan_segment(segment, {});
  CHECK(scan.valid_bytes == first_end);
  CHECK(scan.stop == DecodeStatus::kBad);
}
