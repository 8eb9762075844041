// The INFO line scanner declared in raw_connection.h. It keeps each value's raw JSON text, so tests can
// compare exactly what the server sent (`true` versus `"true"`, `1` versus `1.0`).
#include <stdexcept>

#include "tests/support/raw_connection.h"

namespace tern::test {
namespace {

class InfoScanner {
 public:
  explicit InfoScanner(std::string_view text) : text_(text) {}

  std::vector<std::pair<std::string, std::string>> scan_object() {
    std::vector<std::pair<std::string, std::string>> fields;
    skip_space();
    require('{');
    skip_space();
    if (peek() == '}') {
      ++at_;
      return fields;
    }
    while (true) {
      skip_space();
      const auto key_start = at_;
      skip_string();
      std::string key(text_.substr(key_start + 1, at_ - key_start - 2));
      skip_space();
      require(':');
      skip_space();
      const auto value_start = at_;
      skip_value();
      fields.emplace_back(std::move(key), std::string(text_.substr(value_start, at_ - value_start)));
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      require('}');
      return fields;
    }
  }

 private:
  char peek() const {
    if (at_ >= text_.size()) fail("unexpected end");
    return text_[at_];
  }
  void require(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t'))
      ++at_;
  }
  void skip_string() {
    require('"');
    while (peek() != '"')
      at_ += text_[at_] == '\\' ? 2 : 1;
    ++at_;
  }
  // Arrays and objects are skipped by bracket depth; strings inside them are skipped whole so that a
  // bracket inside a string does not count.
  void skip_nested() {
    int depth = 0;
    do {
      const char c = peek();
      if (c == '"') {
        skip_string();
        continue;
      }
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
      ++at_;
    } while (depth > 0);
  }
  void skip_value() {
    const char c = peek();
    if (c == '"') {
      skip_string();
    } else if (c == '[' || c == '{') {
      skip_nested();
    } else {
      const auto start = at_;
      while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}' && text_[at_] != ' ')
        ++at_;
      if (at_ == start) fail("empty value");
    }
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("INFO JSON: " + what + " at offset " + std::to_string(at_) + " in \"" +
                             escape_bytes(text_) + "\"");
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_info_fields(std::string_view info_line) {
  if (info_line.substr(0, 5) != "INFO ") throw std::runtime_error("not an INFO line");
  info_line.remove_prefix(5);
  return InfoScanner(info_line).scan_object();
}

std::optional<std::string> info_field(const std::vector<std::pair<std::string, std::string>>& fields,
                                      std::string_view key) {
  for (const auto& [name, value] : fields) {
    if (name == key) return value;
  }
  return std::nullopt;
}

}  // namespace tern::test
