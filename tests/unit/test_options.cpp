// Options: the command line (checked against nats-server 2.9.10's flag handling), applying a
// configuration file, and validation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <initializer_list>

#include "server/config_apply.h"
#include "server/options.h"

using namespace tern::server;
using std::chrono::milliseconds;

namespace {

const std::filesystem::path kDataDir =
    std::filesystem::path(__FILE__).parent_path().parent_path() / "data" / "config";

std::variant<RunRequest, EarlyExit> parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"ternd"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

Options run_options(std::initializer_list<const char*> args) {
  auto outcome = parse(args);
  if (auto* exit = std::get_if<EarlyExit>(&outcome))
    FAIL("early exit " << exit->exit_code << ": " << exit->text);
  return std::get<RunRequest>(outcome).loaded.options;
}

EarlyExit early_exit(std::initializer_list<const char*> args) {
  auto outcome = parse(args);
  if (!std::holds_alternative<EarlyExit>(outcome)) FAIL("expected an early exit");
  return std::get<EarlyExit>(outcome);
}

// Writes `text` to a file in a fresh temporary directory and returns its path.
std::string write_config(const std::string& text) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ternd_test_options_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  static int counter = 0;
  const auto path = dir / ("config" + std::to_string(++counter) + ".conf");
  std::ofstream(path) << text;
  return path.string();
}

// Applies `text` as a configuration file; returns the error, or empty.
std::string apply_text(const std::string& text, Options& options,
                       std::vector<std::string>* warnings = nullptr) {
  auto parsed = config::parse_config_text(text, "t.conf");
  if (auto* error = std::get_if<config::ParseError>(&parsed)) return error->message;
  std::vector<std::string> ignored;
  auto error = apply_config(std::get<config::ConfigValue>(parsed), options, warnings ? *warnings : ignored);
  return error.value_or("");
}

}  // namespace

TEST_CASE("defaults are nats-server's, but for the local-only address") {
  const Options o = run_options({});
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 4222);
  CHECK(o.max_payload == 1024 * 1024);
  CHECK(o.max_control_line == 4096);
  CHECK(o.max_pending == 64 * 1024 * 1024);
  CHECK(o.max_connections == 65536);
  CHECK(o.max_subscriptions == 0);
  CHECK(o.ping_interval == milliseconds(120000));
  CHECK(o.ping_max == 2);
  CHECK(o.write_deadline == milliseconds(10000));
  CHECK(o.authorization.timeout == milliseconds(2000));
  CHECK_FALSE(o.authorization.required());
  CHECK(o.logtime);
  CHECK_FALSE(o.debug);
  CHECK_FALSE(o.trace);
}

TEST_CASE("flags in every spelling Go's flag package accepts") {
  for (auto args : {std::initializer_list<const char*>{"-p", "5"},
                    {"-p=5"},
                    {"--port", "5"},
                    {"--port=5"},
                    {"-port", "5"},
                    {"-port=5"},
                    {"-p", "1", "-p", "5"}}) {
    CHECK(run_options(args).port == 5);
  }
  CHECK(run_options({"-p", "-1"}).port == -1);
  CHECK(run_options({"-a", "127.0.0.1"}).host == "127.0.0.1");
  CHECK(run_options({"--addr", "127.0.0.1"}).host == "127.0.0.1");
  CHECK(run_options({"--net=::1"}).host == "::1");
  CHECK(run_options({"-n", "x"}).server_name == "x");
  CHECK(run_options({"--name", "x"}).server_name == "x");
  CHECK(run_options({"--server_name", "x"}).server_name == "x");
  CHECK(run_options({"-P", "/tmp/t.pid"}).pid_file == "/tmp/t.pid");
  CHECK(run_options({"--pid", "/tmp/t.pid"}).pid_file == "/tmp/t.pid");
  CHECK(run_options({"--ports_file_dir", "/tmp"}).ports_file_dir == "/tmp");
  CHECK(run_options({"-l", "/tmp/t.log"}).log_file == "/tmp/t.log");
  CHECK(run_options({"--log", "/tmp/t.log"}).log_file == "/tmp/t.log");
}

