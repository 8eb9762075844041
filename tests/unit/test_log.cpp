// The log format, checked against nats-server 2.9.10's own lines (`nats-server -DV`).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "server/log.h"

using namespace tern::server;

namespace {

class LogFile {
 public:
  LogFile() {
    path_ = std::filesystem::temp_directory_path() /
            ("ternd_test_log_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_) + ".log");
    std::filesystem::remove(path_);
  }
  ~LogFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::string pid_prefix() {
  std::string prefix = "[";
  prefix += std::to_string(::getpid());
  prefix += "] ";
  return prefix;
}

}  // namespace

TEST_CASE("lines with timestamps: [pid] 2006/01/02 15:04:05.000000 [INF] text") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), true, false, false}).has_value());
  log.info("Server is ready");
  const auto lines = file.lines();
  REQUIRE(lines.size() == 1);
  const std::regex shape(R"(\[\d+\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] Server is ready)");
  CHECK(std::regex_match(lines[0], shape));
  CHECK(lines[0].rfind(pid_prefix(), 0) == 0);
}

TEST_CASE("lines without timestamps and every level tag") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), false, true, true}).has_value());
  log.fatal("f");
  log.error("e");
  log.warn("w");
  log.info("i");
  log.debug("d");
  log.trace("t");
  const std::string p = pid_prefix();
  CHECK(file.lines() == std::vector<std::string>{p + "[FTL] f", p + "[ERR] e", p + "[WRN] w", p + "[INF] i",
                                                 p + "[DBG] d", p + "[TRC] t"});
}

TEST_CASE("debug and trace are switched on independently") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), false, false, true}).has_value());
  CHECK_FALSE(log.debug_enabled());
  CHECK(log.trace_enabled());
  log.debug("hidden");
  log.trace("shown");
  log.logf(LogLevel::kDebug, "hidden %d", 1);
  CHECK(file.lines() == std::vector<std::string>{pid_prefix() + "[TRC] shown"});

  Logger quiet;
  CHECK_FALSE(quiet.enabled(LogLevel::kDebug));
  CHECK_FALSE(quiet.enabled(LogLevel::kTrace));
  CHECK(quiet.enabled(LogLevel::kInfo));
}

TEST_CASE("printf-style lines") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), false, false, false}).has_value());
  log.logf(LogLevel::kInfo, "Listening for client connections on %s:%d", "127.0.0.1", 4222);
  CHECK(file.lines() ==
        std::vector<std::string>{pid_prefix() + "[INF] Listening for client connections on 127.0.0.1:4222"});
}

TEST_CASE("client lines and protocol traces as nats-server writes them") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), false, true, true}).has_value());
  const std::string ident = client_ident("127.0.0.1:33914", 4);
  CHECK(ident == "127.0.0.1:33914 - cid:4");
  log.client_debug(ident, "Client connection created");
  log.trace_in(ident, "CONNECT", R"({"verbose":false})");
  const std::string named = client_ident_with_name(ident, "", "py", "my app");
  log.trace_in(named, "PING");
  log.trace_out(named, "PONG");
  log.trace_in(named, "PUB", "foo 5");
  log.trace_in_payload(named, "hello");
  log.trace_out(named, "MSG", "foo 1 5");
  log.trace_out(named, "-ERR", "'Invalid Publish Subject'");
  log.client_error(named, "Client parser ERROR");
  log.trace_internal(named, "DELSUB", "1");
  const std::string p = pid_prefix();
  CHECK(file.lines() ==
        std::vector<std::string>{
            p + "[DBG] 127.0.0.1:33914 - cid:4 - Client connection created",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - <<- [CONNECT {"verbose":false}])",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - <<- [PING])",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - ->> [PONG])",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - <<- [PUB foo 5])",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - <<- MSG_PAYLOAD: ["hello"])",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - ->> [MSG foo 1 5])",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - ->> [-ERR 'Invalid Publish Subject'])",
            p + R"([ERR] 127.0.0.1:33914 - cid:4 - "py:my app" - Client parser ERROR)",
            p + R"([TRC] 127.0.0.1:33914 - cid:4 - "py:my app" - <-> [DELSUB 1])",
        });
}

TEST_CASE("client names: version, lang and name joined and quoted like Go's %q") {
  const std::string base = "1.2.3.4:5 - cid:6";
  CHECK(client_ident_with_name(base, "", "", "") == base);
  CHECK(client_ident_with_name(base, "", "", "n1") == base + R"( - "n1")");
  CHECK(client_ident_with_name(base, "", "go", "") == base + R"( - "go")");
  CHECK(client_ident_with_name(base, "1.2", "go", "") == base + R"( - "v1.2:go")");
  CHECK(client_ident_with_name(base, "1.2", "go", "app") == base + R"( - "v1.2:go:app")");
  CHECK(client_ident_with_name(base, "", "", "a\"b") == base + R"( - "a\"b")");
}

TEST_CASE("Go-style quoting") {
  const auto quoted = [](std::string_view text) {
    std::string out;
    append_go_quoted(out, text);
    return out;
  };
  CHECK(quoted("hello") == "\"hello\"");
  CHECK(quoted("a\r\nb\t\\") == R"("a\r\nb\t\\")");
  CHECK(quoted(std::string_view("\0\x7f", 2)) == R"("\x00\x7f")");
  CHECK(quoted("caf\xC3\xA9") == "\"caf\xC3\xA9\"");  // Valid UTF-8 stays.
  CHECK(quoted("\xC3") == R"("\xc3")");               // A cut sequence does not.
}

TEST_CASE("long lines are written whole") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), false, false, true}).has_value());
  const std::string payload(10000, 'x');
  log.trace_in_payload("c", payload);
  const auto lines = file.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == pid_prefix() + "[TRC] c - <<- MSG_PAYLOAD: [\"" + payload + "\"]");
}

TEST_CASE("a log file that cannot be opened is reported and the old destination kept") {
  Logger log;
  const auto error = log.configure({"/nonexistent/dir/ternd.log", true, false, false});
  REQUIRE(error.has_value());
  CHECK(*error == "error opening file: open /nonexistent/dir/ternd.log: No such file or directory");
}

TEST_CASE("reopen follows a rotated file") {
  LogFile file;
  Logger log;
  REQUIRE_FALSE(log.configure({file.path().string(), false, false, false}).has_value());
  log.info("before");
  const std::filesystem::path rotated = file.path().string() + ".1";
  std::filesystem::rename(file.path(), rotated);
  REQUIRE_FALSE(log.reopen().has_value());
  log.info("after");
  CHECK(file.lines() == std::vector<std::string>{pid_prefix() + "[INF] after"});
  std::filesystem::remove(rotated);
}
