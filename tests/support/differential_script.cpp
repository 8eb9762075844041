#include "tests/support/differential_script.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "tests/support/server_process.h"

namespace tern::test {
namespace {

// INFO keys whose values two compatible servers must agree on. The rest (ids, names, ports, versions)
// legitimately differ between runs and between implementations, so only their presence and position
// are compared.
constexpr std::array<std::string_view, 10> kComparedInfoKeys = {
    "proto",      "headers",       "max_payload", "auth_required", "tls_required",
    "tls_verify", "tls_available", "host",        "client_ip",     "ldm"};

// Expect-unordered builds every ordering of its parts; past this many parts that is too many.
constexpr std::size_t kMaxUnorderedParts = 5;

class LineParser {
 public:
  LineParser(std::string_view line, const std::string& script, int number)
      : line_(line), script_(script), number_(number) {}

  bool at_end() {
    skip_space();
    return at_ >= line_.size();
  }

  std::string word() {
    skip_space();
    const auto start = at_;
    while (at_ < line_.size() && line_[at_] != ' ' && line_[at_] != '\t')
      ++at_;
    if (start == at_) fail("a word is missing");
    return std::string(line_.substr(start, at_ - start));
  }

  std::string rest() {
    skip_space();
    auto text = line_.substr(at_);
    at_ = line_.size();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
      text.remove_suffix(1);
    return std::string(text);
  }

  // One or more adjacent literals, each optionally repeated with *N. Stops at '|' or the end.
  std::string bytes() {
    std::string result;
    bool any = false;
    while (!at_end() && line_[at_] == '"') {
      std::string literal = quoted();
      std::size_t repeat = 1;
      if (at_ < line_.size() && line_[at_] == '*') {
        ++at_;
        const auto start = at_;
        while (at_ < line_.size() && line_[at_] >= '0' && line_[at_] <= '9')
          ++at_;
        const auto [end, error] = std::from_chars(line_.data() + start, line_.data() + at_, repeat);
        if (error != std::errc() || end == line_.data() + start) fail("bad repeat count after '*'");
      }
      for (std::size_t i = 0; i < repeat; ++i)
        result += literal;
      any = true;
    }
    if (!any) fail("a quoted byte string is expected");
    return result;
  }

  // Byte strings separated by '|'.
  std::vector<std::string> byte_list() {
    std::vector<std::string> list{bytes()};
    while (!at_end()) {
      if (line_[at_] != '|') fail("expected '|' between byte strings");
      ++at_;
      list.push_back(bytes());
    }
    return list;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(script_ + ":" + std::to_string(number_) + ": " + what +
                             " in: " + std::string(line_));
  }

