// Fixtures that give the store behaviour tests a store of each kind. `reopen` closes and recovers a
// file store from its directory (a memory store is kept as it is), so that the same test checks that
// what it did survives a restart.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "server/stream/store.h"

namespace stream_test {

using namespace tern::server::stream;

inline constexpr std::int64_t kNow = 1'700'000'000'000'000'000;

// A temporary directory removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tern-store-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct MemoryFixture {
  static constexpr bool kDurable = false;
  StoreLimits limits;
  std::unique_ptr<StreamStore> store;
  void open() { store = make_memory_store(limits); }
  void reopen() {}
  void reopen_with(const StoreLimits& new_limits) {
    limits = new_limits;
    REQUIRE_FALSE(store->update_limits(new_limits));
  }
};

struct FileFixture {
  static constexpr bool kDurable = true;
  TempDir dir;
  StoreLimits limits;
  std::uint64_t segment_bytes = 1024;
  std::unique_ptr<StreamStore> store;
  RecoveryReport report;
  std::int64_t now = kNow;
  void open() {
    store.reset();
    FileStoreOptions options;
    options.directory = dir.path() + "/stream";
    options.segment_bytes = segment_bytes;
    options.limits = limits;
    report = {};
    StoreError error;
    store = open_file_store(options, now, report, error);
    INFO(error.message);
    REQUIRE(store != nullptr);
  }
  void reopen() {
    REQUIRE_FALSE(store->flush());
    open();
  }
  void reopen_with(const StoreLimits& new_limits) {
    REQUIRE_FALSE(store->update_limits(new_limits));
    limits = new_limits;
    reopen();
  }
};

}  // namespace stream_test
