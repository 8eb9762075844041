#include "server/jetstream/go_text.h"

#include <array>
#include <charconv>
#include <cstddef>
#include <limits>

namespace tern::server::jetstream {

namespace {

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;
constexpr std::uint64_t kTwo63 = std::uint64_t{1} << 63;

std::optional<std::uint64_t> unit_of(std::string_view unit) noexcept {
  if (unit == "ns") return kNanosecond;
  // "us", then U+00B5 (micro sign) and U+03BC (Greek small letter mu).
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return kMicrosecond;
  if (unit == "ms") return kMillisecond;
  if (unit == "s") return kSecond;
  if (unit == "m") return kMinute;
  if (unit == "h") return kHour;
  return std::nullopt;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Go's leadingInt: the leading [0-9]*, failing past 2^63.
bool leading_int(std::string_view& s, std::uint64_t& x) noexcept {
  std::size_t i = 0;
  x = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (x > kTwo63 / 10) return false;
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kTwo63) return false;
  }
  s.remove_prefix(i);
  return true;
}

// Go's leadingFraction: the leading [0-9]*, keeping only the digits that fit.
void leading_fraction(std::string_view& s, std::uint64_t& x, double& scale) noexcept {
  std::size_t i = 0;
  x = 0;
  scale = 1;
  bool overflow = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (overflow) continue;
    if (x > (kTwo63 - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t y = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > kTwo63) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

// Duration.String's fmtFrac: the fraction of `v` below 10^prec, without trailing zeros, written
// backwards ending at `w`. Returns the new start and v / 10^prec.
std::size_t format_fraction(char* buf, std::size_t w, std::uint64_t& v, int prec) noexcept {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = static_cast<char>(v % 10);
    print = print || digit != 0;
    if (print) buf[--w] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (print) buf[--w] = '.';
  return w;
}

std::size_t format_int(char* buf, std::size_t w, std::uint64_t v) noexcept {
  if (v == 0) {
    buf[--w] = '0';
    return w;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return w;
}

// The length of the Unicode white space rune that `text` starts with, or 0.
std::size_t leading_space(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto c = static_cast<unsigned char>(text[0]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (text.size() >= 2 && c == 0xC2) {
    const auto d = static_cast<unsigned char>(text[1]);
    if (d == 0x85 || d == 0xA0) return 2;
    return 0;
  }
  if (text.size() < 3) return 0;
  const auto d = static_cast<unsigned char>(text[1]);
  const auto e = static_cast<unsigned char>(text[2]);
  if (c == 0xE1 && d == 0x9A && e == 0x80) return 3;  // U+1680
  if (c == 0xE2 && d == 0x80 && ((e >= 0x80 && e <= 0x8A) || e == 0xA8 || e == 0xA9 || e == 0xAF)) return 3;
  if (c == 0xE2 && d == 0x81 && e == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && d == 0x80 && e == 0x80) return 3;  // U+3000
  return 0;
}

// The length of the Unicode white space rune that `text` ends with, or 0. Every white space rune has a
// lead byte that cannot be a continuation byte, so a suffix that is one is exactly what Go's
// utf8.DecodeLastRune decodes.
std::size_t trailing_space(std::string_view text) noexcept {
  for (std::size_t n = 1; n <= 3 && n <= text.size(); ++n) {
    const std::string_view tail = text.substr(text.size() - n);
    if (leading_space(tail) == n) return n;
  }
  return 0;
}

}  // namespace

std::optional<std::int64_t> parse_go_duration(std::string_view s) {
  std::uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return std::nullopt;
    const std::size_t before_int = s.size();
    std::uint64_t v = 0;
    if (!leading_int(s, v)) return std::nullopt;
    const bool pre = before_int != s.size();
    bool post = false;
    std::uint64_t f = 0;
    double scale = 1;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      const std::size_t before_fraction = s.size();
      leading_fraction(s, f, scale);
      post = before_fraction != s.size();
    }
    if (!pre && !post) return std::nullopt;
    std::size_t i = 0;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i]))
      ++i;
    if (i == 0) return std::nullopt;
    const std::optional<std::uint64_t> unit = unit_of(s.substr(0, i));
    s.remove_prefix(i);
    if (!unit) return std::nullopt;
    if (v > kTwo63 / *unit) return std::nullopt;
    v *= *unit;
    if (f > 0) {
      // Go computes the fraction in float64, nanosecond-exact for fractions of an hour.
      v += static_cast<std::uint64_t>(static_cast<double>(f) * (static_cast<double>(*unit) / scale));
      if (v > kTwo63) return std::nullopt;
    }
    d += v;
    if (d > kTwo63) return std::nullopt;
  }
  if (neg) return static_cast<std::int64_t>(std::uint64_t{0} - d);
  if (d > kTwo63 - 1) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

void append_go_duration(std::string& out, std::int64_t ns) {
  std::array<char, 32> buf{};
  std::size_t w = buf.size();
  std::uint64_t u = static_cast<std::uint64_t>(ns);
  const bool neg = ns < 0;
  if (neg) u = std::uint64_t{0} - u;
  if (u < kSecond) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) {
      buf[--w] = '0';
      out.append(buf.data() + w, buf.size() - w);
      return;
    }
    if (u < kMicrosecond) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < kMillisecond) {
      prec = 3;
      // U+00B5, the micro sign, as Go writes it.
      buf[--w] = '\xB5';
      buf[--w] = '\xC2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    w = format_fraction(buf.data(), w, u, prec);
    w = format_int(buf.data(), w, u);
  } else {
    buf[--w] = 's';
    w = format_fraction(buf.data(), w, u, 9);
    w = format_int(buf.data(), w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = format_int(buf.data(), w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        w = format_int(buf.data(), w, u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  out.append(buf.data() + w, buf.size() - w);
}

std::string go_duration_string(std::int64_t ns) {
  std::string out;
  append_go_duration(out, ns);
  return out;
}

std::string_view go_trim_space(std::string_view text) noexcept {
  while (const std::size_t n = leading_space(text))
    text.remove_prefix(n);
  while (const std::size_t n = trailing_space(text))
    text.remove_suffix(n);
  return text;
}

std::optional<std::int64_t> go_atoi(std::string_view text) noexcept {
  bool neg = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  for (const char c : text) {
    if (!is_digit(c)) return std::nullopt;
    if (magnitude > (kTwo63 - static_cast<std::uint64_t>(c - '0')) / 10) return std::nullopt;
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (neg) return static_cast<std::int64_t>(std::uint64_t{0} - magnitude);
  if (magnitude > kTwo63 - 1) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

std::string go_quote_char(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string out = "'";
  switch (c) {
    case '\a':
      out += "\\a";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\v':
      out += "\\v";
      break;
    case '\\':
      out += "\\\\";
      break;
    default:
      if (c < 0x20 || c == 0x7F) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      } else if (c < 0x80) {
        out += static_cast<char>(c);
      } else if (c < 0xA0 || c == 0xA0 || c == 0xAD) {
        // C1 controls, the no-break space and the soft hyphen are not printable for strconv.
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      } else {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
  }
  out += '\'';
  return out;
}

}  // namespace tern::server::jetstream
