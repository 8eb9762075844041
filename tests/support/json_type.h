// The JSON type of a parsed value by the names ../shared/monitoring.md uses, for tests that compare
// bodies by their shape.
#pragma once

#include <simdjson.h>

namespace tern::test {

// "integer" apart from other numbers when `integers_apart`; otherwise every number is "number" (a Go
// float64 with a whole value looks like an integer, and both are numbers to a reader).
inline const char* json_type_name(const simdjson::dom::element& value, bool integers_apart) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return integers_apart ? "integer" : "number";
    case simdjson::dom::element_type::DOUBLE:
      return "number";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

}  // namespace tern::test
