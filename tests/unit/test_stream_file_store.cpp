// What only the file store does: segments and their .idx, recovery from damaged files, flush failures,
// sync jobs and the unlinking of dead segments.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "server/stream/file_store.h"
#include "server/stream/segment_scan.h"
#include "tests/unit/stream_store_fixtures.h"

using namespace stream_test;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_ending(const std::string& dir, const std::string& extension) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == extension) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_all(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put(FileFixture& fixture, int count, std::string_view subject = "s") {
  for (int i = 0; i < count; ++i) {
    StoreError error;
    REQUIRE(fixture.store->append(subject, "", "payload-" + std::to_string(i), kNow + i, error) != 0);
  }
}

// Record boundaries of a segment file, from its records' lengths.
std::vector<std::size_t> boundaries_of(const std::string& segment) {
  std::vector<std::size_t> boundaries{16};
  scan_segment(segment, [&](const RecordView& record, std::uint32_t position) {
    boundaries.push_back(position + record.length);
  });
  return boundaries;
}

// How many records end at or before `kept`.
std::uint64_t records_before(const std::vector<std::size_t>& boundaries, std::size_t kept) {
  std::uint64_t count = 0;
  for (std::size_t i = 1; i < boundaries.size(); ++i)
    count += boundaries[i] <= kept ? 1 : 0;
  return count;
}

std::size_t last_boundary_at_or_below(const std::vector<std::size_t>& boundaries, std::size_t limit) {
  std::size_t found = 0;
  for (std::size_t boundary : boundaries) {
    if (boundary <= limit) found = boundary;
  }
  return found;
}

}  // namespace

TEST_CASE("segments roll with a .idx, and recovery uses it or rescans when it does not check out") {
  FileFixture fixture;
  fixture.segment_bytes = 400;
  fixture.open();
  put(fixture, 40);
  REQUIRE_FALSE(fixture.store->flush());
  const std::string seg = fixture.dir.path() + "/stream/seg";
  const auto logs = files_ending(seg, ".log");
  const auto indexes = files_ending(seg, ".idx");
  // Records are 42 bytes (payload-0 to 9), then 43: segments of 9 records, then of 8 (16 + 8 * 43 bytes).
  REQUIRE(logs.size() == 5);
  CHECK(indexes.size() == 4);
  CHECK(logs[0].filename() == "00000000000000000001.log");
  CHECK(logs[1].filename() == "00000000000000000010.log");
  CHECK(logs[4].filename() == "00000000000000000034.log");
  fixture.reopen();
  CHECK(fixture.report.segments == 5);
  CHECK(fixture.report.segments_rescanned == 0);
  CHECK(fixture.report.messages == 40);
  // A damaged index and one whose log size is wrong are both rescanned (and rewritten).
  std::string index = read_all(indexes[1]);
  index[30] ^= 1;
  write_all(indexes[1], index);
  fs::resize_file(indexes[2], fs::file_size(indexes[2]) - 1);
  fixture.reopen();
  CHECK(fixture.report.segments_rescanned == 2);
  CHECK(fixture.store->state().msgs == 40);
  StoreError error;
  CHECK(fixture.store->load(10, error)->payload == "payload-9");
  fixture.reopen();
  CHECK(fixture.report.segments_rescanned == 0);
}

TEST_CASE("recovery truncates the last segment at every record boundary and every corrupt byte") {
  FileFixture seed;
  seed.open();
  put(seed, 4);
  REQUIRE_FALSE(seed.store->flush());
  seed.store.reset();
  const fs::path log = fs::path(seed.dir.path()) / "stream/seg/00000000000000000001.log";
  const std::string original = read_all(log);
  const std::vector<std::size_t> boundaries = boundaries_of(original);
  REQUIRE(boundaries.size() == 5);
  auto recovered_messages = [&](const std::string& bytes, std::uint64_t& truncated) {
    write_all(log, bytes);
    seed.open();
    truncated = seed.report.bytes_truncated;
    const std::uint64_t msgs = seed.store->state().msgs;
    // Without a whole header the file starts again, its header written by the next flush.
    CHECK(fs::file_size(log) ==
          (bytes.size() < 16 ? 0 : last_boundary_at_or_below(boundaries, bytes.size())));
    // The store appends after what it kept.
    StoreError error;
    CHECK(seed.store->append("s", "", "after", kNow + 10, error) == msgs + 1);
    seed.store.reset();
    return msgs;
  };
  for (std::size_t size = 0; size <= original.size(); ++size) {
    INFO("truncated to " << size);
    std::uint64_t truncated = 0;
    const std::size_t kept = last_boundary_at_or_below(boundaries, size);
    CHECK(recovered_messages(original.substr(0, size), truncated) == records_before(boundaries, kept));
    CHECK(truncated == size - kept);
  }
  for (std::size_t byte = 0; byte < original.size(); ++byte) {
    if (byte >= 12 && byte < 16) continue;  // The header's reserved flags are not checked.
    INFO("byte " << byte << " corrupted");
    std::string corrupt = original;
    corrupt[byte] ^= 0x40;
    const std::size_t kept = byte < 16 ? 0 : last_boundary_at_or_below(boundaries, byte);
    const std::uint64_t expected = records_before(boundaries, kept);
    write_all(log, corrupt);
    seed.open();
    CHECK(seed.store->state().msgs == expected);
    CHECK(seed.report.bytes_truncated == original.size() - kept);
    CHECK(seed.report.notes.size() == 1);
    seed.store.reset();
  }
}

