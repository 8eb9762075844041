#include "server/options.h"

#include <limits>

#include "server/config_apply.h"
#include "server/config_file.h"

namespace tern::server {
namespace {

constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kDiscouragedPayload = 8 * 1024 * 1024;

bool looks_like_bcrypt(const std::string& secret) {
  return secret.starts_with("$2a$") || secret.starts_with("$2b$") || secret.starts_with("$2y$");
}

template <typename T>
void default_if_zero(T& value, T default_value) {
  if (value == T{}) value = default_value;
}

// The first of `values` below zero, named, as an error message.
std::optional<std::string> first_negative(const Options& o) {
  const std::pair<std::string_view, std::int64_t> values[] = {
      {"max_payload", o.max_payload},
      {"max_control_line", o.max_control_line},
      {"max_pending", o.max_pending},
      {"max_connections", o.max_connections},
      {"max_subscriptions", o.max_subscriptions},
      {"ping_max", o.ping_max},
      {"ping_interval", o.ping_interval.count()},
      {"write_deadline", o.write_deadline.count()},
      {"lame_duck_duration", o.lame_duck_duration.count()},
      {"lame_duck_grace_period", o.lame_duck_grace_period.count()},
      {"authorization timeout", o.authorization.timeout.count()},
  };
  for (const auto& [name, value] : values) {
    if (value < 0) return std::string(name) + " must not be negative";
  }
  return std::nullopt;
}

std::optional<std::string> validate_authorization(const Authorization& auth) {
  if (!auth.users.empty() && !auth.user.empty()) return "Can not have a single user/pass and a users array";
  if (!auth.users.empty() && !auth.token.empty()) return "Can not have a token and a users array";
  if (!auth.token.empty() && !auth.user.empty()) return "Cannot have a user/pass and token";
  return std::nullopt;
}

bool has_plaintext_password(const Authorization& auth) {
  if (!auth.password.empty() && !looks_like_bcrypt(auth.password)) return true;
  for (const User& user : auth.users) {
    if (!user.password.empty() && !looks_like_bcrypt(user.password)) return true;
  }
  return false;
}

void apply_flags(const FlagOverrides& flags, Options& o) {
  if (flags.host) o.host = *flags.host;
  if (flags.port) o.port = *flags.port;
  if (flags.server_name) o.server_name = *flags.server_name;
  if (flags.pid_file) o.pid_file = *flags.pid_file;
  if (flags.http_port) o.http_port = *flags.http_port;
  if (flags.ports_file_dir) o.ports_file_dir = *flags.ports_file_dir;
  if (flags.log_file) o.log_file = *flags.log_file;
  if (flags.logtime) o.logtime = *flags.logtime;
  if (flags.debug) o.debug = *flags.debug;
  if (flags.trace) o.trace = *flags.trace;
  if (flags.jetstream) o.jetstream.enabled = *flags.jetstream;
  if (flags.store_dir) o.jetstream.store_dir = *flags.store_dir;
  // Credentials from flags replace all of the file's credentials, so that `--user` on top of a file with
  // a users list or a token means exactly that one user.
  if (flags.user || flags.password || flags.token) {
    Authorization& auth = o.authorization;
    auth.users.clear();
    auth.user = flags.user.value_or("");
    auth.password = flags.password.value_or("");
    auth.token = flags.token.value_or("");
  }
  if (flags.config_file) o.config_file = *flags.config_file;
  o.check_config = flags.check_config;
}

}  // namespace

std::optional<std::string> validate_options(Options& o, std::vector<std::string>& warnings) {
  if (o.port == 0) o.port = 4222;
  if (o.port < -1 || o.port > 65535) {
    return "invalid port " + std::to_string(o.port) + ": use 1 to 65535, or -1 for a random port";
  }
  if (o.http_port < -1 || o.http_port > 65535) {
    return "invalid monitoring port " + std::to_string(o.http_port) +
           ": use 1 to 65535, -1 for a random port, or 0 for none";
  }
  if (o.http_max_connections <= 0) return "http_max_connections must be at least 1";
  if (auto negative = first_negative(o)) return negative;
  default_if_zero(o.max_payload, protocol::kDefaultMaxPayload);
  default_if_zero(o.max_control_line, static_cast<std::int64_t>(protocol::kDefaultMaxControlLine));
  default_if_zero(o.max_pending, protocol::kDefaultMaxPending);
  default_if_zero(o.max_connections, std::int64_t{64 * 1024});
  default_if_zero(o.ping_interval, std::chrono::milliseconds(2 * 60 * 1000));
  default_if_zero(o.ping_max, 2);
  default_if_zero(o.write_deadline, std::chrono::milliseconds(10 * 1000));
  default_if_zero(o.lame_duck_duration, std::chrono::milliseconds(2 * 60 * 1000));
  default_if_zero(o.authorization.timeout, std::chrono::milliseconds(2000));
  if (o.max_payload > kMaxInt32) return "max_payload value is too big";
  if (o.max_control_line > kMaxInt32) return "max_control_line value is too big";
  if (o.max_payload > o.max_pending) {
    return "max_payload (" + std::to_string(o.max_payload) + ") cannot be higher than max_pending (" +
           std::to_string(o.max_pending) + ")";
  }
  // nats-server's floor: shorter lame-duck periods would close clients faster than they can move.
  if (o.lame_duck_duration < std::chrono::seconds(30)) {
    return "invalid lame_duck_duration of " + std::to_string(o.lame_duck_duration.count()) +
           "ms, minimum is 30 seconds";
  }
  if (auto auth_error = validate_authorization(o.authorization)) return auth_error;
  if (o.max_payload > kDiscouragedPayload) {
    warnings.push_back(
        "Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance");
  }
  if (has_plaintext_password(o.authorization))
    warnings.push_back("Plaintext passwords detected, use nkeys or bcrypt");
  return std::nullopt;
}

std::variant<LoadedOptions, std::string> load_options(const FlagOverrides& flags) {
  try {
    LoadedOptions loaded;
    if (flags.config_file) {
      config::ParseResult parsed = config::parse_config_file(*flags.config_file);
      if (auto* error = std::get_if<config::ParseError>(&parsed)) return error->message;
      if (auto error = apply_config(std::get<config::ConfigValue>(parsed), loaded.options, loaded.warnings)) {
        return *error;
      }
      // nats-server -t fails on what is only a warning at startup.
      if (flags.check_config && !loaded.warnings.empty()) return loaded.warnings.front();
    }
    apply_flags(flags, loaded.options);
    if (auto error = validate_options(loaded.options, loaded.warnings)) return *error;
    return loaded;
  } catch (const std::exception& e) {
    return std::string("loading options: ") + e.what();
  }
}

}  // namespace tern::server
