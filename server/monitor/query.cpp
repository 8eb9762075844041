#include "server/monitor/query.h"

#include <cstdio>
#include <limits>
#include <optional>

namespace tern::server::monitor {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape: '+' is a space and every '%' must start two hex digits.
std::optional<std::string> query_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int high = hex_value(s[i + 1]);
      const int low = hex_value(s[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (overlong || surrogate || code > 0x10FFFF) return 0;
  return length;
}

std::string syntax_error(std::string_view kind, std::string_view param, std::string_view function,
                         std::string_view text, std::string_view why) {
  std::string out = "Error decoding ";
  out.append(kind).append(" for '").append(param).append("': strconv.").append(function);
  out.append(": parsing ").append(go_quote(text)).append(": ").append(why);
  return out;
}

// Decimal digits to an unsigned value; nullopt on a non-digit, `overflow` set past the maximum.
std::optional<std::uint64_t> parse_digits(std::string_view s, bool& overflow) {
  overflow = false;
  if (s.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

Query::Query(std::string_view raw) {
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const std::size_t eq = pair.find('=');
    auto key = query_unescape(pair.substr(0, eq));
    auto value = query_unescape(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!key || !value) continue;
    pairs_.emplace_back(std::move(*key), std::move(*value));
  }
}

std::string Query::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return v;
  }
  return {};
}

Decoded<bool> decode_bool(const Query& query, std::string_view param) {
  const std::string text = query.get(param);
  if (text.empty()) return {};
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" || text == "True") {
    return {true, {}};
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" || text == "False") {
    return {false, {}};
  }
  return {false, syntax_error("boolean", param, "ParseBool", text, "invalid syntax")};
}

Decoded<std::int64_t> decode_int(const Query& query, std::string_view param) {
  const std::string text = query.get(param);
  if (text.empty()) return {};
  std::string_view digits = text;
  const bool negative = digits.front() == '-';
  if (digits.front() == '-' || digits.front() == '+') digits.remove_prefix(1);
  bool overflow = false;
  const auto magnitude = parse_digits(digits, overflow);
  if (!magnitude) return {0, syntax_error("int", param, "Atoi", text, "invalid syntax")};
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  if (overflow || *magnitude > limit) {
    return {0, syntax_error("int", param, "Atoi", text, "value out of range")};
  }
  // Two's complement wrap gives the most negative value its right sign.
  const auto value = static_cast<std::int64_t>(negative ? 0 - *magnitude : *magnitude);
  return {value, {}};
}

Decoded<std::uint64_t> decode_uint64(const Query& query, std::string_view param) {
  const std::string text = query.get(param);
  if (text.empty()) return {};
  bool overflow = false;
  const auto value = parse_digits(text, overflow);
  if (!value) return {0, syntax_error("uint64", param, "ParseUint", text, "invalid syntax")};
  if (overflow) return {0, syntax_error("uint64", param, "ParseUint", text, "value out of range")};
  return {*value, {}};
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t length = utf8_length(s, i);
      if (length == 0) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\x%02x", c);
        out.append(escape);
        ++i;
      } else {
        // Printable non-ASCII runes stay as they are (Go escapes the unprintable ones as \u; such
        // rare query values then differ only inside the quoted text of a 400).
        out.append(s.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
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
      case '\v':
        out.append("\\v");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\x%02x", c);
          out.append(escape);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

}  // namespace tern::server::monitor
