// Where the server under test listens, from a `nats://host:port` URL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tern::bench {

struct ServerAddress {
  std::string host;
  std::uint16_t port = 4222;
};

// Accepts `nats://host:port`, `host:port`, `host` and `nats://host`; throws std::invalid_argument on
// anything else (a user, a path, a bad port).
ServerAddress parse_server_url(std::string_view url);

}  // namespace tern::bench
