// Helpers for the `tern` end-to-end tests: the command line for a server, and its output as lines.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/client/child_process.h"
#include "tests/client/client_test_support.h"

namespace tern::client_test {

// `tern -s nats://127.0.0.1:<port> <args...>`.
inline std::vector<std::string> tern_args(int port, std::vector<std::string> args) {
  std::vector<std::string> argv = {TERN_CLI_PATH, "-s", url_of(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The lines of a report, each without the padding that right-aligns its label.
inline std::vector<std::string> trimmed_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line.substr(std::min(line.find_first_not_of(' '), line.size())));
  return lines;
}

inline bool has_line(const std::string& text, const std::string& line) {
  const std::vector<std::string> lines = trimmed_lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// A line split at runs of spaces, for tables whose column widths depend on their contents.
inline std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

// Runs `tern` with arguments it must refuse before connecting, and checks the refusal. Nobody listens
// on port 1: an argument that got through would fail to connect instead.
inline void check_usage_error(const std::vector<std::string>& args, const std::string& message) {
  std::vector<std::string> argv = {TERN_CLI_PATH, "-s", "nats://127.0.0.1:1"};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult result = run_command(argv);
  INFO("tern " << args.front() << " ... -> " << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find(message) != std::string::npos);
  CHECK(result.err.find("cannot connect") == std::string::npos);
}

}  // namespace tern::client_test
