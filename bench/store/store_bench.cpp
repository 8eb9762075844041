// tern-store-bench: appends N small messages to a file store, flushes and syncs, then reopens it and
// reports the append rate, bytes on disk per message, RAM per stored message and recovery time.
//   tern-store-bench [--messages N] [--payload BYTES] [--subjects K] [--dir DIR]
#include <malloc.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "server/stream/store.h"

using namespace tern::server::stream;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks + mallinfo2().hblkhd;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t messages = 10'000'000;
  std::size_t payload_size = 16;
  int subjects = 100;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--messages") == 0)
      messages = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--payload") == 0)
      payload_size = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--subjects") == 0)
      subjects = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
  }
  bool made_dir = false;
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "tern-store-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
    made_dir = true;
  }
  FileStoreOptions options;
  options.directory = dir + "/stream";
  const std::string payload(payload_size, 'p');
  std::vector<std::string> names;
  for (int i = 0; i < subjects; ++i)
    names.push_back("bench." + std::to_string(i % 10) + "." + std::to_string(i));
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  RecoveryReport report;
  StoreError error;
  {
    auto store = open_file_store(options, now, report, error);
    if (!store) {
      std::fprintf(stderr, "open failed: %s\n", error.message.c_str());
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < messages; ++i) {
      store->append(names[i % names.size()], {}, payload, now + static_cast<std::int64_t>(i), error);
      // A flush per 64 KiB, as the loop would flush once per turn.
      if (store->unflushed_bytes() >= (64u << 10)) {
        if (StoreError failed = store->flush(); failed) {
          std::fprintf(stderr, "%s\n", failed.message.c_str());
          return 1;
        }
      }
    }
    if (StoreError failed = store->flush(); failed) return 1;
    const double append_seconds = seconds_since(start);
    std::uint64_t covers = 0;
    const auto sync_start = std::chrono::steady_clock::now();
    if (auto job = store->make_sync_job(covers)) job->run();
    std::printf(
        "append: %llu messages (%zu B payload, %d subjects) in %.2f s = %.2f M msgs/s (sync %.2f s)\n",
        static_cast<unsigned long long>(messages), payload_size, subjects, append_seconds,
        messages / append_seconds / 1e6, seconds_since(sync_start));
    std::printf("disk: %.1f bytes per message (%llu bytes of segments)\n",
                static_cast<double>(store->storage_bytes()) / messages,
                static_cast<unsigned long long>(store->storage_bytes()));
  }
  std::uint64_t index_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(options.directory + "/seg")) {
    if (entry.path().extension() == ".idx") index_bytes += entry.file_size();
  }
  std::printf("disk: %.1f bytes per message of .idx files\n", static_cast<double>(index_bytes) / messages);
  malloc_trim(0);
  const std::size_t heap_before = heap_in_use();
  report = {};
  auto store = open_file_store(options, now, report, error);
  if (!store) {
    std::fprintf(stderr, "reopen failed: %s\n", error.message.c_str());
    return 1;
  }
  const std::size_t heap_after = heap_in_use();
  std::printf("recovery: %llu messages, %llu segments (%llu rescanned) in %.3f s\n",
              static_cast<unsigned long long>(report.messages),
              static_cast<unsigned long long>(report.segments),
              static_cast<unsigned long long>(report.segments_rescanned), report.seconds);
  std::printf("ram: %.1f bytes per stored message (heap %zu bytes after recovery)\n",
              static_cast<double>(heap_after - heap_before) / static_cast<double>(report.messages),
              heap_after - heap_before);
  store.reset();
  if (made_dir) std::filesystem::remove_all(dir);
  return report.messages == messages ? 0 : 1;
}
