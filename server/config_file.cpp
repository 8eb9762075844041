#include "server/config_file.h"

#include "server/config_scan.h"

#include <charconv>
#include <cstdlib>
#include <limits>

namespace tern::server::config {
namespace {

using namespace scan;

// nats-server recurses without limit and crashes on an include cycle or absurd nesting; these bounds turn
// both into errors.
constexpr int kMaxIncludeDepth = 16;
constexpr int kMaxNestingDepth = 128;

void set_entry(ConfigValue& map, ConfigEntry entry) {
  for (ConfigEntry& existing : map.entries) {
    if (existing.key == entry.key) {
      existing = std::move(entry);
      return;
    }
  }
  map.entries.push_back(std::move(entry));
}

// Recursive descent over the text. Each parse_* function returns false after recording the first error,
// and the caller stops at once.
class Parser {
 public:
  Parser(std::string_view text, std::string file, const EnvironmentLookup& environment, int include_depth)
      : text_(text), file_(std::move(file)), environment_(environment), include_depth_(include_depth) {}

  ParseResult parse_document() {
    ConfigValue root;
    root.kind = ConfigValue::Kind::kMap;
    root.location = here();
    map_stack_.push_back(&root);
    if (!parse_top_level(root)) return ParseError{std::move(error_)};
    return root;
  }

 private:
  enum class Context { kTop, kMap };

  int peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : -1;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  SourceLocation here() const {
    return SourceLocation{file_, line_, static_cast<int>(pos_ - line_start_) + 1};
  }
  bool fail(const SourceLocation& where, const std::string& message) {
    if (error_.empty()) error_ = where.to_string() + ": " + message;
    return false;
  }
  bool fail(const std::string& message) { return fail(here(), message); }

  void skip_blanks() {
    while (!at_end() && is_blank(text_[pos_]))
      advance();
  }
  void skip_spaces() {
    while (!at_end() && is_space(text_[pos_]))
      advance();
  }
  // True (and the comment skipped, up to but not including the newline) when a comment starts here.
  bool skip_comment() {
    if (peek() == '#' || (peek() == '/' && peek(1) == '/')) {
      while (!at_end() && !is_newline(text_[pos_]))
        advance();
      return true;
    }
    return false;
  }

  bool parse_top_level(ConfigValue& root) {
    while (true) {
      skip_spaces();
      if (at_end()) return true;
      if (peek() == '{') {  // nats-server lets a whole file be wrapped in braces.
        advance();
        continue;
      }
      if (skip_comment()) continue;
      if (peek() == '/') return fail("unexpected '/' (comments start with '#' or '//')");
      bool ended_at_eof = false;
      if (!parse_statement(root, Context::kTop, ended_at_eof)) return false;
      if (ended_at_eof) return true;
      if (!end_top_level_value()) return false;
    }
  }

  bool end_top_level_value() {
    while (true) {
      skip_blanks();
      if (skip_comment()) return true;
      const int c = peek();
      if (c == '/') {  // nats-server skips a lone '/' here.
        advance();
        continue;
      }
      if (c < 0) return true;
      if (is_newline(static_cast<char>(c)) || c == ';' || c == ',' || c == '}') {
        advance();
        return true;
      }
      return fail("Expected a top-level value to end with a new line, comment or EOF, but got '" +
                  describe_char(c) + "' instead.");
    }
  }

  // Parses `key [sep] value` or `include path` into `map`. Sets `ended_at_eof` when a top-level key is
  // followed only by the end of the file: nats-server ignores such a key.
  bool parse_statement(ConfigValue& map, Context context, bool& ended_at_eof) {
    ConfigEntry entry;
    entry.key_location = here();
    const int first = peek();
    if (first >= 0 && is_key_separator(static_cast<char>(first))) {
      return fail("Unexpected key separator '" + describe_char(first) + "'");
    }
    if (first == '"' || first == '\'') {
      advance();
      const std::size_t start = pos_;
      while (!at_end() && text_[pos_] != first)
        advance();
      if (at_end()) return fail("Unexpected EOF processing quoted key.");
      entry.key.assign(text_.substr(start, pos_ - start));
      advance();
    } else {
      const std::size_t start = pos_;
      while (!at_end() && !is_space(text_[pos_]) && !is_key_separator(text_[pos_]))
        advance();
      entry.key.assign(text_.substr(start, pos_ - start));
      if (at_end() && context == Context::kMap) return fail("Unexpected EOF processing map key.");
      if (!at_end() && is_space(text_[pos_]) && ascii_lowercase(entry.key) == "include") {
        return parse_include(map, entry.key_location);
      }
    }
    skip_spaces();
    if (at_end()) {
      if (context == Context::kMap) return fail("Unexpected EOF processing map.");
      ended_at_eof = true;
      return true;
    }
    if (is_key_separator(text_[pos_])) advance();
    if (context == Context::kMap) {
      skip_spaces();
      if (peek() == ',') return fail("Unexpected map value terminator ','.");
      if (peek() == '}') return fail("Expected a value for key '" + entry.key + "'");
    }
    if (!parse_value(entry.value, 0)) return false;
    set_entry(map, std::move(entry));
    return true;
  }

