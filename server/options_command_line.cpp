// The command line. nats-server parses flags with Go's flag package, which treats `-port` and `--port`
// alike, takes `-p=5` and `-p 5`, and gives bool flags a value only with `=`. Those spellings are first
// rewritten to one canonical `--name` or `--name=value` form; CLI11 then does the typed parsing (numbers,
// bools, repeats keep the last value) so that none of that is hand-written here.
#include <CLI/CLI.hpp>

#include <array>
#include <span>

#include "server/options.h"

namespace tern::server {
namespace {

struct FlagSpec {
  std::string_view canonical;             // The long name CLI11 knows, without dashes.
  std::array<std::string_view, 3> names;  // Every spelling nats-server accepts, without dashes.
  bool takes_value;
};

constexpr std::array<FlagSpec, 24> kFlags = {{
    {"addr", {"a", "addr", "net"}, true},
    {"port", {"p", "port", ""}, true},
    {"server_name", {"n", "name", "server_name"}, true},
    {"pid", {"P", "pid", ""}, true},
    {"http_port", {"m", "http_port", ""}, true},
    {"config", {"c", "config", ""}, true},
    {"check_config", {"t", "", ""}, false},
    {"ports_file_dir", {"ports_file_dir", "", ""}, true},
    {"log", {"l", "log", ""}, true},
    {"logtime", {"T", "logtime", ""}, false},
    {"debug", {"D", "debug", ""}, false},
    {"trace", {"V", "trace", ""}, false},
    {"DV", {"DV", "", ""}, false},
    {"VV", {"VV", "", ""}, false},
    {"DVV", {"DVV", "", ""}, false},
    {"user", {"user", "", ""}, true},
    {"pass", {"pass", "", ""}, true},
    {"auth", {"auth", "", ""}, true},
    {"jetstream", {"js", "jetstream", ""}, false},
    {"store_dir", {"sd", "store_dir", ""}, true},
    {"help", {"h", "help", ""}, false},
    {"version", {"v", "version", ""}, false},
    {"signal", {"sl", "signal", ""}, true},
    {"healthcheck", {"healthcheck", "", ""}, false},  // Its URL is optional; see normalize().
}};

const FlagSpec* find_flag(std::string_view name) {
  for (const FlagSpec& spec : kFlags) {
    for (std::string_view spelling : spec.names) {
      if (!spelling.empty() && spelling == name) return &spec;
    }
  }
  return nullptr;
}

EarlyExit usage_error(const std::string& message) {
  return EarlyExit{kUsageErrorExitCode, EarlyExit::Stream::kStderr,
                   "ternd: " + message + "\n\n" + usage_text()};
}

// The arguments rewritten to canonical `--name[=value]` tokens, or the EarlyExit that parsing ends with
// (a bad flag, or -h, which like in Go acts at its position).
using Normalized = std::variant<std::vector<std::string>, EarlyExit>;

Normalized normalize(std::span<const char* const> args) {
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i] == nullptr ? "" : args[i];
    if (arg == "--") {
      if (i + 1 < args.size())
        return usage_error("unrecognized command: \"" + std::string(args[i + 1]) + "\"");
      break;
    }
    if (arg.size() < 2 || arg[0] != '-')
      return usage_error("unrecognized command: \"" + std::string(arg) + "\"");
    std::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
    if (body.empty() || body[0] == '-' || body[0] == '=')
      return usage_error("bad flag syntax: " + std::string(arg));
    std::optional<std::string_view> value;
    if (const std::size_t equals = body.find('='); equals != std::string_view::npos) {
      value = body.substr(equals + 1);
      body = body.substr(0, equals);
    }
    const FlagSpec* spec = find_flag(body);
    if (spec == nullptr) return usage_error("flag provided but not defined: -" + std::string(body));
    if (spec->canonical == "help") return EarlyExit{0, EarlyExit::Stream::kStdout, usage_text()};
    // --healthcheck takes a URL when the next word is not a flag; ternd takes no other bare words.
    if (spec->canonical == "healthcheck" && !value && i + 1 < args.size() && args[i + 1] != nullptr &&
        args[i + 1][0] != '-') {
      value = args[++i];
    }
    if (spec->canonical == "healthcheck") {
      tokens.push_back(value && !value->empty() ? "--healthcheck=" + std::string(*value) : "--healthcheck");
      continue;
    }
    if (spec->takes_value && !value) {
      if (i + 1 >= args.size()) return usage_error("flag needs an argument: -" + std::string(body));
      value = args[++i];
    }
    const std::string suffix = value ? "=" + std::string(*value) : "";
    if (spec->canonical == "DV" || spec->canonical == "DVV") {
      tokens.push_back("--debug" + suffix);
      tokens.push_back("--trace" + suffix);
    } else if (spec->canonical == "VV") {
      tokens.push_back("--trace" + suffix);  // ternd has no system account traffic to trace verbosely.
    } else {
      tokens.push_back("--" + std::string(spec->canonical) + suffix);
    }
  }
  return tokens;
}

