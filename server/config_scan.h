// Character classes and small helpers of the configuration file scanner (server/config_file.cpp), in
// nats-server 2.9's terms.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tern::server::config::scan {

inline bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
inline bool is_newline(char c) {
  return c == '\n' || c == '\r';
}
inline bool is_space(char c) {
  return is_blank(c) || is_newline(c) || c == '\v' || c == '\f';
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_key_separator(char c) {
  return c == ':' || c == '=';
}
inline bool is_size_suffix(char c) {
  return std::string_view("kKmMgGtTpPeE").find(c) != std::string_view::npos;
}

// How a character (or -1 for the end of the text) is shown in an error message.
std::string describe_char(int c);

// The multiplier for a size suffix such as "k", "kb", "ki" or "kib" (already lower case; "" is 1), or 0
// if nats-server does not know the suffix.
std::int64_t size_multiplier(std::string_view suffix);

// Reads the file at `path` into `contents`; on failure sets `error` to "open <path>: <reason>".
bool read_whole_file(const std::filesystem::path& path, std::string& contents, std::string& error);

}  // namespace tern::server::config::scan
