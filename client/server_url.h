// Server addresses: `nats://[user[:password]@]host[:port]` or `nats://token@host[:port]`, and the
// `host:port` form that INFO's connect_urls use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::client {

inline constexpr std::uint16_t kDefaultPort = 4222;

struct ServerUrl {
  std::string host;
  std::uint16_t port = kDefaultPort;
  std::string user;  // Set when the URL holds `user:password@`.
  std::string password;
  std::string token;  // Set when the URL holds a user part without ':' (`token@`).

  // `host:port`, with an IPv6 host in brackets; identifies a server in a pool.
  std::string host_port() const;
  // The URL without credentials, for logs and callbacks.
  std::string redacted() const;
};

// Accepts `nats://`, `tcp://` or no scheme. Returns std::nullopt on a malformed URL (bad port, empty
// host, unknown scheme such as tls://, which this client does not support).
std::optional<ServerUrl> parse_server_url(std::string_view text);

}  // namespace tern::client
