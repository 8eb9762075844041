#include "server/config_apply.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace tern::server {
namespace {

using config::ConfigEntry;
using config::ConfigValue;
using Kind = ConfigValue::Kind;

constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// Keys nats-server 2.9 knows that ternd does not implement. Naming them separately tells a user with a
// nats-server file that the key is real but unsupported, rather than misspelt.
constexpr std::array<std::string_view, 35> kUnsupportedNatsKeys = {
    "accounts",
    "client_advertise",
    "cluster",
    "connect_error_reports",
    "default_js_domain",
    "disable_sublist_cache",
    "gateway",
    "https",
    "https_port",
    "leaf",
    "leafnodes",
    "log_size_limit",
    "logfile_size_limit",
    "mappings",
    "max_traced_msg_len",
    "mqtt",
    "no_auth_user",
    "no_sublist_cache",
    "nkey",
    "ocsp",
    "operator",
    "operators",
    "prof_port",
    "reconnect_error_reports",
    "remote_syslog",
    "resolver",
    "resolver_preload",
    "resolver_tls",
    "server_tags",
    "system_account",
    "tls",
    "trace_verbose",
    "trusted",
    "trusted_keys",
    "websocket",
};

// Applies one map's entries; each method returns false after recording the first error.
class Applier {
 public:
  Applier(Options& options, std::vector<std::string>& warnings) : options_(options), warnings_(warnings) {}

  std::optional<std::string> error() const { return error_; }

  bool apply_top_level(const ConfigValue& root) {
    for (const ConfigEntry& entry : root.entries) {
      if (entry.used_as_variable) continue;
      if (!apply_top_level_entry(entry)) return false;
    }
    return true;
  }

 private:
  bool fail(const ConfigEntry& entry, const std::string& message) {
    if (!error_) error_ = entry.key_location.to_string() + ": " + message;
    return false;
  }
  bool wrong_type(const ConfigEntry& entry, std::string_view expected) {
    return fail(entry, "invalid value for \"" + entry.key + "\": expected " + std::string(expected) +
                           ", got " + std::string(config::kind_name(entry.value.kind)));
  }

  bool read(const ConfigEntry& entry, std::string& out) {
    if (entry.value.kind != Kind::kString) return wrong_type(entry, "a string");
    out = entry.value.text;
    return true;
  }
  bool read(const ConfigEntry& entry, bool& out) {
    if (entry.value.kind != Kind::kBool) return wrong_type(entry, "a boolean (true/false)");
    out = entry.value.boolean;
    return true;
  }
  bool read(const ConfigEntry& entry, std::int64_t& out) {
    if (entry.value.kind != Kind::kInteger) return wrong_type(entry, "an integer");
    out = entry.value.integer;
    return true;
  }
  bool read_int(const ConfigEntry& entry, int& out) {
    std::int64_t value = 0;
    if (!read(entry, value)) return false;
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      return fail(entry, entry.key + " value is out of range");
    }
    out = static_cast<int>(value);
    return true;
  }
  bool read_int32_limit(const ConfigEntry& entry, std::int64_t& out) {
    if (!read(entry, out)) return false;
    if (out > kMaxInt32) return fail(entry, config::ascii_lowercase(entry.key) + " value is too big");
    return true;
  }

  // A Go duration string, or (with nats-server's warning) a number of seconds.
  bool read_duration(const ConfigEntry& entry, std::chrono::milliseconds& out) {
    const std::string name = config::ascii_lowercase(entry.key);
    if (entry.value.kind == Kind::kString) {
      const std::optional<std::chrono::milliseconds> duration = parse_go_duration(entry.value.text);
      if (!duration) {
        return fail(entry, "error parsing " + name + ": time: invalid duration \"" + entry.value.text + "\"");
      }
      out = *duration;
      return true;
    }
    if (entry.value.kind == Kind::kInteger) {
      if (entry.value.integer > std::numeric_limits<std::int64_t>::max() / 1000 ||
          entry.value.integer < std::numeric_limits<std::int64_t>::min() / 1000) {
        return fail(entry, name + " value is out of range");
      }
      warnings_.push_back(entry.key_location.to_string() + ": invalid use of field \"" + name +
                          "\": " + name + " should be converted to a duration");
      out = std::chrono::seconds(entry.value.integer);
      return true;
    }
    return wrong_type(entry, "a duration such as \"2m\" or \"10s\"");
  }