// Where CLI11 puts the flag values before they become FlagOverrides.
struct FlagValues {
  std::string host, server_name, pid_file, config_file, ports_file_dir, log_file, user, password, token,
      store_dir;
  int port = 0;
  int http_port = 0;
  bool logtime = true, debug = false, trace = false, check_config = false, version = false, jetstream = false;
  std::string signal, healthcheck;
};

template <typename T>
void set_if_given(const CLI::App& app, std::string_view name, const T& value, std::optional<T>& out) {
  if (app.count("--" + std::string(name)) > 0) out = value;
}

// Parses canonical tokens with CLI11. Returns an error message, or nothing with `flags` filled in.
std::optional<std::string> parse_tokens(std::vector<std::string> tokens, FlagOverrides& flags, bool& version,
                                        ProcessCommand& command) {
  CLI::App app{"ternd"};
  app.set_help_flag();  // -h is handled in normalize(), with nats-server's usage layout.
  FlagValues v;
  const auto last = CLI::MultiOptionPolicy::TakeLast;
  app.add_option("--addr", v.host)->multi_option_policy(last);
  app.add_option("--port", v.port)->multi_option_policy(last);
  app.add_option("--server_name", v.server_name)->multi_option_policy(last);
  app.add_option("--pid", v.pid_file)->multi_option_policy(last);
  app.add_option("--http_port", v.http_port)->multi_option_policy(last);
  app.add_option("--config", v.config_file)->multi_option_policy(last);
  app.add_option("--ports_file_dir", v.ports_file_dir)->multi_option_policy(last);
  app.add_option("--log", v.log_file)->multi_option_policy(last);
  app.add_option("--user", v.user)->multi_option_policy(last);
  app.add_option("--pass", v.password)->multi_option_policy(last);
  app.add_option("--auth", v.token)->multi_option_policy(last);
  app.add_option("--store_dir", v.store_dir)->multi_option_policy(last);
  app.add_flag("--jetstream", v.jetstream)->multi_option_policy(last);
  app.add_flag("--logtime", v.logtime)->multi_option_policy(last);
  app.add_flag("--debug", v.debug)->multi_option_policy(last);
  app.add_flag("--trace", v.trace)->multi_option_policy(last);
  app.add_flag("--check_config", v.check_config)->multi_option_policy(last);
  app.add_flag("--version", v.version)->multi_option_policy(last);
  app.add_option("--signal", v.signal)->multi_option_policy(last);
  app.add_option("--healthcheck", v.healthcheck)->expected(0, 1)->multi_option_policy(last);

  std::reverse(tokens.begin(), tokens.end());  // CLI11 takes a vector in reverse order.
  try {
    app.parse(tokens);
  } catch (const CLI::ParseError& e) {
    return std::string(e.what());
  }
  set_if_given(app, "addr", v.host, flags.host);
  set_if_given(app, "port", v.port, flags.port);
  set_if_given(app, "server_name", v.server_name, flags.server_name);
  set_if_given(app, "pid", v.pid_file, flags.pid_file);
  set_if_given(app, "http_port", v.http_port, flags.http_port);
  set_if_given(app, "config", v.config_file, flags.config_file);
  set_if_given(app, "ports_file_dir", v.ports_file_dir, flags.ports_file_dir);
  set_if_given(app, "log", v.log_file, flags.log_file);
  set_if_given(app, "user", v.user, flags.user);
  set_if_given(app, "pass", v.password, flags.password);
  set_if_given(app, "auth", v.token, flags.token);
  set_if_given(app, "store_dir", v.store_dir, flags.store_dir);
  set_if_given(app, "jetstream", v.jetstream, flags.jetstream);
  set_if_given(app, "logtime", v.logtime, flags.logtime);
  set_if_given(app, "debug", v.debug, flags.debug);
  set_if_given(app, "trace", v.trace, flags.trace);
  flags.check_config = v.check_config;
  version = v.version;
  if (app.count("--signal") > 0) command.signal = v.signal;
  if (app.count("--healthcheck") > 0) command.healthcheck = v.healthcheck;
  return std::nullopt;
}

}  // namespace

