#include "client/headers.h"

#include <charconv>

#include "client/error.h"

namespace tern::client {
namespace {

constexpr std::string_view kVersion = "NATS/1.0";

bool is_valid_key(std::string_view key) noexcept {
  if (key.empty()) return false;
  for (const char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 127 || c == ':') return false;
  }
  return true;
}

bool is_valid_value(std::string_view value) noexcept {
  return value.find_first_of("\r\n") == std::string_view::npos;
}

std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Splits off the next line ending in CRLF (or a bare LF). Returns false when no line end remains.
bool next_line(std::string_view& rest, std::string_view& line) noexcept {
  const std::size_t lf = rest.find('\n');
  if (lf == std::string_view::npos) return false;
  line = rest.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  rest.remove_prefix(lf + 1);
  return true;
}

// Parses the first line's optional `<status>[ <description>]` part.
bool parse_status_line(std::string_view rest, Headers& headers) {
  rest = trim_blanks(rest);
  if (rest.empty()) return true;
  const std::size_t blank = rest.find_first_of(" \t");
  const std::string_view code_text = rest.substr(0, blank);
  int code = 0;
  const auto [end, ec] = std::from_chars(code_text.data(), code_text.data() + code_text.size(), code);
  if (ec != std::errc() || end != code_text.data() + code_text.size()) return false;
  const std::string_view description =
      blank == std::string_view::npos ? std::string_view() : trim_blanks(rest.substr(blank));
  headers.set_status(code, std::string(description));
  return true;
}

}  // namespace

void Headers::set(std::string key, std::string value) {
  erase(key);
  fields_.emplace(std::move(key), std::move(value));
}

std::size_t Headers::erase(std::string_view key) {
  const auto [first, last] = fields_.equal_range(key);
  std::size_t n = 0;
  for (auto it = first; it != last; ++it)
    ++n;
  fields_.erase(first, last);
  return n;
}

std::optional<std::string_view> Headers::get(std::string_view key) const {
  const auto it = fields_.find(key);
  if (it == fields_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::vector<std::string_view> Headers::get_all(std::string_view key) const {
  std::vector<std::string_view> values;
  const auto [first, last] = fields_.equal_range(key);
  for (auto it = first; it != last; ++it)
    values.emplace_back(it->second);
  return values;
}

void Headers::set_status(int code, std::string description) {
  status_ = code;
  description_ = std::move(description);
}

std::error_code encode_headers(const Headers& headers, std::string& out) {
  for (const auto& [key, value] : headers) {
    if (!is_valid_key(key) || !is_valid_value(value)) return make_error_code(Errc::kInvalidHeader);
  }
  if (!is_valid_value(headers.description())) return make_error_code(Errc::kInvalidHeader);
  out.append(kVersion);
  if (headers.status() != 0) {
    out.push_back(' ');
    out.append(std::to_string(headers.status()));
    if (!headers.description().empty()) {
      out.push_back(' ');
      out.append(headers.description());
    }
  }
  out.append("\r\n");
  for (const auto& [key, value] : headers) {
    out.append(key);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  out.append("\r\n");
  return {};
}

std::optional<Headers> decode_headers(std::string_view block) {
  std::string_view rest = block;
  std::string_view line;
  if (!next_line(rest, line) || !line.starts_with(kVersion)) return std::nullopt;
  // The version ends at a blank or the end of the line: `NATS/1.05` is another version, not 1.0 with
  // status 5.
  const std::string_view after_version = line.substr(kVersion.size());
  if (!after_version.empty() && after_version.front() != ' ' && after_version.front() != '\t') {
    return std::nullopt;
  }
  Headers headers;
  if (!parse_status_line(after_version, headers)) return std::nullopt;
  while (next_line(rest, line)) {
    if (line.empty()) break;  // The blank line that ends the block.
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    headers.add(std::string(trim_blanks(line.substr(0, colon))),
                std::string(trim_blanks(line.substr(colon + 1))));
  }
  return headers;
}

}  // namespace tern::client