  bool parse_include(ConfigValue& map, const SourceLocation& where) {
    skip_blanks();
    const int c = peek();
    std::string name;
    if (c == '\'' || c == '"') {
      advance();
      const std::size_t start = pos_;
      while (!at_end() && text_[pos_] != c)
        advance();
      if (at_end()) return fail("Unexpected EOF processing include.");
      name.assign(text_.substr(start, pos_ - start));
      advance();
    } else if (c < 0 || is_newline(static_cast<char>(c))) {
      return fail("Expected include value but found new line");
    } else if (c == '[' || c == '{' || c == '(' || c == '-' || c == '\\' || is_digit(static_cast<char>(c))) {
      return fail("Expected include value but found '" + describe_char(c) + "'");
    } else {
      const std::size_t start = pos_;
      while (!at_end() && !is_newline(text_[pos_]) && !is_blank(text_[pos_]) && text_[pos_] != ';' &&
             text_[pos_] != '}' && text_[pos_] != '\'') {
        advance();
      }
      name.assign(text_.substr(start, pos_ - start));
      if (peek() == '\'') advance();
    }
    failed_in_include_ = true;
    if (include_depth_ + 1 > kMaxIncludeDepth) {
      return fail(where, "error parsing include file '" + name + "', includes nested too deeply (a cycle?)");
    }
    const std::filesystem::path path = (std::filesystem::path(file_).parent_path() / name).lexically_normal();
    std::string contents;
    std::string read_error;
    if (!read_whole_file(path, contents, read_error)) {
      return fail(where, "error parsing include file '" + name + "', " + read_error);
    }
    Parser included(contents, path.string(), environment_, include_depth_ + 1);
    ParseResult result = included.parse_document();
    if (auto* error = std::get_if<ParseError>(&result)) {
      // An error deeper in a chain of includes already says which include failed; pass it on as it is.
      if (included.failed_in_include_) {
        error_ = std::move(error->message);
        return false;
      }
      return fail(where, "error parsing include file '" + name + "', " + error->message);
    }
    failed_in_include_ = false;
    for (ConfigEntry& entry : std::get<ConfigValue>(result).entries)
      set_entry(map, std::move(entry));
    return true;
  }

  bool parse_value(ConfigValue& out, int depth) {
    if (depth > kMaxNestingDepth) return fail("values nested too deeply");
    skip_blanks();
    out.location = here();
    const int c = peek();
    if (c < 0) return fail("Expected a value but found EOF");
    switch (c) {
      case '[':
        return parse_array(out, depth);
      case '{':
        return parse_map(out, depth);
      case '\'':
        return parse_raw_string(out);
      case '"':
        return parse_quoted_string(out);
      case '-':
        return parse_negative_number(out);
      case '(':
        return parse_block(out);
      case '.':
        return fail("Floats must start with a digit");
      default:
        break;
    }
    if (is_newline(static_cast<char>(c))) return fail("Expected value but found new line");
    if (is_digit(static_cast<char>(c))) return parse_number(out);
    return parse_bare_string(out, pos_);
  }

  bool parse_array(ConfigValue& out, int depth) {
    out.kind = ConfigValue::Kind::kArray;
    advance();  // '['
    while (true) {
      skip_spaces();
      if (skip_comment()) continue;
      const int c = peek();
      if (c == ']') {
        advance();
        return true;
      }
      if (c < 0) return fail("Unexpected EOF processing array.");
      if (c == ',' || c == '/') return fail("Unexpected array value terminator ','.");
      ConfigValue item;
      if (!parse_value(item, depth + 1)) return false;
      out.items.push_back(std::move(item));
      bool closed = false;
      if (!end_array_value(closed)) return false;
      if (closed) return true;
    }
  }