TEST_CASE("bool flags: bare, with =value, -DV") {
  CHECK(run_options({"-D"}).debug);
  CHECK(run_options({"--debug"}).debug);
  CHECK(run_options({"-V"}).trace);
  CHECK(run_options({"--trace"}).trace);
  const Options dv = run_options({"-DV"});
  CHECK(dv.debug);
  CHECK(dv.trace);
  CHECK(run_options({"-VV"}).trace);
  CHECK(run_options({"-T"}).logtime);
  CHECK_FALSE(run_options({"-T=false"}).logtime);
  CHECK_FALSE(run_options({"--logtime=false"}).logtime);
  CHECK_FALSE(run_options({"-logtime=0"}).logtime);
  CHECK_FALSE(run_options({"-D=false"}).debug);
}

TEST_CASE("credential flags") {
  const Options user = run_options({"--user", "u", "--pass", "p"});
  CHECK(user.authorization.user == "u");
  CHECK(user.authorization.password == "p");
  CHECK(run_options({"--auth", "t"}).authorization.token == "t");
  CHECK(early_exit({"--user", "u", "--auth", "t"}).text == "ternd: Cannot have a user/pass and token\n");
}

// A test name must not start with "-": ctest passes it to the test binary as an argument.
TEST_CASE("help, version and bad flags") {
  const EarlyExit help = early_exit({"-h"});
  CHECK(help.exit_code == 0);
  CHECK(help.stream == EarlyExit::Stream::kStdout);
  CHECK(help.text.find("Usage: ternd [options]") != std::string::npos);
  CHECK(early_exit({"--help"}).exit_code == 0);

  const EarlyExit version = early_exit({"-v"});
  CHECK(version.exit_code == 0);
  CHECK(version.text == "ternd: v" + std::string(kTerndVersion) + "\n");
  CHECK(early_exit({"--version"}).text == version.text);

  const auto bad = [](std::initializer_list<const char*> args, const std::string& first_line) {
    const EarlyExit exit = early_exit(args);
    CHECK(exit.exit_code == kUsageErrorExitCode);
    CHECK(exit.stream == EarlyExit::Stream::kStderr);
    CHECK(exit.text.substr(0, exit.text.find('\n')) == first_line);
    CHECK(exit.text.find("Usage: ternd [options]") != std::string::npos);
  };
  bad({"--bogus"}, "ternd: flag provided but not defined: -bogus");
  bad({"-VD"}, "ternd: flag provided but not defined: -VD");
  bad({"-p"}, "ternd: flag needs an argument: -p");
  bad({"extra"}, "ternd: unrecognized command: \"extra\"");
  bad({"-p", "1", "--", "extra"}, "ternd: unrecognized command: \"extra\"");
  bad({"---p", "1"}, "ternd: bad flag syntax: ---p");
  CHECK(early_exit({"-p", "abc"}).exit_code == kUsageErrorExitCode);
  CHECK(early_exit({"-T=maybe"}).exit_code == kUsageErrorExitCode);
}

TEST_CASE("ports are checked") {
  CHECK(run_options({"-p", "0"}).port == 4222);
  CHECK(early_exit({"-p", "70000"}).text.find("invalid port 70000") != std::string::npos);
  CHECK(early_exit({"-p", "-2"}).exit_code == kUsageErrorExitCode);
}

TEST_CASE("the monitoring port: -m, http_port, http: host:port and http_base_path") {
  CHECK(run_options({"-m", "8222"}).http_port == 8222);
  CHECK(run_options({"--http_port", "-1"}).http_port == -1);
  CHECK(run_options({}).http_port == 0);
  CHECK(early_exit({"-m", "70000"}).text.find("invalid monitoring port 70000") != std::string::npos);
  CHECK(early_exit({"-m", "-2"}).exit_code == kUsageErrorExitCode);
  const std::string file = write_config(
      "http: 127.0.0.2:8333\nhttp_base_path: /nats\nmax_closed_clients: 5\nhttp_max_connections: 3\n");
  const Options options = run_options({"-c", file.c_str()});
  CHECK(options.http_host == "127.0.0.2");
  CHECK(options.http_port == 8333);
  CHECK(options.http_base_path == "/nats");
  CHECK(options.max_closed_clients == 5);
  CHECK(options.http_max_connections == 3);
  CHECK(early_exit({"-c", write_config("http_max_connections: 0\n").c_str()})
            .text.find("http_max_connections") != std::string::npos);
}

