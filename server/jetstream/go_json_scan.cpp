#include "server/jetstream/go_json_scan.h"

#include <cstdint>
#include <vector>

#include "server/jetstream/go_text.h"

namespace tern::server::jetstream::go_json {

namespace {

// encoding/json's scanner states (scanner.go), one per step function.
enum class State {
  kBeginValueOrEmpty,
  kBeginValue,
  kBeginStringOrEmpty,
  kBeginString,
  kEndValue,
  kEndTop,
  kInString,
  kInStringEsc,
  kInStringEscU,
  kInStringEscU1,
  kInStringEscU12,
  kInStringEscU123,
  kNeg,
  kOne,
  kZero,
  kDot,
  kDot0,
  kE,
  kESign,
  kE0,
  kT,
  kTr,
  kTru,
  kF,
  kFa,
  kFal,
  kFals,
  kN,
  kNu,
  kNul,
};

enum class Parse : std::uint8_t { kObjectKey, kObjectValue, kArrayValue };

// Go's maxNestingDepth.
constexpr std::size_t kMaxDepth = 10000;

bool is_space(unsigned char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(unsigned char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_hex(unsigned char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class Scanner {
 public:
  // Feeds one byte; false on a syntax error, whose text is then in error().
  bool step(unsigned char c) {
    for (;;) {
      switch (state_) {
        case State::kBeginValueOrEmpty:
          if (is_space(c)) return true;
          if (c == ']') {
            state_ = State::kEndValue;
            continue;
          }
          state_ = State::kBeginValue;
          continue;
        case State::kBeginValue:
          if (is_space(c)) return true;
          switch (c) {
            case '{':
              state_ = State::kBeginStringOrEmpty;
              return push(c, Parse::kObjectKey);
            case '[':
              state_ = State::kBeginValueOrEmpty;
              return push(c, Parse::kArrayValue);
            case '"':
              state_ = State::kInString;
              return true;
            case '-':
              state_ = State::kNeg;
              return true;
            case '0':
              state_ = State::kZero;
              return true;
            case 't':
              state_ = State::kT;
              return true;
            case 'f':
              state_ = State::kF;
              return true;
            case 'n':
              state_ = State::kN;
              return true;
            default:
              if (c >= '1' && c <= '9') {
                state_ = State::kOne;
                return true;
              }
              return fail(c, "looking for beginning of value");
          }
        case State::kBeginStringOrEmpty:
          if (is_space(c)) return true;
          if (c == '}') {
            stack_.back() = Parse::kObjectValue;
            state_ = State::kEndValue;
            continue;
          }
          state_ = State::kBeginString;
          continue;
        case State::kBeginString:
          if (is_space(c)) return true;
          if (c == '"') {
            state_ = State::kInString;
            return true;
          }
          return fail(c, "looking for beginning of object key string");
        case State::kEndValue:
          if (stack_.empty()) {
            state_ = State::kEndTop;
            end_top_ = true;
            continue;
          }
          if (is_space(c)) return true;
          switch (stack_.back()) {
            case Parse::kObjectKey:
              if (c == ':') {
                stack_.back() = Parse::kObjectValue;
                state_ = State::kBeginValue;
                return true;
              }
              return fail(c, "after object key");
            case Parse::kObjectValue:
              if (c == ',') {
                stack_.back() = Parse::kObjectKey;
                state_ = State::kBeginString;
                return true;
              }
              if (c == '}') return pop();
              return fail(c, "after object key:value pair");
            case Parse::kArrayValue:
              if (c == ',') {
                state_ = State::kBeginValue;
                return true;
              }
              if (c == ']') return pop();
              return fail(c, "after array element");
          }
          return true;
        case State::kEndTop:
          if (!is_space(c)) return fail(c, "after top-level value");
          return true;
        case State::kInString:
          if (c == '"') {
            state_ = State::kEndValue;
            return true;
          }
          if (c == '\\') {
            state_ = State::kInStringEsc;
            return true;
          }
          if (c < 0x20) return fail(c, "in string literal");
          return true;
        case State::kInStringEsc:
          switch (c) {
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
            case '\\':
            case '/':
            case '"':
              state_ = State::kInString;
              return true;
            case 'u':
              state_ = State::kInStringEscU;
              return true;
            default:
              return fail(c, "in string escape code");
          }
        case State::kInStringEscU:
        case State::kInStringEscU1:
        case State::kInStringEscU12:
        case State::kInStringEscU123:
          if (!is_hex(c)) return fail(c, "in \\u hexadecimal character escape");
          state_ = state_ == State::kInStringEscU123 ? State::kInString
                                                     : static_cast<State>(static_cast<int>(state_) + 1);
          return true;
        case State::kNeg:
          if (c == '0') {
            state_ = State::kZero;
            return true;
          }
          if (c >= '1' && c <= '9') {
            state_ = State::kOne;
            return true;
          }
          return fail(c, "in numeric literal");
        case State::kOne:
          if (is_digit(c)) return true;
          state_ = State::kZero;
          continue;
        case State::kZero:
          if (c == '.') {
            state_ = State::kDot;
            return true;
          }
          if (c == 'e' || c == 'E') {
            state_ = State::kE;
            return true;
          }
          state_ = State::kEndValue;
          continue;
        case State::kDot:
          if (is_digit(c)) {
            state_ = State::kDot0;
            return true;
          }
          return fail(c, "after decimal point in numeric literal");
        case State::kDot0:
          if (is_digit(c)) return true;
          if (c == 'e' || c == 'E') {
            state_ = State::kE;
            return true;
          }
          state_ = State::kEndValue;
          continue;
        case State::kE:
          if (c == '+' || c == '-') {
            state_ = State::kESign;
            return true;
          }
          state_ = State::kESign;
          continue;
        case State::kESign:
          if (is_digit(c)) {
            state_ = State::kE0;
            return true;
          }
          return fail(c, "in exponent of numeric literal");
        case State::kE0:
          if (is_digit(c)) return true;
          state_ = State::kEndValue;
          continue;
        case State::kT:
          return literal(c, 'r', State::kTr, "in literal true (expecting 'r')");
        case State::kTr:
          return literal(c, 'u', State::kTru, "in literal true (expecting 'u')");
        case State::kTru:
          return literal(c, 'e', State::kEndValue, "in literal true (expecting 'e')");
        case State::kF:
          return literal(c, 'a', State::kFa, "in literal false (expecting 'a')");
        case State::kFa:
          return literal(c, 'l', State::kFal, "in literal false (expecting 'l')");
        case State::kFal:
          return literal(c, 's', State::kFals, "in literal false (expecting 's')");
        case State::kFals:
          return literal(c, 'e', State::kEndValue, "in literal false (expecting 'e')");
        case State::kN:
          return literal(c, 'u', State::kNu, "in literal null (expecting 'u')");
        case State::kNu:
          return literal(c, 'l', State::kNul, "in literal null (expecting 'l')");
        case State::kNul:
          return literal(c, 'l', State::kEndValue, "in literal null (expecting 'l')");
      }
    }
  }

  // The end of the input: Go's scanner.eof.
  bool finish() {
    if (end_top_) return true;
    if (step(' ') && end_top_) return true;
    if (error_.empty()) error_ = "unexpected end of JSON input";
    return false;
  }

  const std::string& error() const noexcept { return error_; }

 private:
  bool push(unsigned char c, Parse p) {
    stack_.push_back(p);
    if (stack_.size() > kMaxDepth) return fail(c, "exceeded max depth");
    return true;
  }
  bool pop() {
    stack_.pop_back();
    if (stack_.empty()) {
      state_ = State::kEndTop;
      end_top_ = true;
    } else {
      state_ = State::kEndValue;
    }
    return true;
  }
  bool literal(unsigned char c, char expected, State next, const char* context) {
    if (c != static_cast<unsigned char>(expected)) return fail(c, context);
    state_ = next;
    return true;
  }
  bool fail(unsigned char c, std::string_view context) {
    error_ = "invalid character " + go_quote_char(c) + " ";
    error_ += context;
    return false;
  }

  State state_ = State::kBeginValue;
  std::vector<Parse> stack_;
  bool end_top_ = false;
  std::string error_;
};

std::size_t skip_space(std::string_view text, std::size_t pos) noexcept {
  while (pos < text.size() && is_space(static_cast<unsigned char>(text[pos])))
    ++pos;
  return pos;
}

// The end of the string whose opening quote is at `pos` (one past its closing quote).
std::size_t string_end(std::string_view text, std::size_t pos) noexcept {
  ++pos;
  while (pos < text.size() && text[pos] != '"')
    pos += text[pos] == '\\' ? 2 : 1;
  return pos + 1;
}

// The end of the value that starts at `pos`.
std::size_t value_end(std::string_view text, std::size_t pos) noexcept {
  const char first = text[pos];
  if (first == '"') return string_end(text, pos);
  if (first == '{' || first == '[') {
    std::size_t depth = 0;
    while (pos < text.size()) {
      const char c = text[pos];
      if (c == '"') {
        pos = string_end(text, pos);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return pos + 1;
      ++pos;
    }
    return pos;
  }
  while (pos < text.size() && !is_space(static_cast<unsigned char>(text[pos])) && text[pos] != ',' &&
         text[pos] != '}' && text[pos] != ']')
    ++pos;
  return pos;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

void append_utf8(std::string& out, std::uint32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

std::uint32_t read_u4(std::string_view s, std::size_t pos) noexcept {
  std::uint32_t r = 0;
  for (std::size_t i = 0; i < 4; ++i)
    r = r << 4 | static_cast<std::uint32_t>(hex_value(s[pos + i]));
  return r;
}

// The contents of a valid JSON string literal (quotes included), unescaped as Go's unquote does it for
// what matters here: escapes, and surrogate pairs joined (a lone surrogate is U+FFFD). Bytes that are not
// UTF-8 are kept as they are; they can match no field name either way.
std::string unescape(std::string_view literal) {
  std::string out;
  const std::string_view s = literal.substr(1, literal.size() - 2);
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out += s[i++];
      continue;
    }
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        std::uint32_t r = read_u4(s, i);
        i += 4;
        if (r >= 0xD800 && r < 0xE000) {
          const bool pair = r < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u';
          const std::uint32_t low = pair ? read_u4(s, i + 2) : 0;
          if (pair && low >= 0xDC00 && low < 0xE000) {
            r = 0x10000 + ((r - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else {
            r = 0xFFFD;
          }
        }
        append_utf8(out, r);
        break;
      }
      default:
        out += e;
        break;  // '"', '\\', '/'
    }
  }
  return out;
}

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

}  // namespace

std::optional<std::string> syntax_error(std::string_view text) {
  Scanner scanner;
  for (const char c : text) {
    if (!scanner.step(static_cast<unsigned char>(c))) return scanner.error();
  }
  if (!scanner.finish()) return scanner.error();
  return std::nullopt;
}

std::string_view kind_name(ValueKind kind) noexcept {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kString:
      return "string";
    case ValueKind::kArray:
      return "array";
    case ValueKind::kObject:
      return "object";
  }
  return "value";
}

MemberReader::MemberReader(std::string_view text) noexcept : text_(text) {
  pos_ = skip_space(text_, 0) + 1;  // Past the '{'.
}

bool MemberReader::next(Member& out) {
  pos_ = skip_space(text_, pos_);
  if (pos_ >= text_.size() || text_[pos_] == '}') return false;
  if (text_[pos_] == ',') pos_ = skip_space(text_, pos_ + 1);
  const std::size_t key_end = string_end(text_, pos_);
  out.key = unescape(text_.substr(pos_, key_end - pos_));
  pos_ = skip_space(text_, key_end) + 1;  // Past the ':'.
  pos_ = skip_space(text_, pos_);
  const std::size_t end = value_end(text_, pos_);
  out.raw = text_.substr(pos_, end - pos_);
  switch (out.raw.front()) {
    case '"':
      out.kind = ValueKind::kString;
      break;
    case '{':
      out.kind = ValueKind::kObject;
      break;
    case '[':
      out.kind = ValueKind::kArray;
      break;
    case 't':
    case 'f':
      out.kind = ValueKind::kBool;
      break;
    case 'n':
      out.kind = ValueKind::kNull;
      break;
    default:
      out.kind = ValueKind::kNumber;
      break;
  }
  pos_ = end;
  return true;
}

bool field_matches(std::string_view key, std::string_view field_name) noexcept {
  std::size_t k = 0;
  for (const char want : field_name) {
    if (k >= key.size()) return false;
    const char w = lower(want);
    if (w == 's' && key.substr(k, 2) == "\xC5\xBF") {
      k += 2;
      continue;
    }
    if (w == 'k' && key.substr(k, 3) == "\xE2\x84\xAA") {
      k += 3;
      continue;
    }
    if (lower(key[k]) != w) return false;
    ++k;
  }
  return k == key.size();
}

}  // namespace tern::server::jetstream::go_json
