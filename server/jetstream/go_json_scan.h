// encoding/json's own scanner, for the few bodies whose errors nats-server reports with Go's error text
// ("NATS/1.0 400 Bad Request - invalid character '}' looking for beginning of value"): a pull request's
// JSON, and the delay of a -NAK. simdjson (go_json.h) decides the same validity for the API's requests,
// but neither gives the error texts nor the literal of a number, which Go's type errors quote.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tern::server::jetstream::go_json {

// checkValid as json.Unmarshal runs it before decoding: nothing for valid JSON, otherwise the text of
// the SyntaxError ("unexpected end of JSON input", "invalid character 'x' after top-level value", ...).
// Unlike simdjson it takes invalid UTF-8 inside strings, as Go does.
std::optional<std::string> syntax_error(std::string_view text);

enum class ValueKind { kNull, kBool, kNumber, kString, kArray, kObject };

// encoding/json's name for a value of that kind in an UnmarshalTypeError ("string", "number", ...).
std::string_view kind_name(ValueKind kind) noexcept;

// One member of an object: its key unescaped, and its value's kind and text as written.
struct Member {
  std::string key;
  ValueKind kind = ValueKind::kNull;
  std::string_view raw;
};

// Reads the members of the top-level object of text that syntax_error() accepted, in order.
class MemberReader {
 public:
  // Precondition: syntax_error(text) is empty and the value is an object.
  explicit MemberReader(std::string_view text) noexcept;
  // The next member, or false at the end of the object.
  bool next(Member& out);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Whether a key selects a struct field as Go's decoder matches them: exactly, else by Unicode simple
// case folding, under which U+017F (long s) is an 's' and U+212A (Kelvin sign) a 'k'.
bool field_matches(std::string_view key, std::string_view field_name) noexcept;

}  // namespace tern::server::jetstream::go_json