TEST_CASE("a bad record in a sealed segment keeps what precedes it and every later segment") {
  FileFixture fixture;
  fixture.segment_bytes = 400;
  fixture.open();
  put(fixture, 20);
  REQUIRE_FALSE(fixture.store->flush());
  fixture.store.reset();
  const std::string seg = fixture.dir.path() + "/stream/seg";
  const auto logs = files_ending(seg, ".log");
  fs::remove(fs::path(logs[1]).replace_extension(".idx"));
  std::string second = read_all(logs[1]);
  const std::vector<std::size_t> boundaries = boundaries_of(second);
  second[boundaries[2] + 20] ^= 1;  // The third record of the second segment (sequence 12).
  write_all(logs[1], second);
  fixture.open();
  CHECK(fixture.report.segments_rescanned == 1);
  CHECK(fixture.report.notes.size() == 1);
  CHECK(fixture.report.bytes_truncated == 0);
  const StoreState state = fixture.store->state();
  CHECK(state.msgs == 20 - 6);  // 12 to 17, the rest of that segment, are lost.
  CHECK(state.last_seq == 20);
  CHECK(state.num_deleted == 6);
  StoreError error;
  CHECK(fixture.store->load(11, error));
  CHECK_FALSE(fixture.store->load(12, error));
  CHECK(fixture.store->load(18, error)->payload == "payload-17");
}

