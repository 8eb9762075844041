// The server's side of monitoring: the snapshots a monitoring request copies (server/monitor/ writes
// them out), and the ring of closed connections kept for /connz?state=closed.
#include <chrono>

#include "server/client_connection.h"
#include "server/jetstream/api_json.h"
#include "server/jetstream/jetstream.h"
#include "server/monitor/monitor.h"
#include "server/server.h"

namespace tern::server {

void Server::remember_closed(const ClientConnection& conn) noexcept {
  if (options_.max_closed_clients <= 0) return;
  try {
    monitor::ConnectionInfo info;
    conn.describe(info, /*with_subscriptions=*/true);
    info.stop = std::chrono::system_clock::now();
    while (static_cast<std::int64_t>(closed_.size()) >= options_.max_closed_clients)
      closed_.pop_front();
    closed_.push_back(std::move(info));
  } catch (const std::bad_alloc&) {
    // Monitoring loses this entry; the close goes on.
  }
}

monitor::SystemTime Server::system_time_of(std::uint64_t loop_ms) const noexcept {
  const std::uint64_t now_ms = uv_now(const_cast<uv_loop_t*>(&loop_));
  const auto age = std::chrono::milliseconds(now_ms >= loop_ms ? now_ms - loop_ms : 0);
  return std::chrono::time_point_cast<monitor::SystemTime::duration>(std::chrono::system_clock::now() - age);
}

std::vector<monitor::ConnectionInfo> Server::open_connections(bool with_subscriptions) const {
  std::vector<monitor::ConnectionInfo> out;
  out.reserve(connections_.size());
  for (const auto& [cid, conn] : connections_) {
    if (conn->closing()) continue;
    conn->describe(out.emplace_back(), with_subscriptions);
  }
  return out;
}

monitor::SublistInfo Server::describe_sublist() const {
  const MatchCacheStats cache = sublist_.cache_stats();
  monitor::SublistInfo info;
  info.num_subscriptions = sublist_.count();
  info.num_cache = cache.size;
  info.num_inserts = sublist_.inserts();
  info.num_removes = sublist_.removes();
  info.num_matches = sublist_.matches();
  const std::uint64_t lookups = cache.hits + cache.misses;
  info.cache_hit_rate = lookups == 0 ? 0.0 : static_cast<double>(cache.hits) / static_cast<double>(lookups);
  info.max_fanout = cache.max_fanout;
  info.avg_fanout = cache.avg_fanout;
  return info;
}

void Server::describe(monitor::ServerInfo& out) const {
  out.server_id = server_id_;
  out.server_name = options_.server_name.empty() ? server_id_ : options_.server_name;
  out.version = std::string(kCompatibleNatsVersion);
  out.go = "ternd " + std::string(kTerndVersion);
  out.host = options_.host;
  out.port = bound_port_;
  out.max_connections = options_.max_connections;
  out.ping_interval = options_.ping_interval;
  out.ping_max = options_.ping_max;
  out.http_host = options_.http_host.empty() ? options_.host : options_.http_host;
  // The port bound, as nats-server reports it after a random one (-m -1) was picked.
  out.http_port = monitor_ != nullptr ? monitor_->bound_port() : options_.http_port;
  out.http_base_path = options_.http_base_path;
  out.auth_timeout_seconds = std::chrono::duration<double>(options_.authorization.timeout).count();
  out.max_control_line = options_.max_control_line;
  out.max_payload = options_.max_payload;
  out.max_pending = options_.max_pending;
  out.write_deadline = options_.write_deadline;
  out.start = started_at_;
  out.config_load_time = config_loaded_at_;
  out.connections = connections_.size() - closing_connections_;
  out.total_connections = counters_.total_connections;
  out.in_msgs = counters_.traffic.in_msgs;
  out.in_bytes = counters_.traffic.in_bytes;
  out.out_msgs = counters_.traffic.out_msgs;
  out.out_bytes = counters_.traffic.out_bytes;
  out.slow_consumers = counters_.slow_consumers;
  out.subscriptions = sublist_.count();
  out.stalled_publishers = counters_.stalled_publishers;
  out.in_msg_size_counts = counters_.in_msg_sizes.counts;
  out.mem = process_.resident_bytes();
  out.cores = process_.cores();
  out.cpu = process_.cpu_percent();
}

std::optional<monitor::JetStreamInfo> Server::describe_jetstream(bool stream_details, bool configs) const {
  const jetstream::JetStream* js = jetstream();
  if (js == nullptr) return std::nullopt;
  monitor::JetStreamInfo out;
  out.max_memory = js->max_memory();
  out.max_storage = js->max_storage();
  out.store_dir = js->root();
  out.domain = js->options().domain;
  out.api_total = js->api_counters().total;
  out.api_errors = js->api_counters().errors;
  // The account's limits, as $JS.API.INFO reports them; Go converts them to uint64 for the reservation.
  const jetstream::AccountLimits limits;
  out.account_reserved_memory = static_cast<std::uint64_t>(limits.max_memory);
  out.account_reserved_storage = static_cast<std::uint64_t>(limits.max_storage);
  for (const auto& [name, stream] : js->streams()) {
    const stream::StoreState state = stream->store().state();
    (stream->store().kind() == stream::StorageKind::kMemory ? out.memory : out.storage) += state.bytes;
    ++out.streams;
    out.messages += state.msgs;
    out.bytes += state.bytes;
    const auto consumers = static_cast<std::int64_t>(stream->consumers().size());
    out.consumers += consumers;
    if (!stream_details) continue;
    monitor::JetStreamStreamInfo& detail = out.stream_details.emplace_back();
    detail.name = name;
    detail.created_ns = stream->created_ns();
    detail.state = state;
    detail.consumers = consumers;
    if (configs) detail.config = stream->config();
  }
  return out;
}

}  // namespace tern::server