 private:
  void skip_space() {
    while (at_ < line_.size() && (line_[at_] == ' ' || line_[at_] == '\t'))
      ++at_;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  std::string quoted() {
    ++at_;  // the opening quote
    std::string out;
    while (true) {
      if (at_ >= line_.size()) fail("unterminated string");
      const char c = line_[at_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= line_.size()) fail("dangling backslash");
      const char escape = line_[at_++];
      switch (escape) {
        case 'r':
          out += '\r';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '0':
          out += '\0';
          break;
        case '\\':
          out += '\\';
          break;
        case '"':
          out += '"';
          break;
        case 'x': {
          const int high = at_ + 1 < line_.size() ? hex_digit(line_[at_]) : -1;
          const int low = high >= 0 ? hex_digit(line_[at_ + 1]) : -1;
          if (low < 0) fail("\\x needs two hex digits");
          out += static_cast<char>(high * 16 + low);
          at_ += 2;
          break;
        }
        default:
          fail(std::string("unknown escape \\") + escape);
      }
    }
  }

  std::string_view line_;
  const std::string& script_;
  int number_;
  std::size_t at_ = 0;
};

const std::map<std::string, StepKind, std::less<>>& step_keywords() {
  static const std::map<std::string, StepKind, std::less<>> keywords = {
      {"connect", StepKind::kConnect},
      {"info", StepKind::kInfo},
      {"info-field", StepKind::kInfoField},
      {"send", StepKind::kSend},
      {"expect", StepKind::kExpect},
      {"expect-any", StepKind::kExpectAny},
      {"expect-unordered", StepKind::kExpectUnordered},
      {"expect-closed", StepKind::kExpectClosed},
      {"ping", StepKind::kPing},
      {"close", StepKind::kClose},
  };
  return keywords;
}

Millis parse_millis(LineParser& parser) {
  const std::string text = parser.word();
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) parser.fail("bad milliseconds");
  return Millis(value);
}

}  // namespace

Script parse_script(std::string_view text, const std::string& name) {
  Script script;
  script.name = name;
  Millis timeout(2000);
  int number = 0;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    ++number;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    LineParser parser(line, name, number);
    const std::string keyword = parser.word();
    if (keyword == "title") {
      script.title = parser.rest();
      continue;
    }
    if (keyword == "flags") {
      while (!parser.at_end())
        script.flags.push_back(parser.word());
      continue;
    }
    if (keyword == "config") {
      script.config += parser.rest() + "\n";
      continue;
    }
    if (keyword == "timeout") {
      timeout = parse_millis(parser);
      continue;
    }
    const auto found = step_keywords().find(keyword);
    if (found == step_keywords().end()) parser.fail("unknown keyword '" + keyword + "'");
    ScriptStep step;
    step.kind = found->second;
    step.line = number;
    step.timeout = timeout;
    step.connection = parser.word();
    switch (step.kind) {
      case StepKind::kInfo:
        step.arguments.push_back(parser.rest());
        break;
      case StepKind::kInfoField:
        step.arguments.push_back(parser.word());
        step.arguments.push_back(parser.rest());
        break;
      case StepKind::kSend:
      case StepKind::kExpect:
        step.arguments.push_back(parser.bytes());
        break;
      case StepKind::kExpectAny:
      case StepKind::kExpectUnordered:
        step.arguments = parser.byte_list();
        break;
      default:
        break;
    }
    if (step.kind == StepKind::kExpectUnordered && step.arguments.size() > kMaxUnorderedParts) {
      parser.fail("too many unordered parts");
    }
    if (!parser.at_end()) parser.fail("unexpected text at the end");
    script.steps.push_back(std::move(step));
  }
  if (script.steps.empty()) throw std::runtime_error(name + ": no steps");
  return script;
}

Script load_script(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_script(text.str(), path.stem().string());
}

std::vector<std::filesystem::path> list_scripts(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".script") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

namespace {

std::string normalise_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string normalised;
  for (const auto& [key, value] : fields) {
    if (!normalised.empty()) normalised += ',';
    normalised += key;
    if (std::find(kComparedInfoKeys.begin(), kComparedInfoKeys.end(), key) != kComparedInfoKeys.end()) {
      normalised += '=' + value;
    }
  }
  return normalised;
}

}  // namespace

std::string normalise_info(std::string_view info_line) {
  return normalise_fields(parse_info_fields(info_line));
}