TEST_CASE("the check flag (-t) checks the configuration file") {
  const std::string good = write_config("port: 4333\n");
  const EarlyExit valid = early_exit({"-t", "-c", good.c_str()});
  CHECK(valid.exit_code == 0);
  CHECK(valid.text == "ternd: configuration file " + good + " is valid\n");

  const std::string bad = write_config("port: 4333\nfoo: 1\n");
  const EarlyExit invalid = early_exit({"-t", "-c", bad.c_str()});
  CHECK(invalid.exit_code == 1);
  CHECK(invalid.text == "ternd: " + bad + ":2:1: unknown field \"foo\"\n");

  // nats-server -t fails on a duration given in seconds, which only warns at startup.
  const std::string seconds = write_config("ping_interval: 30\n");
  CHECK(early_exit({"-t", "-c", seconds.c_str()}).exit_code == 1);
  auto run = parse({"-c", seconds.c_str()});
  REQUIRE(std::holds_alternative<RunRequest>(run));
  CHECK(std::get<RunRequest>(run).loaded.options.ping_interval == milliseconds(30000));
  CHECK(std::get<RunRequest>(run).loaded.warnings.size() == 1);

  CHECK(early_exit({"-t"}).text ==
        "ternd: must specify [-c, --config] option to check configuration file syntax\n");
  CHECK(early_exit({"-c", "/nonexistent/x.conf"}).text ==
        "ternd: open /nonexistent/x.conf: No such file or directory\n");
}

TEST_CASE("flags override the configuration file") {
  const std::string file = write_config(
      "port: 4333\nhost: 10.0.0.1\ndebug: true\nlogtime: false\n"
      "authorization { users = [{user: a, password: b}] }\n");
  const Options from_file = run_options({"-c", file.c_str()});
  CHECK(from_file.port == 4333);
  CHECK(from_file.host == "10.0.0.1");
  CHECK(from_file.debug);
  CHECK_FALSE(from_file.logtime);
  CHECK(from_file.config_file == file);

  const Options overridden =
      run_options({"-p", "-1", "-c", file.c_str(), "-D=false", "--user", "u", "--pass", "p"});
  CHECK(overridden.port == -1);
  CHECK(overridden.host == "10.0.0.1");
  CHECK_FALSE(overridden.debug);
  CHECK_FALSE(overridden.logtime);
  CHECK(overridden.authorization.users.empty());
  CHECK(overridden.authorization.user == "u");
}

TEST_CASE("the full example file with includes") {
  const Options o = run_options({"-c", (kDataDir / "main.conf").c_str()});
  CHECK(o.port == 4333);
  CHECK(o.max_payload == 2 * 1024 * 1024);
  CHECK(o.ping_interval == milliseconds(30000));
  CHECK(o.authorization.timeout == milliseconds(1500));
  REQUIRE(o.authorization.users.size() == 2);
  CHECK(o.authorization.users[0].user == "alice");
}

TEST_CASE("configuration keys and aliases") {
  Options o;
  REQUIRE(apply_text("listen: 127.0.0.2:4555\nserver_name: s1\nmax_payload: 2MB\nmax_control_line: 1KB\n"
                     "max_pending: 100MB\nmax_conn: 10\nmax_subs: 20\nping_interval: \"1m30s\"\nping_max: 5\n"
                     "write_deadline: \"500ms\"\nno_header_support: true\npidfile: p\nports_file_dir: d\n"
                     "logfile: l\ndebug: yes\ntrace: on\nlogtime: off\nsyslog: false\n",
                     o) == "");
  CHECK(o.host == "127.0.0.2");
  CHECK(o.port == 4555);
  CHECK(o.server_name == "s1");
  CHECK(o.max_payload == 2 * 1024 * 1024);
  CHECK(o.max_control_line == 1024);
  CHECK(o.max_pending == 100 * 1024 * 1024);
  CHECK(o.max_connections == 10);
  CHECK(o.max_subscriptions == 20);
  CHECK(o.ping_interval == milliseconds(90000));
  CHECK(o.ping_max == 5);
  CHECK(o.write_deadline == milliseconds(500));
  CHECK(o.no_header_support);
  CHECK(o.pid_file == "p");
  CHECK(o.ports_file_dir == "d");
  CHECK(o.log_file == "l");
  CHECK(o.debug);
  CHECK(o.trace);
  CHECK_FALSE(o.logtime);

  Options other;
  REQUIRE(apply_text("PORT: 1\nNet: h\nmax_connections: 3\nmax_subscriptions: 4\npid_file: p\nlog_file: l\n"
                     "listen: \"[::1]:7\"\n",
                     other) == "");
  CHECK(other.host == "::1");
  CHECK(other.port == 7);
  CHECK(other.max_connections == 3);
  CHECK(other.max_subscriptions == 4);
}

