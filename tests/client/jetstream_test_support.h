// A server with JetStream on a store directory of its own, for the client's JetStream tests: ternd or
// nats-server, restartable on the same port and store (for reconnect and persistence cases).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "client/jetstream/jetstream.h"
#include "client/jetstream/kv.h"
#include "tests/client/client_test_support.h"

namespace tern::client_test {

class JetStreamServer {
 public:
  explicit JetStreamServer(ServerKind kind) : kind_(kind), store_(test::make_temp_dir("tern-client-js-")) {
    server_.emplace(server_launch(kind_, {"-js", "-sd", store_.string()}));
    port_ = server_->port();
  }
  ~JetStreamServer() {
    server_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(store_, ignored);
  }
  JetStreamServer(const JetStreamServer&) = delete;
  JetStreamServer& operator=(const JetStreamServer&) = delete;

  int port() const { return port_; }
  void stop() { server_.reset(); }
  // Starts the server again on the same port and store.
  void start_again() {
    server_.emplace(server_launch(kind_, {"-js", "-sd", store_.string(), "-p", std::to_string(port_)}));
  }

 private:
  ServerKind kind_;
  std::filesystem::path store_;
  std::optional<test::ServerProcess> server_;
  int port_ = 0;
};

// A stream over `<name lowercased>.>`-style subjects given by the caller, in file storage.
inline client::jetstream::StreamConfig stream_config(std::string name, std::vector<std::string> subjects) {
  client::jetstream::StreamConfig config;
  config.name = std::move(name);
  config.subjects = std::move(subjects);
  return config;
}

// Option values built field by field: GCC 12 warns (-Wmissing-field-initializers) about designated
// initializers that leave members out.
inline client::jetstream::FetchOptions expiring(std::chrono::milliseconds expires) {
  client::jetstream::FetchOptions options;
  options.expires = expires;
  return options;
}
inline client::jetstream::FetchOptions no_wait() {
  client::jetstream::FetchOptions options;
  options.no_wait = true;
  return options;
}
inline client::jetstream::Options js_options(
    std::chrono::milliseconds timeout, std::size_t max_pending_acks = 4000,
    std::chrono::milliseconds stall_wait = std::chrono::milliseconds(200)) {
  client::jetstream::Options options;
  options.timeout = timeout;
  options.max_pending_acks = max_pending_acks;
  options.stall_wait = stall_wait;
  return options;
}
inline client::jetstream::KeyValueConfig bucket_config(std::string bucket, int history = 1) {
  client::jetstream::KeyValueConfig config;
  config.bucket = std::move(bucket);
  config.history = history;
  return config;
}
// A publish expectation: one field set through `set`.
template <typename Set>
client::jetstream::PublishOptions publish_options(Set set) {
  client::jetstream::PublishOptions options;
  set(options);
  return options;
}

}  // namespace tern::client_test
