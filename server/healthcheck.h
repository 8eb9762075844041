// `ternd --healthcheck [URL]`: a probe of a running server for container health checks and Kubernetes exec
// probes, so that an image with nothing but ternd in it can still check itself (no shell, no curl).
//
// With an http:// URL it asks the monitoring port: healthy when GET answers 200. With a nats:// URL (or a
// bare host:port) it speaks the client protocol: healthy when CONNECT and PING get a PONG. With no URL it
// probes the server the options describe (the same -c, -a, -p and -m as the server was started with):
// /healthz when monitoring is on, else PING/PONG on the client port. Hosts are IP addresses or
// `localhost`; names are not resolved, so that the probe needs no resolver in a static binary.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "server/options.h"

namespace tern::server {

// The whole probe, from connect to verdict, ends within this.
inline constexpr std::chrono::milliseconds kHealthcheckTimeout{2000};

struct HealthTarget {
  enum class Kind { kNats, kHttp };
  Kind kind = Kind::kNats;
  std::string host;  // An IPv4 or IPv6 address, without brackets.
  int port = 0;
  std::string path;  // kHttp: the request target, e.g. "/healthz".
  // kNats: credentials for CONNECT (from the URL's user:password@ or token@, else the options').
  std::string user;
  std::string password;
  std::string token;

  // The target as a URL, for messages (credentials left out).
  std::string url() const;
};

// What to probe: `url` when given, else the server `options` describe. Returns an error message when the
// URL cannot be used, or when the options leave nothing to probe (a random client port).
std::variant<HealthTarget, std::string> health_target(const Options& options, std::string_view url);

struct HealthReport {
  bool healthy = false;
  std::string detail;  // What was seen ("PONG", "HTTP 200 {...}") or what went wrong.
};

// Probes the target, giving up at `timeout`. Never throws.
HealthReport probe_health(const HealthTarget& target,
                          std::chrono::milliseconds timeout = kHealthcheckTimeout);

}  // namespace tern::server
