// The servers a client may connect to: those given in the options, in order, plus those a server
// advertises in INFO connect_urls. Used on the I/O thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "client/error.h"
#include "client/server_url.h"

namespace tern::client {

struct Options;

class ServerPool {
 public:
  // Parses options.servers; fails with kInvalidUrl on the first malformed URL or an empty list.
  static Expected<ServerPool> from_options(const Options& options);

  std::size_t size() const noexcept { return servers_.size(); }
  const ServerUrl& current() const noexcept { return servers_[current_]; }
  // Moves on to the next server, round robin, and returns it.
  const ServerUrl& advance() noexcept;
  // Adds the `host:port` entries not yet in the pool, up to kMaxDiscoveredServers beyond the
  // configured ones. They inherit the current server's credentials, as a cluster shares its accounts.
  void merge_connect_urls(const std::vector<std::string>& urls);

  // A server sends connect_urls in every INFO, and a faulty or hostile one could list any number of
  // them; past this many discovered servers, more are ignored.
  static constexpr std::size_t kMaxDiscoveredServers = 64;

 private:
  std::vector<ServerUrl> servers_;
  std::size_t configured_ = 0;  // The first servers_, from Options::servers.
  std::size_t current_ = 0;
};

// The wait before the next reconnect attempt: the options' first wait doubled for each full round of
// failed attempts over the pool, capped, and reduced by up to `jitter` of itself according to
// `random01` (a number in [0, 1)), so that clients of a restarted server do not return in lockstep.
std::chrono::milliseconds reconnect_delay(const Options& options, int failed_attempts, std::size_t pool_size,
                                          double random01);

}  // namespace tern::client