std::string usage_text() {
  return R"(
Usage: ternd [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 127.0.0.1; 0.0.0.0 for all)
    -p, --port <port>                Use port for clients (default: 4222, -1 for a random port)
    -n, --name
        --server_name <server_name>  Server name (default: the server id)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring (-1: a random port)
    -c, --config <file>              Configuration file
    -t                               Test configuration and exit
        --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true; -T=false to turn off)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and trace

JetStream Options:
    -js, --jetstream                 Enable JetStream functionality
    -sd, --store_dir <dir>           Set the storage directory

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
    -sl, --signal <signal>[=<pid>]   Send signal to the ternd process (ldm, stop, quit, term, reopen, reload);
                                     <pid> may be a pid file; without it, the one running ternd
        --healthcheck [<url>]        Probe the server and exit 0 if healthy, 1 if not (nats://host:port
                                     for PING/PONG, http://host:port/healthz for monitoring; default: the
                                     configured server, its /healthz when monitoring is on)

Flags may be written with one or two dashes (-port, --port) and take values as -p 4222 or -p=4222.
)";
}

std::variant<RunRequest, EarlyExit> parse_command_line(int argc, const char* const* argv) {
  try {
    const std::span<const char* const> args(argv + (argc > 0 ? 1 : 0), argc > 1 ? argc - 1 : 0);
    Normalized normalized = normalize(args);
    if (auto* exit = std::get_if<EarlyExit>(&normalized)) return std::move(*exit);

    RunRequest request;
    bool version = false;
    if (auto error = parse_tokens(std::get<std::vector<std::string>>(std::move(normalized)), request.flags,
                                  version, request.command)) {
      return usage_error(*error);
    }
    if (version) {
      return EarlyExit{0, EarlyExit::Stream::kStdout, "ternd: v" + std::string(kTerndVersion) + "\n"};
    }
    // As nats-server, a signal is sent before the configuration is read, so that a broken file cannot
    // stop an operator from stopping the server that runs with it.
    if (request.command.signal) return request;
    if (request.flags.check_config && !request.flags.config_file) {
      return EarlyExit{kUsageErrorExitCode, EarlyExit::Stream::kStderr,
                       "ternd: must specify [-c, --config] option to check configuration file syntax\n"};
    }
    std::variant<LoadedOptions, std::string> loaded = load_options(request.flags);
    if (auto* error = std::get_if<std::string>(&loaded)) {
      return EarlyExit{kUsageErrorExitCode, EarlyExit::Stream::kStderr, "ternd: " + *error + "\n"};
    }
    if (request.flags.check_config) {
      return EarlyExit{0, EarlyExit::Stream::kStderr,
                       "ternd: configuration file " + *request.flags.config_file + " is valid\n"};
    }
    request.loaded = std::get<LoadedOptions>(std::move(loaded));
    return request;
  } catch (const std::exception& e) {
    return EarlyExit{kUsageErrorExitCode, EarlyExit::Stream::kStderr,
                     std::string("ternd: ") + e.what() + "\n"};
  }
}

}  // namespace tern::server