  // Consumes what follows an array item: a separator, or the closing ']' (then sets `closed`).
  bool end_array_value(bool& closed) {
    while (true) {
      skip_blanks();
      if (skip_comment()) continue;
      const int c = peek();
      if (c == ',' || c == '/' || (c >= 0 && is_newline(static_cast<char>(c)))) {
        advance();
        return true;
      }
      if (c == ']') {
        advance();
        closed = true;
        return true;
      }
      if (c < 0) return fail("Unexpected EOF processing array.");
      return fail("Expected an array value terminator ',' or an array terminator ']', but got '" +
                  describe_char(c) + "' instead.");
    }
  }

  bool parse_map(ConfigValue& out, int depth) {
    out.kind = ConfigValue::Kind::kMap;
    advance();  // '{'
    map_stack_.push_back(&out);
    const bool ok = parse_map_body(out, depth);
    map_stack_.pop_back();
    return ok;
  }

  bool parse_map_body(ConfigValue& map, int depth) {
    if (depth > kMaxNestingDepth) return fail("values nested too deeply");
    while (true) {
      skip_spaces();
      if (skip_comment()) continue;
      const int c = peek();
      if (c == '}') {
        advance();
        return true;
      }
      if (c < 0) return fail("Unexpected EOF processing map.");
      if (c == ']') return fail("Unexpected array end ']' processing map.");
      bool ended_at_eof = false;
      if (!parse_statement(map, Context::kMap, ended_at_eof)) return false;
      // What may follow a map entry: blanks, a comment, then a separator or the closing brace.
      while (true) {
        skip_blanks();
        if (skip_comment()) continue;
        const int next = peek();
        if (next == '}') {
          advance();
          return true;
        }
        if (next == ';' || next == ',' || next == '/' || (next >= 0 && is_newline(static_cast<char>(next)))) {
          advance();
          break;
        }
        if (next < 0) return fail("Unexpected EOF processing map.");
        return fail("Expected a map value terminator ',' or a map terminator '}', but got '" +
                    describe_char(next) + "' instead.");
      }
    }
  }

  bool parse_raw_string(ConfigValue& out) {
    advance();  // '\''
    const std::size_t start = pos_;
    while (!at_end() && text_[pos_] != '\'')
      advance();
    if (at_end()) return fail(out.location, "Unexpected EOF.");
    out.text.assign(text_.substr(start, pos_ - start));
    advance();
    return true;
  }