  // Seconds as an integer or float (nats-server), or a duration string (a ternd extension).
  bool read_seconds(const ConfigEntry& entry, std::chrono::milliseconds& out) {
    double seconds = 0;
    if (entry.value.kind == Kind::kInteger) {
      seconds = static_cast<double>(entry.value.integer);
    } else if (entry.value.kind == Kind::kFloat) {
      seconds = entry.value.number;
    } else if (entry.value.kind == Kind::kString) {
      const std::optional<std::chrono::milliseconds> duration = parse_go_duration(entry.value.text);
      if (!duration)
        return fail(entry, "invalid duration \"" + entry.value.text + "\" for \"" + entry.key + "\"");
      out = *duration;
      return true;
    } else {
      return wrong_type(entry, "a number of seconds");
    }
    if (!std::isfinite(seconds) || std::abs(seconds) > 1e12)
      return fail(entry, entry.key + " value is out of range");
    out = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000)));
    return true;
  }

  // "host:port", "[v6]:port" or a port number, as nats-server's `listen`.
  bool read_listen(const ConfigEntry& entry, std::string& host, int& port) {
    if (entry.value.kind == Kind::kInteger) return read_int(entry, port);
    if (entry.value.kind != Kind::kString) return wrong_type(entry, "\"host:port\" or a port number");
    const std::string& text = entry.value.text;
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) return fail(entry, "could not parse address string \"" + text + "\"");
    std::string parsed_host = text.substr(0, colon);
    if (parsed_host.size() >= 2 && parsed_host.front() == '[' && parsed_host.back() == ']') {
      parsed_host = parsed_host.substr(1, parsed_host.size() - 2);
    } else if (parsed_host.find(':') != std::string::npos) {
      return fail(entry, "could not parse address string \"" + text + "\" (put IPv6 addresses in [ ])");
    }
    const std::string port_text = text.substr(colon + 1);
    char* end = nullptr;
    const long parsed_port = std::strtol(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || parsed_port < -1 || parsed_port > 65535) {
      return fail(entry, "could not parse port \"" + port_text + "\"");
    }
    host = parsed_host;
    port = static_cast<int>(parsed_port);
    return true;
  }

  bool apply_top_level_entry(const ConfigEntry& entry) {
    const std::string key = config::ascii_lowercase(entry.key);
    Options& o = options_;
    if (key == "listen") return read_listen(entry, o.host, o.port);
    if (key == "port") return read_int(entry, o.port);
    if (key == "host" || key == "net") return read(entry, o.host);
    if (key == "server_name") return read(entry, o.server_name);
    if (key == "http") return read_listen(entry, o.http_host, o.http_port);
    if (key == "http_port" || key == "monitor_port") return read_int(entry, o.http_port);
    if (key == "http_base_path") return read(entry, o.http_base_path);
    if (key == "max_closed_clients") return read(entry, o.max_closed_clients);
    if (key == "http_max_connections") return read(entry, o.http_max_connections);
    if (key == "max_payload") return read_int32_limit(entry, o.max_payload);
    if (key == "max_control_line") return read_int32_limit(entry, o.max_control_line);
    if (key == "max_pending") return read(entry, o.max_pending);
    if (key == "max_connections" || key == "max_conn") return read(entry, o.max_connections);
    if (key == "max_subscriptions" || key == "max_subs") return read(entry, o.max_subscriptions);
    if (key == "ping_interval") return read_duration(entry, o.ping_interval);
    if (key == "ping_max") return read_int(entry, o.ping_max);
    if (key == "write_deadline") return read_duration(entry, o.write_deadline);
    if (key == "lame_duck_duration") return read_duration(entry, o.lame_duck_duration);
    if (key == "lame_duck_grace_period") return read_duration(entry, o.lame_duck_grace_period);
    if (key == "no_header_support") return read(entry, o.no_header_support);
    if (key == "pid_file" || key == "pidfile") return read(entry, o.pid_file);
    if (key == "ports_file_dir") return read(entry, o.ports_file_dir);
    if (key == "log_file" || key == "logfile") return read(entry, o.log_file);
    if (key == "debug") return read(entry, o.debug);
    if (key == "trace") return read(entry, o.trace);
    if (key == "logtime") return read(entry, o.logtime);
    if (key == "syslog") {
      bool syslog = false;
      if (!read(entry, syslog)) return false;
      return !syslog || fail(entry, "field \"syslog\" is not supported by ternd (log to a file or stderr)");
    }
    if (key == "authorization") return apply_authorization(entry);
    if (key == "jetstream") return apply_jetstream(entry);
    if (key == "store_dir") return read_store_dir(entry);
    for (std::string_view unsupported : kUnsupportedNatsKeys) {
      if (key == unsupported) return fail(entry, "field \"" + entry.key + "\" is not supported by ternd");
    }
    return fail(entry, "unknown field \"" + entry.key + "\"");
  }

  // nats-server's parseJetStream: true/false, "enabled"/"disabled", or a block.
  bool apply_jetstream(const ConfigEntry& entry) {
    JetStreamOptions& js = options_.jetstream;
    if (entry.value.kind == Kind::kBool) return read(entry, js.enabled);
    if (entry.value.kind == Kind::kString) {
      const std::string value = config::ascii_lowercase(entry.value.text);
      if (value == "enabled" || value == "enable") {
        js.enabled = true;
        return true;
      }
      if (value == "disabled" || value == "disable") {
        js.enabled = false;
        return true;
      }
      return fail(entry, "Expected 'enabled' or 'disabled' for string value, got '" + entry.value.text + "'");
    }
    if (entry.value.kind != Kind::kMap) {
      return fail(entry, "Expected map, bool or string to define JetStream, got " +
                             std::string(config::kind_name(entry.value.kind)));
    }
    bool enable = true;
    for (const ConfigEntry& field : entry.value.entries) {
      if (field.used_as_variable) continue;
      const std::string key = config::ascii_lowercase(field.key);
      bool ok = false;
      if (key == "store" || key == "store_dir" || key == "storedir") {
        ok = read_store_dir(field);
      } else if (key == "max_memory_store" || key == "max_mem_store" || key == "max_mem") {
        ok = read_storage_size(field, "max_mem_store", js.max_memory_store);
      } else if (key == "max_file_store" || key == "max_file") {
        ok = read_storage_size(field, "max_file_store", js.max_file_store);
      } else if (key == "domain") {
        ok = read(field, js.domain);
      } else if (key == "enable" || key == "enabled") {
        ok = read(field, enable);
      } else if (key == "sync_interval" || key == "sync") {
        ok = read_sync_interval(field, js);
      } else if (key == "key" || key == "ek" || key == "encryption_key" || key == "cipher" ||
                 key == "limits" || key == "unique_tag" || key == "extension_hint" ||
                 key == "max_outstanding_catchup") {
        ok = fail(field, "field \"" + field.key + "\" is not supported by ternd");
      } else {
        ok = fail(field, "unknown field \"" + field.key + "\"");
      }
      if (!ok) return false;
    }
    js.enabled = enable;
    return true;
  }

  // The store directory may be set at the top level or in the jetstream block, not both (nats-server).
  bool read_store_dir(const ConfigEntry& entry) {
    if (!options_.jetstream.store_dir.empty()) return fail(entry, "Duplicate 'store_dir' configuration");
    return read(entry, options_.jetstream.store_dir);
  }

  // nats-server's getStorageSize: an integer (with the file format's size suffixes), or a string ending
  // in K, M, G or T (powers of 1024).
  bool read_storage_size(const ConfigEntry& entry, const std::string& name, std::int64_t& out) {
    if (entry.value.kind == Kind::kInteger) {
      out = entry.value.integer;
      return true;
    }
    if (entry.value.kind != Kind::kString) return fail(entry, name + " must be int64 or string");
    const std::string& text = entry.value.text;
    if (text.empty()) {
      out = 0;
      return true;
    }
    int shift = 0;
    switch (text.back()) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        return fail(entry, name + " sizes defined as strings must end in K, M, G, T");
    }
    const std::string digits = text.substr(0, text.size() - 1);
    char* end = nullptr;
    errno = 0;
    const long long number = std::strtoll(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || errno != 0 ||
        number > (std::numeric_limits<std::int64_t>::max() >> shift) ||
        number < (std::numeric_limits<std::int64_t>::min() >> shift)) {
      return fail(entry, name + " strconv.ParseInt: parsing \"" + digits + "\": invalid syntax");
    }
    out = static_cast<std::int64_t>(number) * (std::int64_t{1} << shift);
    return true;
  }

  // nats-server 2.10's sync_interval: a duration, or "always".
  bool read_sync_interval(const ConfigEntry& entry, JetStreamOptions& js) {
    if (entry.value.kind == Kind::kString && config::ascii_lowercase(entry.value.text) == "always") {
      js.sync_always = true;
      return true;
    }
    js.sync_always = false;
    if (!read_duration(entry, js.sync_interval)) return false;
    if (js.sync_interval.count() <= 0) return fail(entry, "sync_interval must be positive, or \"always\"");
    return true;
  }

  // Reads `entry` into `user` or `password` when `key` (lower case) is one of their names; nullopt when it
  // is neither, else whether the value was good.
  std::optional<bool> read_credential(const std::string& key, const ConfigEntry& entry, std::string& user,
                                      std::string& password) {
    if (key == "user" || key == "username") return read(entry, user);
    if (key == "pass" || key == "password") return read(entry, password);
    return std::nullopt;
  }

  bool apply_authorization(const ConfigEntry& block) {
    if (block.value.kind != Kind::kMap) return wrong_type(block, "a map");
    Authorization& auth = options_.authorization;
    bool has_users = false;
    for (const ConfigEntry& entry : block.value.entries) {
      if (entry.used_as_variable) continue;
      const std::string key = config::ascii_lowercase(entry.key);
      bool ok = false;
      if (const std::optional<bool> credential = read_credential(key, entry, auth.user, auth.password)) {
        ok = *credential;
      } else if (key == "token") {
        ok = read(entry, auth.token);
      } else if (key == "timeout") {
        ok = read_seconds(entry, auth.timeout);
      } else if (key == "users") {
        has_users = true;
        ok = read_users(entry, auth.users);
      } else if (key == "permissions" || key == "default_permissions" || key == "default_permission") {
        ok = fail(entry, "field \"" + entry.key + "\" is not supported by ternd");
      } else {
        ok = fail(entry, "unknown field \"" + entry.key + "\"");
      }
      if (!ok) return false;
    }
    // The same checks and words as nats-server.
    if (has_users && !auth.user.empty())
      return fail(block, "Can not have a single user/pass and a users array");
    if (has_users && !auth.token.empty()) return fail(block, "Can not have a token and a users array");
    if (!auth.token.empty() && !auth.user.empty()) return fail(block, "Cannot have a user/pass and token");
    return true;
  }

  bool read_users(const ConfigEntry& entry, std::vector<User>& users) {
    if (entry.value.kind != Kind::kArray) return wrong_type(entry, "an array of {user, password} maps");
    users.clear();
    for (const ConfigValue& item : entry.value.items) {
      if (item.kind != Kind::kMap) {
        return fail(entry, "Expected user entry to be a map/struct, got " +
                               std::string(config::kind_name(item.kind)) + " at " +
                               item.location.to_string());
      }
      User user;
      for (const ConfigEntry& field : item.entries) {
        if (field.used_as_variable) continue;
        const std::string key = config::ascii_lowercase(field.key);
        bool ok = false;
        if (const std::optional<bool> credential = read_credential(key, field, user.user, user.password)) {
          ok = *credential;
        } else if (key == "permissions" || key == "permission") {
          ok = fail(field, "field \"" + field.key + "\" is not supported by ternd");
        } else {
          ok = fail(field, "unknown field \"" + field.key + "\"");
        }
        if (!ok) return false;
      }
      if (user.user.empty()) {
        error_ = item.location.to_string() + ": User entry requires a user";
        return false;
      }
      for (const User& existing : users) {
        if (existing.user == user.user) return fail(entry, "Duplicate user \"" + user.user + "\" detected");
      }
      users.push_back(std::move(user));
    }
    return true;
  }

  Options& options_;
  std::vector<std::string>& warnings_;
  std::optional<std::string> error_;
};

