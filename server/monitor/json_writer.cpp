#include "server/monitor/json_writer.h"

#include <charconv>
#include <cmath>

#include "protocol/connect.h"

namespace tern::server::monitor {

void append_go_float(std::string& out, double value) {
  if (!std::isfinite(value)) value = 0;
  const double magnitude = std::fabs(value);
  // Go switches to exponent notation at the same bounds (encoding/json floatEncoder).
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  char buffer[64];
  const auto format = exponent ? std::chars_format::scientific : std::chars_format::fixed;
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  std::size_t length = static_cast<std::size_t>(result.ptr - buffer);
  // Go trims a two-digit negative exponent's leading zero ("1e-07" -> "1e-7") but keeps "1e+21".
  if (exponent && length >= 4 && buffer[length - 4] == 'e' && buffer[length - 3] == '-' &&
      buffer[length - 2] == '0') {
    buffer[length - 2] = buffer[length - 1];
    --length;
  }
  out.append(buffer, length);
}

void JsonWriter::newline_and_indent() {
  out_.push_back('\n');
  out_.append(2 * has_items_.size(), ' ');
}

void JsonWriter::before_item() {
  if (has_items_.empty()) return;
  if (has_items_.back()) out_.push_back(',');
  has_items_.back() = true;
  if (style_ == Style::kIndented) newline_and_indent();
}

void JsonWriter::before_value() {
  // A value that completes a member goes right after its key; an array element starts a new item.
  if (after_key_) {
    after_key_ = false;
    return;
  }
  before_item();
}

void JsonWriter::key(std::string_view name) {
  before_item();
  protocol::append_json_string(out_, name);
  out_.append(style_ == Style::kIndented ? ": " : ":");
  after_key_ = true;
}

void JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  has_items_.push_back(false);
}

void JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  has_items_.push_back(false);
}

void JsonWriter::end_container(char close) {
  const bool had_items = has_items_.back();
  has_items_.pop_back();
  // MarshalIndent puts the closing bracket on its own line, except for an empty container.
  if (had_items && style_ == Style::kIndented) newline_and_indent();
  out_.push_back(close);
}

void JsonWriter::end_object() {
  end_container('}');
}
void JsonWriter::end_array() {
  end_container(']');
}

void JsonWriter::string(std::string_view value) {
  before_value();
  protocol::append_json_string(out_, value);
}

void JsonWriter::integer(std::int64_t value) {
  before_value();
  out_.append(std::to_string(value));
}

void JsonWriter::unsigned_integer(std::uint64_t value) {
  before_value();
  out_.append(std::to_string(value));
}

void JsonWriter::number(double value) {
  before_value();
  append_go_float(out_, value);
}

void JsonWriter::boolean(bool value) {
  before_value();
  out_.append(value ? "true" : "false");
}

void JsonWriter::null() {
  before_value();
  out_.append("null");
}

}  // namespace tern::server::monitor