  // Appends the character of the escape sequence after a '\\' (already consumed) to `out`.
  bool parse_escape(std::string& out) {
    const int c = peek();
    if (c < 0) return fail("Unexpected EOF.");
    advance();
    static constexpr std::string_view kEscaped = "tnr\"\\";
    static constexpr std::string_view kMeaning = "\t\n\r\"\\";
    if (const std::size_t simple = kEscaped.find(static_cast<char>(c)); simple != std::string_view::npos) {
      out += kMeaning[simple];
      return true;
    }
    switch (c) {
      case 'x': {
        if (pos_ + 2 > text_.size()) return fail("Expected two hexadecimal digits after '\\x'");
        unsigned value = 0;
        const char* begin = text_.data() + pos_;
        const auto [end, ec] = std::from_chars(begin, begin + 2, value, 16);
        if (ec != std::errc() || end != begin + 2) {
          return fail("Expected two hexadecimal digits after '\\x', but got '" +
                      std::string(text_.substr(pos_, 2)) + "'");
        }
        advance();
        advance();
        out += static_cast<char>(value);
        return true;
      }
      default:
        return fail("Invalid escape character '" + describe_char(c) +
                    "'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
    }
  }

  bool parse_quoted_string(ConfigValue& out) {
    advance();  // '"'
    while (true) {
      const int c = peek();
      if (c < 0) return fail(out.location, "Unexpected EOF.");
      advance();
      if (c == '"') return true;
      if (c == '\\') {
        if (!parse_escape(out.text)) return false;
      } else {
        out.text += static_cast<char>(c);
      }
    }
  }

  // A bare word from `start` (which may lie before pos_ when a number turned out to be a word).
  bool parse_bare_string(ConfigValue& out, std::size_t start) {
    std::string word(text_.substr(start, pos_ - start));
    bool escaped = false;
    while (!at_end()) {
      const char c = text_[pos_];
      if (is_newline(c) || is_blank(c) || c == ';' || c == ',' || c == ']' || c == '}') break;
      advance();
      if (c == '\'') break;  // nats-server ends a bare word at a quote and drops the quote.
      if (c == '\\') {
        escaped = true;
        if (!parse_escape(word)) return false;
      } else {
        word += c;
      }
    }
    out.kind = ConfigValue::Kind::kString;
    if (!escaped) {
      const std::string lower = ascii_lowercase(word);
      if (lower == "true" || lower == "yes" || lower == "on") {
        out.kind = ConfigValue::Kind::kBool;
        out.boolean = true;
        return true;
      }
      if (lower == "false" || lower == "no" || lower == "off") {
        out.kind = ConfigValue::Kind::kBool;
        out.boolean = false;
        return true;
      }
      if (!word.empty() && word[0] == '$') return resolve_variable(out, word.substr(1));
    }
    out.text = std::move(word);
    return true;
  }

  static bool ends_number(int c) {
    return c < 0 || is_newline(static_cast<char>(c)) || is_blank(static_cast<char>(c)) || c == '}' ||
           c == ';' || c == ',';
  }

  bool parse_number(ConfigValue& out) {
    const std::size_t start = pos_;
    while (is_digit(static_cast<char>(peek())))
      advance();
    const int c = peek();
    if (c == '-') {
      if (pos_ - start != 4) return fail("All ISO8601 dates must be in full Zulu form.");
      return parse_datetime(out, start);
    }
    if (c == '.') return parse_float_or_address(out, start);
    if (c >= 0 && is_size_suffix(static_cast<char>(c))) return parse_sized_integer(out, start, true);
    if (!ends_number(c)) return parse_bare_string(out, start);
    return make_integer(out, start);
  }

  bool parse_negative_number(ConfigValue& out) {
    const std::size_t start = pos_;
    advance();  // '-'
    const int first = peek();
    if (first == '.') return fail("Floats must start with a digit, not '.'.");
    if (!is_digit(static_cast<char>(first))) {
      return fail("Expected a digit but got '" + describe_char(first) + "'.");
    }
    while (is_digit(static_cast<char>(peek())))
      advance();
    const int c = peek();
    if (c == '.') return parse_float_or_address(out, start);
    if (c >= 0 && is_size_suffix(static_cast<char>(c))) return parse_sized_integer(out, start, false);
    return make_integer(out, start);
  }

  // After the digits of a number, at a size suffix letter. A suffix that is followed by more letters makes
  // the whole token a bare word, when the number was not negative (as in nats-server).
  bool parse_sized_integer(ConfigValue& out, std::size_t start, bool may_become_word) {
    advance();
    while (peek() == 'b' || peek() == 'B' || peek() == 'i' || peek() == 'I')
      advance();
    const int c = peek();
    if (may_become_word && !ends_number(c) && !is_digit(static_cast<char>(c))) {
      return parse_bare_string(out, start);
    }
    return make_integer(out, start);
  }

  bool make_integer(ConfigValue& out, std::size_t start) {
    const std::string_view token = text_.substr(start, pos_ - start);
    std::size_t digits_end = token[0] == '-' ? 1 : 0;
    while (digits_end < token.size() && is_digit(token[digits_end]))
      ++digits_end;
    std::int64_t number = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + digits_end, number);
    if (ec != std::errc() || end != token.data() + digits_end) {
      return fail(out.location, "integer '" + std::string(token) + "' is out of the range");
    }
    const std::int64_t multiplier = size_multiplier(ascii_lowercase(token.substr(digits_end)));
    if (multiplier == 0) return fail(out.location, "unknown size suffix in '" + std::string(token) + "'");
    if (number > std::numeric_limits<std::int64_t>::max() / multiplier ||
        number < std::numeric_limits<std::int64_t>::min() / multiplier) {
      return fail(out.location, "integer '" + std::string(token) + "' is out of the range");
    }
    out.kind = ConfigValue::Kind::kInteger;
    out.integer = number * multiplier;
    return true;
  }

  bool parse_float_or_address(ConfigValue& out, std::size_t start) {
    advance();  // '.'
    const int first = peek();
    if (!is_digit(static_cast<char>(first))) {
      return fail("Floats must have a digit after the '.', but got '" + describe_char(first) + "' instead.");
    }
    while (is_digit(static_cast<char>(peek())))
      advance();
    if (peek() == '.') {  // An address such as 127.0.0.1 or 127.0.0.1:4222.
      while (is_digit(static_cast<char>(peek())) || peek() == '.' || peek() == ':' || peek() == '-')
        advance();
      out.kind = ConfigValue::Kind::kString;
      out.text.assign(text_.substr(start, pos_ - start));
      return true;
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out.number);
    if (ec != std::errc() || end != token.data() + token.size()) {
      return fail(out.location, "float '" + std::string(token) + "' is out of the range");
    }
    out.kind = ConfigValue::Kind::kFloat;
    return true;
  }

