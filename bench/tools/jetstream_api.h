// The few JetStream API requests js-pub makes (stream create and delete), sent as NATS requests on a
// bench connection: a PUB to `$JS.API.…` with a reply subject, answered by one MSG with a JSON body.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/tools/bench_connection.h"

namespace tern::bench {

// How long an API request may wait for its reply. nats-server answers in milliseconds, but a stream
// create waits for its metadata to reach the disk.
inline constexpr std::chrono::seconds kApiTimeout{10};

struct StreamConfig {
  std::string name;
  std::string subject;
  std::string storage;  // "file" or "memory".
};

// The body of `$JS.API.STREAM.CREATE.<name>`: limits retention with no limits, one replica.
std::string stream_create_json(const StreamConfig& config);

class JetStreamApi {
 public:
  // Replies come to `<inbox_prefix>api<n>`; the connection must already be subscribed to
  // `<inbox_prefix>*`.
  JetStreamApi(BenchConnection& connection, std::string inbox_prefix);

  // Sends one request and returns the reply's body. Throws std::runtime_error when no reply comes within
  // kApiTimeout, when the server reports no responders (JetStream is not enabled), or when the connection
  // fails. Other messages that arrive meanwhile are dropped: requests are made outside the measured phase.
  std::string request(std::string_view subject, std::string_view body);

  // Creates the stream; throws std::runtime_error with the server's error when it refuses.
  void create_stream(const StreamConfig& config);
  // Deletes the stream; one that does not exist is no error. Throws std::runtime_error otherwise.
  void delete_stream(std::string_view name);

 private:
  BenchConnection& connection_;
  std::string inbox_prefix_;
  std::uint64_t requests_ = 0;
};

}  // namespace tern::bench
