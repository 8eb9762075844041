#include "protocol/go_json_fields.h"

namespace tern::protocol {

bool go_json_key_is(std::string_view key, std::string_view field_name) noexcept {
  if (key.size() != field_name.size()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char a = key[i], b = field_name[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
    if (a != b) return false;
  }
  return true;
}

bool go_json_read(simdjson::dom::element value, bool& out) {
  if (value.is_null()) return true;
  bool b = false;
  if (value.get_bool().get(b) != simdjson::SUCCESS) return false;
  out = b;
  return true;
}

bool go_json_read(simdjson::dom::element value, std::string& out) {
  if (value.is_null()) return true;
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
}

}  // namespace tern::protocol