TEST_CASE("a failed flush names the file, rolls last_seq back, and the store goes on") {
  FileFixture fixture;
  fixture.open();
  put(fixture, 3);
  REQUIRE_FALSE(fixture.store->flush());
  StoreError error;
  REQUIRE(fixture.store->remove(2, false, error));
  put(fixture, 2, "later");
  CHECK(fixture.store->state().last_seq == 5);
  auto& file_store = dynamic_cast<FileStore&>(*fixture.store);
  const std::string log = fixture.dir.path() + "/stream/seg/00000000000000000001.log";
  const int read_only = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(read_only >= 0);
  file_store.replace_active_fd_for_test(read_only);
  const StoreError failure = fixture.store->flush();
  CHECK(failure.code == StoreError::Code::kIo);
  CHECK(failure.message == "write to " + log + " failed: Bad file descriptor");
  CHECK(fixture.store->state().last_seq == 3);
  CHECK(fixture.store->state().msgs == 2);
  CHECK(fixture.store->flushed_seq() == 3);
  CHECK(fixture.store->subject_state("later").msgs == 0);
  CHECK(fixture.store->unflushed_bytes() > 0);  // The DELETE record waits for the next flush.
  // With a writable descriptor again, the delete and new messages reach the file.
  const int writable = ::open(log.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(writable >= 0);
  file_store.replace_active_fd_for_test(writable);
  CHECK(fixture.store->append("again", "", "x", kNow, error) == 4);
  fixture.reopen();
  CHECK(fixture.store->state().msgs == 3);
  CHECK_FALSE(fixture.store->load(2, error));
  CHECK(fixture.store->load(4, error)->subject == "again");
}

TEST_CASE("a flush to a full device fails with ENOSPC") {
  if (::access("/dev/full", W_OK) != 0) {
    WARN("SKIPPED: no /dev/full");
    return;
  }
  FileFixture fixture;
  fixture.open();
  put(fixture, 1);
  REQUIRE_FALSE(fixture.store->flush());
  put(fixture, 1);
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(full >= 0);
  dynamic_cast<FileStore&>(*fixture.store).replace_active_fd_for_test(full);
  const StoreError failure = fixture.store->flush();
  CHECK(failure.message.find("No space left on device") != std::string::npos);
  CHECK(fixture.store->state().last_seq == 1);
}

TEST_CASE("sync jobs cover what was flushed, and dead segments are unlinked") {
  FileFixture fixture;
  fixture.segment_bytes = 400;
  fixture.open();
  std::uint64_t covers = 0;
  put(fixture, 20);
  REQUIRE_FALSE(fixture.store->flush());
  auto job = fixture.store->make_sync_job(covers);
  REQUIRE(job);
  CHECK(covers == 20);
  CHECK(job->run().empty());
  fixture.store->sync_finished("");
  CHECK_FALSE(fixture.store->make_sync_job(covers));
  auto& file_store = dynamic_cast<FileStore&>(*fixture.store);
  CHECK(file_store.segment_count() == 3);  // 1 to 9, 10 to 17, 18 to 20.
  StoreError error;
  CHECK(fixture.store->purge(PurgeRequest{"", 14, 0}, error) == 13);
  REQUIRE_FALSE(fixture.store->flush());
  CHECK(file_store.segment_count() == 2);  // Segment 1 held only sequences below 14.
  CHECK(files_ending(fixture.dir.path() + "/stream/seg", ".log").size() == 2);
  job = fixture.store->make_sync_job(covers);
  REQUIRE(job);
  CHECK(job->run().empty());
  fixture.reopen();
  CHECK(fixture.store->state().first_seq == 14);
  CHECK(fixture.store->state().msgs == 7);
  CHECK(fixture.store->storage_bytes() ==
        fs::file_size(fixture.dir.path() + "/stream/seg/00000000000000000010.log") +
            fs::file_size(fixture.dir.path() + "/stream/seg/00000000000000000018.log"));
}

TEST_CASE("an erased message's payload is overwritten on disk") {
  FileFixture fixture;
  fixture.open();
  StoreError error;
  fixture.store->append("s", "", "top-secret-value", kNow, error);
  fixture.store->append("s", "", "other", kNow, error);
  REQUIRE_FALSE(fixture.store->flush());
  REQUIRE(fixture.store->remove(1, true, error));
  REQUIRE_FALSE(fixture.store->flush());
  const std::string log = read_all(fixture.dir.path() + "/stream/seg/00000000000000000001.log");
  CHECK(log.find("top-secret-value") == std::string::npos);
  fixture.reopen();
  CHECK(fixture.report.bytes_truncated == 0);
  CHECK(fixture.store->state().msgs == 1);
}

TEST_CASE(
    "reads behind the tail come from the read-ahead window and stay true across removals and segments") {
  TempDir dir;
  FileStoreOptions options;
  options.directory = dir.path() + "/stream";
  options.segment_bytes = 64 * 1024;  // Many segments, so that the window meets segment ends.
  options.tail_bytes = 0;             // Every read goes to the file.
  RecoveryReport report;
  StoreError error;
  auto store = open_file_store(options, kNow, report, error);
  REQUIRE(store != nullptr);
  constexpr std::uint64_t kCount = 5000;
  const auto payload_of = [](std::uint64_t seq) {
    return "payload-" + std::to_string(seq) + std::string(seq % 97, 'x');
  };
  for (std::uint64_t seq = 1; seq <= kCount; ++seq)
    REQUIRE(store->append("s." + std::to_string(seq % 7), {}, payload_of(seq), kNow, error) == seq);
  REQUIRE_FALSE(store->flush());
  // Forwards, as a consumer drains a backlog, then backwards and strided.
  for (std::uint64_t seq = 1; seq <= kCount; ++seq) {
    auto msg = store->load(seq, error);
    REQUIRE(msg);
    REQUIRE(msg->payload == payload_of(seq));
  }
  for (std::uint64_t seq = kCount; seq >= 1; seq -= 13) {
    auto msg = store->load(seq, error);
    REQUIRE(msg);
    REQUIRE(msg->payload == payload_of(seq));
    if (seq <= 13) break;
  }
  // An erased message inside the window is gone; its neighbours still read true.
  REQUIRE(store->remove(2500, true, error));
  CHECK_FALSE(store->load(2500, error));
  auto before = store->load(2499, error);
  auto after = store->load(2501, error);
  REQUIRE(before);
  REQUIRE(after);
  CHECK(before->payload == payload_of(2499));
  CHECK(after->payload == payload_of(2501));
  // Purging drops the first segments (and the window over them); later reads are still right.
  PurgeRequest purge;
  purge.upto_seq = 3000;
  store->purge(purge, error);
  REQUIRE_FALSE(error);
  for (std::uint64_t seq = 3000; seq <= kCount; ++seq) {
    auto msg = store->load_next("", seq, error);
    REQUIRE(msg);
    REQUIRE(msg->seq == seq);
    REQUIRE(msg->payload == payload_of(seq));
  }
}
