#include "protocol/connect.h"

#include "protocol/go_json_fields.h"

#include <simdjson.h>

namespace tern::protocol {

namespace {

// Parses valid JSON only; parse_connect also accepts what Go's decoder accepts.
ConnectParseError parse_connect_strict(std::string_view json, ConnectOptions& out);

bool iequals(std::string_view a, std::string_view b) noexcept {
  return go_json_key_is(a, b);
}

// Reads a value into `out` unless it is null. Returns false on a type mismatch.
bool read_bool(simdjson::dom::element value, bool& out) {
  return go_json_read(value, out);
}

bool read_string(simdjson::dom::element value, std::string& out) {
  return go_json_read(value, out);
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

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8.

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a \uXXXX escape at `at`, or -1 when there is none.
int escaped_unit(std::string_view text, std::size_t at) noexcept {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return -1;
  int unit = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    const int digit = hex_digit(text[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

// The length of the valid UTF-8 sequence at `at`, or 0 when the byte there does not start one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) noexcept {
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  const unsigned lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned low = 0x80, high = 0xBF;  // The range of the second byte, narrower after some leads.
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // No overlong forms.
    if (lead == 0xED) high = 0x9F;  // No UTF-16 surrogates.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // Nothing past U+10FFFF.
  } else {
    return 0;
  }
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  }
  return length;
}

// Go's encoding/json, which nats-server uses, decodes strings that are not valid UTF-8 by replacing each
// bad byte, and each unpaired surrogate escape, with U+FFFD; simdjson rejects them. This rewrites the
// text the way Go reads it, so that such a CONNECT is accepted as nats-server accepts it.
std::string replace_invalid_unicode(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const int unit = escaped_unit(text, i);
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        const int next = escaped_unit(text, i + 6);
        if (next >= 0xDC00 && next <= 0xDFFF) {
          out.append(text.substr(i, 12));
          i += 12;
        } else {
          out.append("\\ufffd");
          i += 6;
        }
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        out.append("\\ufffd");
        i += 6;
      } else {
        // Any other escape, \uXXXX included, is two characters and what follows them.
        out.append(text.substr(i, 2));
        i += 2;
      }
      continue;
    }
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out.append(kReplacementCharacter);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace

ConnectParseError parse_connect(std::string_view json, ConnectOptions& out) {
  const ConnectParseError first = parse_connect_strict(json, out);
  if (first == ConnectParseError::kNone) return first;
  // Only a text that held invalid Unicode can read differently after the rewrite.
  const std::string rewritten = replace_invalid_unicode(json);
  if (rewritten == json) return first;
  return parse_connect_strict(rewritten, out);
}

namespace {

ConnectParseError parse_connect_strict(std::string_view json, ConnectOptions& out) {
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

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  // Go's json.Marshal (1.19, as nats-server 2.9.10 is built), byte for byte: besides quote, backslash
  // and control characters it escapes <, > and & (HTML-safe output) and U+2028 and U+2029, and writes
  // each byte that does not start valid UTF-8 as \ufffd.
  constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    const auto byte = static_cast<unsigned char>(s[i]);
    if (byte < 0x80) {
      switch (byte) {
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
          if (byte < 0x20 || byte == '<' || byte == '>' || byte == '&') {
            out.append("\\u00").append({kHex[byte >> 4], kHex[byte & 0xF]});
          } else {
            out.push_back(static_cast<char>(byte));
          }
      }
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(s, i);
    if (length == 0) {
      out.append("\\ufffd");
      ++i;
    } else if (s.substr(i, length) == "\u2028" || s.substr(i, length) == "\u2029") {
      out.append("\\u202").push_back(kHex[static_cast<unsigned char>(s[i + 2]) & 0xF]);
      i += length;
    } else {
      out.append(s.substr(i, length));
      i += length;
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
