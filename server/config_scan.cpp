#include "server/config_scan.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace tern::server::config::scan {

std::string describe_char(int c) {
  if (c < 0) return "EOF";
  if (c == '\n') return "\\n";
  if (c == '\r') return "\\r";
  return std::string(1, static_cast<char>(c));
}

std::int64_t size_multiplier(std::string_view suffix) {
  if (suffix.empty()) return 1;
  static constexpr std::string_view kLetters = "kmgtpe";
  const std::size_t power = kLetters.find(suffix[0]) + 1;
  if (power == 0) return 0;
  const std::string_view rest = suffix.substr(1);
  std::int64_t base = 0;
  if (rest.empty()) {
    base = 1000;
  } else if (rest == "b" || rest == "i" || rest == "ib") {
    base = 1024;
  } else {
    return 0;
  }
  std::int64_t multiplier = 1;
  for (std::size_t i = 0; i < power; ++i)
    multiplier *= base;
  return multiplier;
}

bool read_whole_file(const std::filesystem::path& path, std::string& contents, std::string& error) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    error = "open " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  char buffer[8192];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    contents.append(buffer, got);
  if (std::ferror(file.get())) {
    error = "read " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace tern::server::config::scan