TEST_CASE("authorization block") {
  Options single;
  REQUIRE(apply_text("authorization { user: a, password: b, timeout: 0.5 }", single) == "");
  CHECK(single.authorization.user == "a");
  CHECK(single.authorization.password == "b");
  CHECK(single.authorization.timeout == milliseconds(500));

  Options users;
  REQUIRE(
      apply_text("authorization { users = [ {user: a, password: b}, {username: c, pass: d} ], timeout: 3 }",
                 users) == "");
  REQUIRE(users.authorization.users.size() == 2);
  CHECK(users.authorization.users[1].user == "c");
  CHECK(users.authorization.users[1].password == "d");
  CHECK(users.authorization.timeout == milliseconds(3000));

  Options token;
  REQUIRE(apply_text("authorization { token: s3cret, timeout: \"1500ms\" }", token) == "");
  CHECK(token.authorization.token == "s3cret");
  CHECK(token.authorization.timeout == milliseconds(1500));
}

TEST_CASE("configuration errors name file, line, column and key") {
  Options o;
  CHECK(apply_text("port: 1\nfoo: 1", o) == "t.conf:2:1: unknown field \"foo\"");
  CHECK(apply_text("port: \"4333\"", o) ==
        "t.conf:1:1: invalid value for \"port\": expected an integer, got a string");
  CHECK(apply_text("debug: 1", o) ==
        "t.conf:1:1: invalid value for \"debug\": expected a boolean (true/false), got an integer");
  CHECK(apply_text("max_payload: 1.5", o).find("expected an integer, got a float") != std::string::npos);
  CHECK(apply_text("max_payload: 1T", o) == "t.conf:1:1: max_payload value is too big");
  CHECK(apply_text("max_control_line: 5GB", o) == "t.conf:1:1: max_control_line value is too big");
  CHECK(apply_text("max_pending_size: 5MB", o) == "t.conf:1:1: unknown field \"max_pending_size\"");
  CHECK(apply_text("ping_interval: \"abc\"", o) ==
        "t.conf:1:1: error parsing ping_interval: time: invalid duration \"abc\"");
  CHECK(apply_text("ping_interval: 1.5", o).find("expected a duration") != std::string::npos);
  CHECK(apply_text("tls { }", o) == "t.conf:1:1: field \"tls\" is not supported by ternd");
  CHECK(apply_text("syslog: true", o).find("not supported") != std::string::npos);
  CHECK(apply_text("listen: localhost", o).find("could not parse address string") != std::string::npos);
  CHECK(apply_text("authorization: 5", o).find("expected a map") != std::string::npos);
  CHECK(apply_text("authorization {\n  foo: 1 }", o) == "t.conf:2:3: unknown field \"foo\"");
  CHECK(apply_text("authorization { users = [ {password: a} ] }", o) ==
        "t.conf:1:27: User entry requires a user");
  CHECK(apply_text("authorization { users = [ 5 ] }", o).find("Expected user entry to be a map/struct") !=
        std::string::npos);
  CHECK(apply_text("authorization { users = [ {user: a, password: b}, {user: a, password: c} ] }", o)
            .find("Duplicate user \"a\" detected") != std::string::npos);
  CHECK(apply_text("authorization { users = [ {user: a, password: b, permissions: {}} ] }", o)
            .find("\"permissions\" is not supported") != std::string::npos);
  CHECK(apply_text("authorization { user: a, password: b, users: [{user: c, password: d}] }", o)
            .find("Can not have a single user/pass and a users array") != std::string::npos);
  Options fresh;
  CHECK(apply_text("authorization { token: t, user: a }", fresh).find("Cannot have a user/pass and token") !=
        std::string::npos);
  Options fresh2;
  CHECK(apply_text("authorization { token: t, users: [{user: a}] }", fresh2)
            .find("Can not have a token and a users array") != std::string::npos);
}

TEST_CASE("variables used by other keys are not unknown keys") {
  Options o;
  CHECK(apply_text("P = 4333\nport: $P\nauthorization { U = a\n user: $U }", o) == "");
  CHECK(o.port == 4333);
  CHECK(apply_text("x = 1", o) == "t.conf:1:1: unknown field \"x\"");
}

