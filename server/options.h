// Every setting of ternd, with nats-server 2.9's defaults, and how the command line and the configuration
// file fill them in. The configuration file is read first; flags given explicitly are applied on top.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/limits.h"

namespace tern::server {

inline constexpr std::string_view kTerndVersion = "0.1.0";
// nats-server advertises the protocol level it speaks through its version; clients gate features on
// it, so ternd reports the nats-server release whose behaviour it matches and names itself in "go".
inline constexpr std::string_view kCompatibleNatsVersion = "2.9.10";

struct User {
  std::string user;
  std::string password;  // Plain text, or a bcrypt hash ("$2a$", "$2b$" or "$2y$").
};

// Credentials a client must present. At most one of token, user and users is set (validate_options
// checks); none set means no authentication.
struct Authorization {
  std::string token;  // Plain text or a bcrypt hash.
  std::string user;
  std::string password;  // Plain text or a bcrypt hash; may be empty (then the client sends none).
  std::vector<User> users;
  std::chrono::milliseconds timeout{2000};  // From accept to a valid CONNECT.

  bool required() const { return !token.empty() || !user.empty() || !users.empty(); }
};

// JetStream (-js, the `jetstream` block). Streams live under <store_dir>/jetstream/.
struct JetStreamOptions {
  bool enabled = false;
  std::string store_dir;  // Empty: $TMPDIR or /tmp, as nats-server (streams then in /tmp/jetstream).
  // Server-wide storage limits in bytes; -1: nats-server's defaults (75 % of memory, the disk's free space).
  std::int64_t max_memory_store = -1;
  std::int64_t max_file_store = -1;
  // When a PubAck goes out. With `sync_always` (config `sync_interval: always`), only once the message
  // is on stable storage (fdatasync, one shared by every message of a loop turn and more); otherwise once
  // it is in the kernel, with an fdatasync every `sync_interval` (nats-server 2.10's key and spelling).
  bool sync_always = false;
  std::chrono::milliseconds sync_interval{1000};
  std::string domain;  // Accepted and echoed; a standalone server's domain changes no subject here.
};

struct Options {
  // Listening. Local-only by default, unlike nats-server's 0.0.0.0: ternd is meant to run as a sidecar
  // beside the services that use it, and listening on every interface should be a decision (-a 0.0.0.0).
  std::string host = "127.0.0.1";
  int port = 4222;             // -1: a random free port.
  std::string server_name;     // Empty: the server uses its id, as nats-server does.
  int http_port = 0;           // Monitoring; 0 is off. validate_options refuses other values until it exists.
  std::string http_host;       // Empty: the client port's host.
  std::string http_base_path;  // A prefix for every monitoring path, e.g. "/nats".
  std::int64_t max_closed_clients = 10000;  // Closed connections kept for /connz?state=closed.
  std::int64_t http_max_connections = 64;   // Open monitoring connections at once (ternd's own key).

  // Limits.
  std::int64_t max_payload = protocol::kDefaultMaxPayload;
  std::int64_t max_control_line = static_cast<std::int64_t>(protocol::kDefaultMaxControlLine);
  std::int64_t max_pending = protocol::kDefaultMaxPending;
  std::int64_t max_connections = 64 * 1024;
  std::int64_t max_subscriptions = 0;  // Per connection; 0 is unlimited.
  std::chrono::milliseconds ping_interval{2 * 60 * 1000};
  int ping_max = 2;
  std::chrono::milliseconds write_deadline{10 * 1000};
  // Lame-duck mode (SIGUSR2): clients are told at once, then closed, spread over the duration, after
  // the grace period.
  std::chrono::milliseconds lame_duck_duration{2 * 60 * 1000};
  std::chrono::milliseconds lame_duck_grace_period{10 * 1000};
  bool no_header_support = false;

  Authorization authorization;
  JetStreamOptions jetstream;

  // Files.
  std::string pid_file;
  std::string ports_file_dir;
  std::string config_file;

  // Logging.
  std::string log_file;  // Empty: stderr.
  bool logtime = true;
  bool debug = false;
  bool trace = false;

  bool check_config = false;  // -t: check the configuration and exit.
};

// Checks the settings together and fills in defaults for zeros, as nats-server does at startup (port 0
// means 4222, a zero limit or duration means its default). Returns an error message, or nothing when
// the options can be used. Appends warnings worth logging (in nats-server's words) to `warnings`.
std::optional<std::string> validate_options(Options& options, std::vector<std::string>& warnings);

// The flags given on a command line; unset ones leave the configuration file's (or default) values.
struct FlagOverrides {
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> server_name;
  std::optional<std::string> pid_file;
  std::optional<int> http_port;
  std::optional<std::string> config_file;
  std::optional<std::string> ports_file_dir;
  std::optional<std::string> log_file;
  std::optional<bool> logtime;
  std::optional<bool> debug;
  std::optional<bool> trace;
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::optional<std::string> token;
  std::optional<bool> jetstream;
  std::optional<std::string> store_dir;
  bool check_config = false;
};

// Options ready to run with, and warnings to log once logging is set up.
struct LoadedOptions {
  Options options;
  std::vector<std::string> warnings;
};

// Reads the configuration file named in `flags` (if any) onto the defaults, applies the flags and
// validates. Also what a configuration reload (SIGHUP) calls with the original flags. Returns the
// options, or an error message ("file:line:column: ..." for errors in the file). With -t
// (flags.check_config) a warning about the file is an error, as in nats-server.
std::variant<LoadedOptions, std::string> load_options(const FlagOverrides& flags);

// What the process does instead of running: print `text` to stdout or stderr and exit with `exit_code`.
struct EarlyExit {
  enum class Stream { kStdout, kStderr };
  int exit_code = 0;
  Stream stream = Stream::kStdout;
  std::string text;
};

// What the process does instead of serving, when the command line asks for it.
struct ProcessCommand {
  std::optional<std::string> signal;       // -sl/--signal: "command[=pid or pid file]".
  std::optional<std::string> healthcheck;  // --healthcheck [URL]: the URL, empty for the configured server.
};

// A command line that asks to run the server, or to signal or probe one (`command`). With a signal the
// options are not loaded.
struct RunRequest {
  FlagOverrides flags;  // Kept for reloads.
  LoadedOptions loaded;
  ProcessCommand command;
};

// Exit code for a bad flag or an unusable configuration. nats-server exits 0 after printing its usage for
// a bad flag; ternd exits 1 so that scripts notice.
inline constexpr int kUsageErrorExitCode = 1;

// Parses flags the way nats-server (Go's flag package) does: `-p 4222`, `-p=4222`, `--port 4222`,
// `-port=4222` are the same; bool flags take `-T=false`; repeated flags keep the last value. Then loads
// the options (load_options). -h, -v, -t and every error come back as an EarlyExit. Never throws.
std::variant<RunRequest, EarlyExit> parse_command_line(int argc, const char* const* argv);

// The usage text printed by -h and after a bad flag.
std::string usage_text();

}  // namespace tern::server
