#include "server/jetstream/go_json.h"

#include "protocol/go_json_fields.h"

#include <limits>

namespace tern::server::jetstream::go_json {

std::optional<simdjson::dom::element> parse(std::string_view body) {
  // The padding simdjson reads past the end must be ours, never the bytes after the body in a buffer.
  const simdjson::padded_string padded(body);
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  return root;
}

bool is_empty_request(std::string_view body) {
  if (body.empty() || body == "{}") return true;
  const auto root = parse(body);
  if (!root) return false;
  simdjson::dom::object object;
  if (root->get_object().get(object) != simdjson::SUCCESS) return false;
  return object.size() == 0;
}

bool key_is(std::string_view key, std::string_view field_name) noexcept {
  return protocol::go_json_key_is(key, field_name);
}

bool decode(simdjson::dom::element value, bool& out) {
  return protocol::go_json_read(value, out);
}

bool decode(simdjson::dom::element value, std::string& out) {
  return protocol::go_json_read(value, out);
}

bool decode(simdjson::dom::element value, std::int64_t& out) {
  if (value.is_null()) return true;
  // Go parses the literal with strconv.ParseInt: a fraction or exponent is an error even when the
  // value is whole, and simdjson reads those as doubles, which get_int64 refuses.
  if (!value.is_int64()) return false;
  std::int64_t n = 0;
  if (value.get_int64().get(n) != simdjson::SUCCESS) return false;
  out = n;
  return true;
}

bool decode(simdjson::dom::element value, std::uint64_t& out) {
  if (value.is_null()) return true;
  if (!value.is_int64() && !value.is_uint64()) return false;
  std::uint64_t n = 0;
  if (value.get_uint64().get(n) != simdjson::SUCCESS) return false;
  out = n;
  return true;
}

bool decode_int32(simdjson::dom::element value, std::int32_t& out) {
  std::int64_t n = out;
  if (!decode(value, n)) return false;
  if (n < std::numeric_limits<std::int32_t>::min() || n > std::numeric_limits<std::int32_t>::max())
    return false;
  out = static_cast<std::int32_t>(n);
  return true;
}

bool decode(simdjson::dom::element value, std::vector<std::string>& out) {
  if (value.is_null()) {
    out.clear();
    return true;
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return false;
  std::vector<std::string> items;
  for (simdjson::dom::element item : array) {
    std::string text;
    if (!decode(item, text)) return false;
    items.push_back(std::move(text));
  }
  out = std::move(items);
  return true;
}

bool decode(simdjson::dom::element value, std::optional<std::vector<std::string>>& out) {
  if (value.is_null()) {
    out.reset();
    return true;
  }
  std::vector<std::string> items;
  if (!decode(value, items)) return false;
  out = std::move(items);
  return true;
}

bool is_object_or_null(simdjson::dom::element value) noexcept {
  return value.is_null() || value.is_object();
}

}  // namespace tern::server::jetstream::go_json
