#include "client/server_pool.h"

#include <algorithm>
#include <cmath>

#include "client/options.h"

namespace tern::client {

Expected<ServerPool> ServerPool::from_options(const Options& options) {
  ServerPool pool;
  for (const std::string& text : options.servers) {
    auto url = parse_server_url(text);
    if (!url) return Errc::kInvalidUrl;
    pool.servers_.push_back(std::move(*url));
  }
  if (pool.servers_.empty()) return Errc::kInvalidUrl;
  pool.configured_ = pool.servers_.size();
  return pool;
}

const ServerUrl& ServerPool::advance() noexcept {
  current_ = (current_ + 1) % servers_.size();
  return servers_[current_];
}

void ServerPool::merge_connect_urls(const std::vector<std::string>& urls) {
  for (const std::string& text : urls) {
    if (servers_.size() >= configured_ + kMaxDiscoveredServers) return;
    auto url = parse_server_url(text);
    if (!url) continue;
    const std::string key = url->host_port();
    const bool known = std::any_of(servers_.begin(), servers_.end(),
                                   [&](const ServerUrl& s) { return s.host_port() == key; });
    if (known) continue;
    const ServerUrl& credentials = servers_[current_];
    url->user = credentials.user;
    url->password = credentials.password;
    url->token = credentials.token;
    servers_.push_back(std::move(*url));
  }
}

std::chrono::milliseconds reconnect_delay(const Options& options, int failed_attempts, std::size_t pool_size,
                                          double random01) {
  const int round = failed_attempts / static_cast<int>(std::max<std::size_t>(pool_size, 1));
  const double first = static_cast<double>(options.reconnect_wait.count());
  const double cap =
      static_cast<double>(std::max(options.reconnect_wait_max, options.reconnect_wait).count());
  const double wait = std::min(cap, first * std::pow(2.0, std::min(round, 30)));
  const double jitter = std::clamp(options.reconnect_jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(wait * (1.0 - jitter * random01)));
}

}  // namespace tern::client
