// Differential protocol tests: every script in tests/data/differential runs against nats-server (the
// reference) and against ternd. Each run must produce exactly the bytes the script records, and the two
// runs must agree with each other step by step.
//
// Every script is registered as its own Catch2 test case ("differential: <script name>"), so ctest runs
// and times them one by one.
//
// Environment:
//   TERN_DIFF_ONLY_REFERENCE=1  run the scripts against nats-server only (checks the scripts themselves).
//   TERN_DIFF_ONLY_TERND=1      run the scripts against ternd only.
//   TERN_TERND=<path>           use this ternd instead of the one the build produced.
//   TERN_NATS_SERVER=<path>     use this nats-server instead of the one found at configure time.
//   TERN_DIFF_DATA_DIR=<dir>    read the scripts from this directory.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/differential_script.h"
#include "tests/support/skip.h"

namespace {

using tern::test::load_script;
using tern::test::Script;
using tern::test::ScriptRun;

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

std::optional<std::string> env_path(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::optional<std::string> reference_server() {
  if (env_flag("TERN_DIFF_ONLY_TERND")) return std::nullopt;
  if (auto path = env_path("TERN_NATS_SERVER")) return path;
#ifdef TERN_NATS_SERVER_PATH
  return std::string(TERN_NATS_SERVER_PATH);
#else
  return std::string("nats-server");
#endif
}

std::optional<std::string> candidate_server() {
  if (env_flag("TERN_DIFF_ONLY_REFERENCE")) return std::nullopt;
  if (auto path = env_path("TERN_TERND")) return path;
#ifdef TERN_TERND_PATH
  return std::string(TERN_TERND_PATH);
#else
  return std::nullopt;
#endif
}

std::filesystem::path script_directory() {
  if (auto dir = env_path("TERN_DIFF_DATA_DIR")) return *dir;
#ifdef TERN_TEST_DATA_DIR
  return std::filesystem::path(TERN_TEST_DATA_DIR) / "differential";
#else
  return "tests/data/differential";
#endif
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines)
    text += "  " + line + "\n";
  return text;
}

// Runs one server and reports each failing step. Returns the run for the cross-server comparison.
ScriptRun run_and_report(const Script& script, const std::string& label, const std::string& executable) {
  ScriptRun run = tern::test::run_script(script, executable);
  for (const auto& failure : run.failures) {
    FAIL_CHECK(label << " (" << executable << "): " << failure << "\n--- " << label << " log ---\n"
                     << run.server_log);
  }
  return run;
}

void run_differential_script(const std::filesystem::path& path) {
  const auto reference = reference_server();
  const auto candidate = candidate_server();
  if (!reference && !candidate)
    TERN_SKIP("no server selected (TERN_DIFF_ONLY_REFERENCE and TERN_DIFF_ONLY_TERND are both set)");
  const Script script = load_script(path);
  INFO("script " << path.string() << (script.title.empty() ? "" : ": " + script.title));
  std::optional<ScriptRun> reference_run;
  std::optional<ScriptRun> candidate_run;
  if (reference) reference_run = run_and_report(script, "nats-server", *reference);
  if (candidate) candidate_run = run_and_report(script, "ternd", *candidate);
  if (reference_run && candidate_run && reference_run->transcript != candidate_run->transcript) {
    FAIL_CHECK("ternd and nats-server differ\n--- nats-server ---\n"
               << joined(reference_run->transcript) << "--- ternd ---\n"
               << joined(candidate_run->transcript));
  }
}

class ScriptTestCase : public Catch::ITestInvoker {
 public:
  explicit ScriptTestCase(std::filesystem::path path) : path_(std::move(path)) {}
  void invoke() const override { run_differential_script(path_); }

 private:
  std::filesystem::path path_;
};

// Catch2 keeps StringRefs to the names and tags, so they live here for the whole run.
std::deque<std::string>& registered_names() {
  static std::deque<std::string> names;
  return names;
}

// Registers one test case per script file when the executable starts. A missing directory registers a
// single failing case instead of aborting static initialisation.
std::string& listing_error() {
  static std::string error;
  return error;
}

[[maybe_unused]] const bool scripts_registered = [] {
  std::vector<std::filesystem::path> scripts;
  try {
    scripts = tern::test::list_scripts(script_directory());
  } catch (const std::exception& error) {
    listing_error() = error.what();
  }
  if (scripts.empty()) {
    registered_names().push_back("differential: scripts are present");
    Catch::AutoReg(Catch::makeTestInvoker(+[] {
                     FAIL("no scripts found in " << script_directory().string() << " " << listing_error());
                   }),
                   CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{registered_names().back(), "[differential]"});
    return false;
  }
  for (const auto& path : scripts) {
    registered_names().push_back("differential: " + path.stem().string());
    Catch::AutoReg(new ScriptTestCase(path), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{registered_names().back(), "[differential]"});
  }
  return true;
}();

}  // namespace
