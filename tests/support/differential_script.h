// Protocol scripts: client bytes to send and the exact server bytes expected back, run against a server
// binary. The format is documented in tests/data/differential/README.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/raw_connection.h"

namespace tern::test {

enum class StepKind {
  kConnect,          // connect C
  kInfo,             // info C <normalised INFO>
  kInfoField,        // info-field C <key> <raw JSON value>
  kSend,             // send C <bytes>
  kExpect,           // expect C <bytes>
  kExpectAny,        // expect-any C <bytes> | <bytes> ...
  kExpectUnordered,  // expect-unordered C <bytes> | <bytes> ...
  kExpectClosed,     // expect-closed C
  kPing,             // ping C: send PING, expect PONG
  kClose,            // close C
};

struct ScriptStep {
  StepKind kind = StepKind::kSend;
  int line = 0;
  std::string connection;
  // kSend/kExpect: one entry. kExpectAny: the alternatives. kExpectUnordered: the parts.
  // kInfo: the normalised INFO text. kInfoField: key, then raw JSON value.
  std::vector<std::string> arguments;
  Millis timeout{2000};
};

struct Script {
  std::string name;
  std::string title;
  std::vector<std::string> flags;
  std::string config;
  std::vector<ScriptStep> steps;
};

// Parses script text. Throws std::runtime_error naming the script and line on a syntax error.
Script parse_script(std::string_view text, const std::string& name);
Script load_script(const std::filesystem::path& path);
// All `*.script` files of a directory, sorted by name.
std::vector<std::filesystem::path> list_scripts(const std::filesystem::path& directory);

// The INFO line reduced to what two compatible servers must agree on: the keys in order, and the values
// of the keys listed in kComparedInfoKeys, as `key` or `key=value` joined by commas.
std::string normalise_info(std::string_view info_line);

struct ScriptRun {
  // Empty when every step behaved as the script expects. The run stops at the first failing step.
  std::vector<std::string> failures;
  // What the server did, one entry per step, for comparing two servers with each other.
  std::vector<std::string> transcript;
  std::string server_log;
};

// Starts `executable` with the script's flags and config, runs the steps, stops the server.
ScriptRun run_script(const Script& script, const std::string& executable);

}  // namespace tern::test