  // At the '-' after a four-digit year; the rest must be "-MM-DDTHH:MM:SSZ".
  bool parse_datetime(ConfigValue& out, std::size_t start) {
    static constexpr std::string_view kShape = "-00-00T00:00:00Z";
    for (const char expected : kShape) {
      const int c = peek();
      const bool ok = expected == '0' ? is_digit(static_cast<char>(c)) : c == expected;
      if (!ok) {
        return fail("Expected '" + std::string(1, expected == '0' ? 'D' : expected) +
                    "' in ISO8601 datetime, but found '" + describe_char(c) + "' instead.");
      }
      advance();
    }
    out.kind = ConfigValue::Kind::kDatetime;
    out.text.assign(text_.substr(start, pos_ - start));
    return true;
  }

  // A block: everything after '(' up to a ')' that stands alone on its line.
  bool parse_block(ConfigValue& out) {
    advance();  // '('
    const std::size_t start = pos_;
    while (true) {
      if (at_end()) return fail(out.location, "Unexpected EOF processing block.");
      const bool closes = text_[pos_] == ')' && pos_ > start && text_[pos_ - 1] == '\n' &&
                          (pos_ + 1 == text_.size() || is_newline(text_[pos_ + 1]));
      if (closes) break;
      advance();
    }
    out.kind = ConfigValue::Kind::kString;
    out.text.assign(text_.substr(start, pos_ - start));
    advance();  // ')'
    return true;
  }

  bool resolve_variable(ConfigValue& out, const std::string& name) {
    const SourceLocation where = out.location;
    // nats-server keeps unquoted bcrypt hashes ("$2a$11$...") as strings instead of variable references.
    if (name.starts_with("2a$") || name.starts_with("2b$") || name.starts_with("2y$")) {
      out.text = "$" + name;
      return true;
    }
    for (auto map = map_stack_.rbegin(); map != map_stack_.rend(); ++map) {
      for (ConfigEntry& entry : (*map)->entries) {
        if (entry.key == name) {
          entry.used_as_variable = true;
          out = entry.value;
          out.location = where;
          return true;
        }
      }
    }
    if (const std::optional<std::string> value = environment_ ? environment_(name) : std::nullopt) {
      Parser parser("pk=" + *value, "environment variable " + name, environment_, include_depth_ + 1);
      ParseResult result = parser.parse_document();
      if (const auto* map = std::get_if<ConfigValue>(&result)) {
        if (const ConfigEntry* entry = map->find("pk")) {
          out = entry->value;
          out.location = where;
          return true;
        }
      }
    }
    return fail(where, "variable reference for '" + name + "' can not be found");
  }

  // Owns the text when this parser was made for an environment variable.
  Parser(std::string&& owned, std::string file, const EnvironmentLookup& environment, int include_depth)
      : owned_text_(std::move(owned)),
        text_(owned_text_),
        file_(std::move(file)),
        environment_(environment),
        include_depth_(include_depth) {}

  std::string owned_text_;
  std::string_view text_;
  std::string file_;
  const EnvironmentLookup& environment_;
  int include_depth_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::vector<ConfigValue*> map_stack_;  // The maps being built, innermost last, for variable lookup.
  std::string error_;
  bool failed_in_include_ = false;  // The error, if any, came from an included file.
};

}  // namespace

std::string SourceLocation::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const ConfigEntry* ConfigValue::find(std::string_view key) const {
  for (const ConfigEntry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::string_view kind_name(ConfigValue::Kind kind) {
  static constexpr std::string_view kNames[] = {"a string",   "an integer", "a float", "a boolean",
                                                "a datetime", "an array",   "a map"};
  return kNames[static_cast<std::size_t>(kind)];
}

std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

EnvironmentLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ParseResult parse_config_file(const std::filesystem::path& path, const EnvironmentLookup& environment) {
  try {
    std::string contents;
    std::string error;
    if (!read_whole_file(path, contents, error)) return ParseError{error};
    return parse_config_text(contents, path.string(), environment);
  } catch (const std::exception& e) {
    return ParseError{path.string() + ": " + e.what()};
  }
}

ParseResult parse_config_text(std::string_view text, const std::string& file_name,
                              const EnvironmentLookup& environment) {
  try {
    Parser parser(text, file_name, environment, 0);
    return parser.parse_document();
  } catch (const std::exception& e) {
    return ParseError{file_name + ": " + e.what()};
  }
}

}  // namespace tern::server::config
