#include "bench/tools/store_usage.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tern::bench {

namespace {

// Adds one entry's figures; nothing for an entry that vanished since it was listed.
void add_entry(const std::filesystem::path& path, StoreUsage& usage) {
  struct stat status {};
  if (lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error("cannot stat " + path.string() + ": " + std::strerror(errno));
  }
  usage.disk_bytes += static_cast<std::uint64_t>(status.st_blocks) * 512;
  if (S_ISREG(status.st_mode)) {
    usage.apparent_bytes += static_cast<std::uint64_t>(status.st_size);
    ++usage.files;
  }
}

}  // namespace

StoreUsage measure_store(const std::string& directory) {
  StoreUsage usage;
  usage.directory = directory;
  std::error_code error;
  std::filesystem::recursive_directory_iterator walk(directory, error);
  if (error) throw std::runtime_error("cannot read " + directory + ": " + error.message());
  for (const std::filesystem::recursive_directory_iterator end; walk != end; walk.increment(error)) {
    if (error) throw std::runtime_error("cannot read below " + directory + ": " + error.message());
    add_entry(walk->path(), usage);
  }
  if (error) throw std::runtime_error("cannot read below " + directory + ": " + error.message());
  return usage;
}

}  // namespace tern::bench
