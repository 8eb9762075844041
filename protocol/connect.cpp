#include "protocol/connect.h"

#include <simdjson.h>

#include <cstdio>

namespace tern::protocol {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// Reads a value into `out` unless it is null. Returns false on a type mismatch.
bool read_bool(simdjson::dom::element value, bool& out) {
  if (value.is_null()) return true;
  bool b = false;
  if (value.get_bool().get(b) != simdjson::SUCCESS) return false;
  out = b;
  return true;
}

bool read_string(simdjson::dom::element value, std::string& out) {
  if (value.is_null()) return true;
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
}

bool read_int(simdjson::dom::element value, std::int64_t& out) {
  if (value.is_null()) return true;
  std::int64_t n = 0;
  if (value.get_int64().get(n) != simdjson::SUCCESS) return false;
  out = n;
  return true;
}

bool read_field(std::string_view key, simdjson::dom::element value, ConnectOptions& out) {
  struct BoolField {
    const char* name;
    bool ConnectOptions::*member;
  };
  static constexpr BoolField kBools[] = {
      {"verbose", &ConnectOptions::verbose}, {"pedantic", &ConnectOptions::pedantic},
      {"echo", &ConnectOptions::echo},       {"tls_required", &ConnectOptions::tls_required},
      {"headers", &ConnectOptions::headers}, {"no_responders", &ConnectOptions::no_responders},
  };
  struct StringField {
    const char* name;
    std::string ConnectOptions::*member;
  };
  static constexpr StringField kStrings[] = {
      {"auth_token", &ConnectOptions::auth_token},
      {"user", &ConnectOptions::user},
      {"pass", &ConnectOptions::pass},
      {"nkey", &ConnectOptions::nkey},
      {"jwt", &ConnectOptions::jwt},
      {"sig", &ConnectOptions::sig},
      {"name", &ConnectOptions::name},
      {"lang", &ConnectOptions::lang},
      {"version", &ConnectOptions::version},
  };
  for (const auto& field : kBools) {
    if (iequals(key, field.name)) return read_bool(value, out.*field.member);
  }
  for (const auto& field : kStrings) {
    if (iequals(key, field.name)) return read_string(value, out.*field.member);
  }
  if (iequals(key, "protocol")) return read_int(value, out.protocol);
  return true;
}

}  // namespace

ConnectParseError parse_connect(std::string_view json, ConnectOptions& out) {
  // simdjson reads past the end of its input into the padding; the padding must be ours, never the
  // protocol bytes that follow CONNECT in a read buffer.
  const simdjson::padded_string padded(json);
  // The DOM parser validates the whole text, so trailing garbage after the object is an error, as it
  // is for nats-server. One parser per thread is reused: its buffers grow to the largest CONNECT seen,
  // which the control line limit bounds.
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return ConnectParseError::kMalformed;
  // A JSON null changes nothing, as decoding null into a Go struct does.
  if (root.is_null()) return ConnectParseError::kNone;
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return ConnectParseError::kMalformed;
  for (auto [key, value] : object) {
    if (!read_field(key, value, out)) return ConnectParseError::kMalformed;
  }
  return ConnectParseError::kNone;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out.append(buf);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_connect(std::string& out, const ConnectOptions& options) {
  auto boolean = [&](const char* key, bool value) {
    out.append("\"").append(key).append("\":").append(value ? "true" : "false").append(",");
  };
  auto string = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    out.append("\"").append(key).append("\":");
    append_json_string(out, value);
    out.push_back(',');
  };
  out.append("CONNECT {");
  boolean("verbose", options.verbose);
  boolean("pedantic", options.pedantic);
  boolean("tls_required", options.tls_required);
  string("auth_token", options.auth_token);
  string("user", options.user);
  string("pass", options.pass);
  string("name", options.name);
  string("lang", options.lang);
  string("version", options.version);
  out.append("\"protocol\":").append(std::to_string(options.protocol)).append(",");
  boolean("echo", options.echo);
  boolean("headers", options.headers);
  boolean("no_responders", options.no_responders);
  out.back() = '}';
  out.append("\r\n");
}

}  // namespace tern::protocol
