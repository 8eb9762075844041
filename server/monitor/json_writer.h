// A JSON writer that produces the bytes Go's encoding/json does for nats-server's monitoring structs:
// json.MarshalIndent(v, "", "  ") in the indented style, json.Marshal in the compact one (/healthz).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern::server::monitor {

// Appends `value` as encoding/json writes a float64: the shortest text that reads back as the same
// double, in fixed notation unless |value| < 1e-6 or >= 1e21 (then like 1e+21 or 1e-7, with no zero
// padding of the exponent). Go refuses NaN and infinities; they are written as 0 here so that a bad
// figure never breaks a whole response.
void append_go_float(std::string& out, double value);

class JsonWriter {
 public:
  enum class Style : std::uint8_t { kIndented, kCompact };

  explicit JsonWriter(Style style = Style::kIndented) : style_(style) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // Starts a member of the current object; the value call that follows completes it.
  void key(std::string_view name);

  void string(std::string_view value);
  void integer(std::int64_t value);
  void unsigned_integer(std::uint64_t value);
  void number(double value);
  void boolean(bool value);
  void null();

  // `key` followed by the value, for the common case.
  void field(std::string_view name, std::string_view value) {
    key(name);
    string(value);
  }
  void field(std::string_view name, const char* value) {
    key(name);
    string(value);
  }
  void field(std::string_view name, std::int64_t value) {
    key(name);
    integer(value);
  }
  void field(std::string_view name, std::uint64_t value) {
    key(name);
    unsigned_integer(value);
  }
  void field(std::string_view name, int value) {
    key(name);
    integer(value);
  }
  void field(std::string_view name, double value) {
    key(name);
    number(value);
  }
  void field(std::string_view name, bool value) {
    key(name);
    boolean(value);
  }

  // The text written so far; complete once every object and array is closed.
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  // Writes the comma and line break that come before a value or key in the current container.
  void before_item();
  void before_value();
  void end_container(char close);
  void newline_and_indent();

  Style style_;
  std::string out_;
  // One entry per open container: whether it holds an item yet (an empty one closes as {} or []).
  std::vector<bool> has_items_;
  bool after_key_ = false;
};

}  // namespace tern::server::monitor