TEST_CASE("durations given as seconds warn like nats-server") {
  Options o;
  std::vector<std::string> warnings;
  REQUIRE(apply_text("ping_interval: 30", o, &warnings) == "");
  CHECK(o.ping_interval == milliseconds(30000));
  REQUIRE(warnings.size() == 1);
  CHECK(
      warnings[0] ==
      "t.conf:1:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration");
}

TEST_CASE("Go durations") {
  CHECK(parse_go_duration("0") == milliseconds(0));
  CHECK(parse_go_duration("10s") == milliseconds(10000));
  CHECK(parse_go_duration("2m") == milliseconds(120000));
  CHECK(parse_go_duration("1h2m3.5s") == milliseconds(3723500));
  CHECK(parse_go_duration("1.5h") == milliseconds(5400000));
  CHECK(parse_go_duration("300ms") == milliseconds(300));
  CHECK(parse_go_duration("1500us") == milliseconds(2));  // Rounded up to whole milliseconds.
  CHECK(parse_go_duration("1ns") == milliseconds(1));
  CHECK(parse_go_duration("-1s") == milliseconds(-1000));
  CHECK(parse_go_duration(".5s") == milliseconds(500));
  for (const char* bad : {"", "abc", "10", "1x", "s", "1.s.", "--1s", "9999999999h"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_go_duration(bad).has_value());
  }
}

TEST_CASE("validation: zeros mean defaults, negatives and impossible limits are errors") {
  std::vector<std::string> warnings;
  Options zeros;
  zeros.max_payload = 0;
  zeros.ping_interval = milliseconds(0);
  zeros.ping_max = 0;
  REQUIRE_FALSE(validate_options(zeros, warnings).has_value());
  CHECK(zeros.max_payload == 1024 * 1024);
  CHECK(zeros.ping_interval == milliseconds(120000));
  CHECK(zeros.ping_max == 2);

  Options too_big;
  too_big.max_payload = 100 * 1024 * 1024;
  CHECK(validate_options(too_big, warnings) ==
        "max_payload (104857600) cannot be higher than max_pending (67108864)");

  Options negative;
  negative.max_connections = -5;
  CHECK(validate_options(negative, warnings) == "max_connections must not be negative");

  Options large;
  large.max_payload = 10 * 1024 * 1024;
  large.authorization.user = "a";
  large.authorization.password = "plain";
  warnings.clear();
  REQUIRE_FALSE(validate_options(large, warnings).has_value());
  CHECK(warnings ==
        std::vector<std::string>{
            "Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance",
            "Plaintext passwords detected, use nkeys or bcrypt"});
}

TEST_CASE("the health check flag takes an optional URL, the signal flag a command and a pid") {
  const auto command_of = [](std::initializer_list<const char*> args) {
    auto outcome = parse(args);
    if (auto* exit = std::get_if<EarlyExit>(&outcome))
      FAIL("early exit " << exit->exit_code << ": " << exit->text);
    return std::get<RunRequest>(outcome);
  };
  CHECK(command_of({"--healthcheck"}).command.healthcheck == std::optional<std::string>(""));
  CHECK(command_of({"--healthcheck", "http://127.0.0.1:8222/healthz"}).command.healthcheck ==
        std::optional<std::string>("http://127.0.0.1:8222/healthz"));
  CHECK(command_of({"-healthcheck=nats://127.0.0.1:4"}).command.healthcheck ==
        std::optional<std::string>("nats://127.0.0.1:4"));
  // The next word is a flag, not a URL: the probe uses the configured server, here on port 5222.
  const RunRequest probe_with_port = command_of({"--healthcheck", "-p", "5222"});
  CHECK(probe_with_port.command.healthcheck == std::optional<std::string>(""));
  CHECK(probe_with_port.loaded.options.port == 5222);
  CHECK_FALSE(command_of({"-p", "5222"}).command.healthcheck.has_value());

  CHECK(command_of({"-sl", "ldm"}).command.signal == std::optional<std::string>("ldm"));
  CHECK(command_of({"--signal=reload=/run/ternd.pid"}).command.signal ==
        std::optional<std::string>("reload=/run/ternd.pid"));
  // As nats-server, a signal is sent before the configuration is read: a broken file does not stop it.
  CHECK(command_of({"-c", "/nonexistent/ternd.conf", "-sl", "quit=12"}).command.signal ==
        std::optional<std::string>("quit=12"));
  const EarlyExit missing = early_exit({"-sl"});
  CHECK(missing.exit_code == kUsageErrorExitCode);
  CHECK(missing.text.starts_with("ternd: flag needs an argument: -sl\n"));
}
