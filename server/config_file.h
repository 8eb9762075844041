// A parser for nats-server's configuration file format (nats-server 2.9 conf/lex.go and conf/parse.go),
// producing a tree of values that each remember where they came from.
//
// The syntax, as nats-server 2.9 accepts it:
//   - `key: value`, `key = value` and `key value`; a statement ends at a newline, `;`, `,` or a comment.
//   - Keys are bare words (up to whitespace, `:` or `=`) or quoted with `"` or `'` (no escapes in keys).
//   - `{ ... }` maps (entries separated by newlines, `,` or `;`) and `[ ... ]` arrays (values separated by
//     newlines or `,`; a trailing `,` is allowed). The whole file may be wrapped in `{ }`.
//   - `#` and `//` comments run to the end of the line.
//   - Strings: `"..."` with the escapes \t \n \r \" \\ \xHH; `'...'` raw; bare words, which end at
//     whitespace, a newline, `,`, `;`, `]` or `}`; `(` ... `)` blocks where `)` stands alone on a line.
//   - true/false/yes/no/on/off in any case are booleans unless quoted.
//   - Integers, optionally with a size suffix: k m g t p e multiply by powers of 1000, and the same
//     letters followed by b, i or ib (any case) by powers of 1024 (`1MB` = `1Mi` = 1048576, `1M` = 10^6).
//     A number followed by other letters (`1B`, `0x10`) is a bare string. Floats need digits on both
//     sides of the `.`; `1.2.3.4` and `127.0.0.1:4222` are strings. `2020-01-02T03:04:05Z` is a datetime.
//   - `$name` (bare) refers to a key defined earlier in this or an enclosing map, else to the environment
//     variable `name`, whose text is parsed as a value. `$2a$...` (bcrypt hashes) stays a literal string.
//     An entry used as a variable is marked, so applying the file can skip it instead of calling it an
//     unknown key (as nats-server does).
//   - `include path` (bare or quoted) parses another file, relative to the including file's directory,
//     and merges its top-level entries into the current map.
//   - A later entry with the same key replaces the earlier one, as in nats-server.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tern::server::config {

// Where a value or key starts: the file as it was named (the top file as given, included files joined to
// their including file's directory), a 1-based line and a 1-based column in bytes.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", the prefix of every error message about this place.
  std::string to_string() const;
};

struct ConfigEntry;

struct ConfigValue {
  enum class Kind { kString, kInteger, kFloat, kBool, kDatetime, kArray, kMap };

  Kind kind = Kind::kString;
  std::string text;  // kString: the string; kDatetime: the datetime as written.
  std::int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  std::vector<ConfigValue> items;    // kArray
  std::vector<ConfigEntry> entries;  // kMap, in file order
  SourceLocation location;

  // The entry whose key equals `key` exactly, or nullptr. Precondition: kind is kMap.
  const ConfigEntry* find(std::string_view key) const;
};

struct ConfigEntry {
  std::string key;
  SourceLocation key_location;
  ConfigValue value;
  bool used_as_variable = false;
};

// "a string", "an integer", ... for error messages.
std::string_view kind_name(ConfigValue::Kind kind);

// `text` with ASCII letters in lower case; nats-server matches option names case-insensitively.
std::string ascii_lowercase(std::string_view text);

struct ParseError {
  std::string message;  // "file:line:column: what is wrong"
};

using ParseResult = std::variant<ConfigValue, ParseError>;

// Looks up an environment variable; nullopt when it is not set.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment, through getenv.
EnvironmentLookup process_environment();

// Parses the file at `path`; the result is a kMap. Includes are resolved against the directory of `path`.
ParseResult parse_config_file(const std::filesystem::path& path,
                              const EnvironmentLookup& environment = process_environment());

// Parses `text` as if read from `file_name` (used in locations and to resolve includes).
ParseResult parse_config_text(std::string_view text, const std::string& file_name,
                              const EnvironmentLookup& environment = process_environment());

}  // namespace tern::server::config