// Nanoseconds per unit for a Go duration unit, or 0 when `unit` is not one.
double nanoseconds_per_unit(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e3;  // us, micro sign, mu
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  if (unit == "m") return 60e9;
  if (unit == "h") return 3600e9;
  return 0;
}

}  // namespace

std::optional<std::string> apply_config(const config::ConfigValue& root, Options& options,
                                        std::vector<std::string>& warnings) {
  try {
    Applier applier(options, warnings);
    applier.apply_top_level(root);
    return applier.error();
  } catch (const std::exception& e) {
    return std::string("applying the configuration: ") + e.what();
  }
}

std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return std::nullopt;
  double total_ns = 0;
  while (!text.empty()) {
    std::size_t i = 0;
    double value = 0;
    bool any_digit = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      any_digit = true;
      ++i;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        value += (text[i] - '0') * scale;
        scale /= 10;
        any_digit = true;
        ++i;
      }
    }
    if (!any_digit) return std::nullopt;
    std::size_t unit_end = i;
    while (unit_end < text.size() && !(text[unit_end] >= '0' && text[unit_end] <= '9') &&
           text[unit_end] != '.') {
      ++unit_end;
    }
    const double unit = nanoseconds_per_unit(text.substr(i, unit_end - i));
    if (unit == 0) return std::nullopt;
    total_ns += value * unit;
    text.remove_prefix(unit_end);
  }
  if (total_ns > 9.2e18) return std::nullopt;  // Go's duration is an int64 of nanoseconds.
  const auto milliseconds = static_cast<std::int64_t>(std::ceil(total_ns / 1e6));
  return std::chrono::milliseconds(negative ? -milliseconds : milliseconds);
}

}  // namespace tern::server