namespace {

// Every ordering of the parts, concatenated: the alternatives an unordered expectation accepts.
std::vector<std::string> orderings(std::vector<std::string> parts) {
  std::vector<std::size_t> order(parts.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::vector<std::string> result;
  do {
    std::string joined;
    for (const auto index : order)
      joined += parts[index];
    if (std::find(result.begin(), result.end(), joined) == result.end()) result.push_back(joined);
  } while (std::next_permutation(order.begin(), order.end()));
  return result;
}

class ScriptRunner {
 public:
  ScriptRunner(const Script& script, ServerProcess& server) : script_(script), server_(server) {}

  void run(ScriptRun& out) {
    for (const auto& step : script_.steps) {
      const std::string where =
          script_.name + ":" + std::to_string(step.line) + " [" + step.connection + "] ";
      std::string failure;
      try {
        failure = run_step(step, out.transcript);
      } catch (const std::exception& error) {
        failure = error.what();
        out.transcript.push_back(step.connection + " error");
      }
      if (!failure.empty()) {
        out.failures.push_back(where + failure);
        return;
      }
    }
  }

 private:
  struct Connection {
    std::unique_ptr<RawConnection> socket;
    std::vector<std::pair<std::string, std::string>> info;
  };

  Connection& connection(const ScriptStep& step) {
    const auto found = connections_.find(step.connection);
    if (found == connections_.end() || !found->second.socket) {
      throw std::runtime_error("connection " + step.connection + " is not open");
    }
    return found->second;
  }

  static std::string expect_failure(const std::string& wanted, const ExpectResult& result) {
    return "expected \"" + escape_bytes(wanted) + "\" but " + result.describe();
  }

  std::string run_expect(RawConnection& socket, const ScriptStep& step,
                         std::vector<std::string>& transcript) {
    std::vector<std::string> alternatives = step.arguments;
    if (step.kind == StepKind::kExpectUnordered) alternatives = orderings(step.arguments);
    const ExpectResult result = socket.expect_any(alternatives, step.timeout);
    if (result.matched) {
      // Unordered and any-of steps record the set they accepted, not the order that happened to arrive,
      // so that two correct servers produce equal transcripts.
      transcript.push_back(
          step.connection + " got " +
          (step.kind == StepKind::kExpect ? escape_bytes(result.received) : "an accepted variant"));
      return {};
    }
    transcript.push_back(step.connection + " got " + escape_bytes(result.received) +
                         (result.closed ? " +close" : ""));
    std::string wanted;
    for (const auto& alternative : step.arguments)
      wanted += (wanted.empty() ? "" : "\" | \"") + alternative;
    return expect_failure(wanted, result);
  }

  std::string run_step(const ScriptStep& step, std::vector<std::string>& transcript) {
    switch (step.kind) {
      case StepKind::kConnect: {
        Connection opened;
        opened.socket = std::make_unique<RawConnection>(server_.port(), step.timeout);
        const std::string line = opened.socket->read_info_line(step.timeout);
        opened.info = parse_info_fields(line);
        transcript.push_back(step.connection + " INFO " + normalise_info(line));
        connections_[step.connection] = std::move(opened);
        return {};
      }
      case StepKind::kInfo: {
        const std::string normalised = normalise_fields(connection(step).info);
        if (normalised == step.arguments[0]) return {};
        return "INFO normalises to\n  " + normalised + "\nnot\n  " + step.arguments[0];
      }
      case StepKind::kInfoField: {
        const auto value = info_field(connection(step).info, step.arguments[0]);
        transcript.push_back(step.connection + " INFO " + step.arguments[0] + "=" +
                             value.value_or("<absent>"));
        if (value == step.arguments[1]) return {};
        return "INFO field " + step.arguments[0] + " is " + value.value_or("<absent>") + ", not " +
               step.arguments[1];
      }
      case StepKind::kSend:
        if (connection(step).socket->send(step.arguments[0])) return {};
        transcript.push_back(step.connection + " send failed");
        return "send failed: the server has closed the connection";
      case StepKind::kPing: {
        RawConnection& socket = *connection(step).socket;
        if (!socket.send("PING\r\n")) return "send of PING failed: the server has closed the connection";
        ScriptStep pong = step;
        pong.kind = StepKind::kExpect;
        pong.arguments = {"PONG\r\n"};
        return run_expect(socket, pong, transcript);
      }
      case StepKind::kExpect:
      case StepKind::kExpectAny:
      case StepKind::kExpectUnordered:
        return run_expect(*connection(step).socket, step, transcript);
      case StepKind::kExpectClosed: {
        const ExpectResult result = connection(step).socket->expect_closed(step.timeout);
        transcript.push_back(step.connection +
                             (result.matched ? " closed" : " got " + escape_bytes(result.received)));
        if (result.matched) return {};
        return "expected the server to close the connection but " + result.describe();
      }
      case StepKind::kClose:
        connections_.erase(step.connection);
        return {};
    }
    return "unknown step";
  }

  const Script& script_;
  ServerProcess& server_;
  std::map<std::string, Connection> connections_;
};

}  // namespace

namespace {

// Replaces every `{dir}` in `text` with `dir`.
std::string with_dir(std::string text, const std::string& dir) {
  for (std::size_t at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at + dir.size()))
    text.replace(at, 5, dir);
  return text;
}

}  // namespace

ScriptRun run_script(const Script& script, const std::string& executable) {
  ScriptRun run;
  ServerLaunch launch;
  launch.executable = executable;
  // `{dir}` in flags and config lines is a directory of this run's own (a JetStream store), so that
  // runs in parallel and runs one after another never share files.
  const std::filesystem::path dir = make_temp_dir("tern-diff-dir-");
  for (const std::string& flag : script.flags)
    launch.extra_args.push_back(with_dir(flag, dir.string()));
  launch.config_text = with_dir(script.config, dir.string());
  try {
    ServerProcess server(launch);
    ScriptRunner(script, server).run(run);
    server.stop();
    run.server_log = server.log_text();
  } catch (const std::exception& error) {
    run.failures.push_back(script.name + ": " + error.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return run;
}

}  // namespace tern::test
