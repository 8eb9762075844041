// One TCP connection attempt and, once the handshake completes, the live connection. Allocated per
// attempt; freed only in the close callback of its tcp handle, so requests in flight (connect, write,
// shutdown) always find it alive.
#pragma once

#include <uv.h>

#include <string>

#include "protocol/parser.h"

namespace tern::client::detail {

class Core;

// The client reads server ops; their control lines are short, but a subject may be long, so the limit
// is generous. Payload sizes are limited by the max_payload of the server's INFO, once it is known.
inline constexpr std::size_t kClientMaxControlLine = 64 * 1024;

struct Transport {
  enum class Phase : std::uint8_t { kConnecting, kAwaitInfo, kAwaitPong, kConnected };

  explicit Transport(Core* owner)
      : core(owner),
        parser(protocol::Direction::kFromServer, protocol::ParserLimits{kClientMaxControlLine, 0}) {}

  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  uv_write_t write_req{};
  uv_shutdown_t shutdown_req{};
  Core* core;
  Phase phase = Phase::kConnecting;
  bool closing = false;
  bool write_in_flight = false;
  std::string writing;  // The bytes of the uv_write in flight, owned until its callback.
  protocol::Parser parser;
};

// A last write made while closing gracefully, with its own request and bytes.
struct FinalWrite {
  uv_write_t req{};
  Core* core = nullptr;
  std::string bytes;
};

// A name resolution in flight; the attempt id lets a stale answer be recognised and dropped.
struct Resolve {
  uv_getaddrinfo_t req{};
  Core* core = nullptr;
  std::uint64_t attempt = 0;
};

}  // namespace tern::client::detail
