#include "server/jetstream/stream_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tern::server::jetstream {
namespace {

std::string failure(std::string_view what, const std::string& path, int error_number) {
  return std::string(what) + " " + path + ": " + std::strerror(error_number);
}

std::string sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return failure("open", path, errno);
  std::string result;
  if (::fsync(fd) != 0) result = failure("fsync", path, errno);
  ::close(fd);
  return result;
}

}  // namespace

std::string replace_file(const std::string& dir, std::string_view name, std::string_view contents) {
  const std::string path = dir + "/" + std::string(name);
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return failure("create", temporary, errno);
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error_number = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(temporary.c_str());
      return failure("write", temporary, error_number);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return failure("close", temporary, error_number);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return failure("rename", temporary, error_number);
  }
  return {};
}

std::string sync_file_and_directory(const std::string& dir, std::string_view name) {
  if (std::string error = sync_path(dir + "/" + std::string(name), O_RDONLY); !error.empty()) return error;
  return sync_path(dir, O_RDONLY | O_DIRECTORY);
}

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = failure("open", path, errno);
    return std::nullopt;
  }
  std::string contents;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = failure("read", path, errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return contents;
}

std::string remove_tree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) return "remove " + path + ": " + error.message();
  return {};
}

std::string make_directories(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return "create directory " + path + ": " + error.message();
  return {};
}

std::vector<std::string> list_directories(const std::string& dir, std::string& error) {
  std::vector<std::string> names;
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) {
    error = failure("open directory", dir, errno);
    return names;
  }
  while (const dirent* entry = ::readdir(listing)) {
    if (entry->d_name[0] == '.') continue;
    struct stat info {};
    const std::string path = dir + "/" + entry->d_name;
    if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) names.emplace_back(entry->d_name);
  }
  ::closedir(listing);
  return names;
}

}  // namespace tern::server::jetstream
