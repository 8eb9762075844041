// What the monitoring endpoints read: plain values copied from the server when a request is served, so
// that the JSON writers depend on nothing that runs (no loop, no sockets) and are unit-tested with
// made-up values. Filling these walks connections and subscriptions once per request, never per
// message.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/jetstream/stream_config.h"
#include "server/stream/store.h"

namespace tern::server::monitor {

using SystemTime = std::chrono::system_clock::time_point;

struct SubscriptionInfo {
  std::string subject;
  std::string queue;  // Empty for a plain subscription.
  std::string sid;
  std::uint64_t msgs = 0;      // Messages delivered to it.
  std::uint64_t max = 0;       // Auto-unsubscribe limit; 0 when none.
  std::uint64_t cid = 0;       // The owning connection's cid.
  std::string account = "$G";  // /subsz `account`: the global account, as ternd has no others.
};

struct ConnectionInfo {
  std::uint64_t cid = 0;
  std::string ip;
  int port = 0;
  SystemTime start{};
  SystemTime last_activity{};
  std::chrono::nanoseconds rtt{0};  // The last measured PING round trip; 0 when none yet.
  std::uint64_t pending_bytes = 0;
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  std::uint64_t subscription_count = 0;
  std::string name, lang, version;              // From CONNECT; empty when not given.
  std::vector<SubscriptionInfo> subscriptions;  // Filled only when a request asks for them.
  // For closed connections only.
  std::optional<SystemTime> stop;
  std::string reason;  // close_reason_text(); empty while open.
};

// Figures of the subject index, as /subsz reports them.
struct SublistInfo {
  std::uint64_t num_subscriptions = 0;
  std::uint64_t num_cache = 0;
  std::uint64_t num_inserts = 0;
  std::uint64_t num_removes = 0;
  std::uint64_t num_matches = 0;
  double cache_hit_rate = 0;
  std::uint64_t max_fanout = 0;
  double avg_fanout = 0;
};

// One stream, as /jsz's stream_detail reports it. Copied only when a request asks for stream details.
struct JetStreamStreamInfo {
  std::string name;
  std::int64_t created_ns = 0;  // Unix ns.
  stream::StoreState state;
  std::int64_t consumers = 0;
  std::optional<jetstream::StreamConfig> config;  // Only when the request asks for configs.
};

// JetStream's configuration and usage, as /varz `jetstream` and /jsz report them. ternd has one
// account ($G), JetStream-enabled whenever JetStream is on, and no clustering.
struct JetStreamInfo {
  // JetStreamConfig.
  std::int64_t max_memory = 0;
  std::int64_t max_storage = 0;
  std::string store_dir;  // <store_dir>/jetstream
  std::string domain;
  // JetStreamStats of the server.
  std::uint64_t memory = 0;   // Bytes in memory streams.
  std::uint64_t storage = 0;  // Bytes in file streams.
  std::uint64_t reserved_memory = 0;
  std::uint64_t reserved_storage = 0;
  std::int64_t accounts = 1;
  std::uint64_t api_total = 0;
  std::uint64_t api_errors = 0;
  // The account's reservation (its limits' max_memory / max_storage as Go's uint64: -1, unlimited,
  // shows as 18446744073709551615).
  std::uint64_t account_reserved_memory = UINT64_MAX;
  std::uint64_t account_reserved_storage = UINT64_MAX;
  // Totals over every stream.
  std::int64_t streams = 0;
  std::int64_t consumers = 0;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  // Sorted by name; filled only when a request asks for stream details.
  std::vector<JetStreamStreamInfo> stream_details;
};

// The server's identity, configuration echo and counters, as /varz reports them.
struct ServerInfo {
  std::string server_id;
  std::string server_name;
  std::string version;  // The nats-server version ternd matches ("2.9.10").
  std::string go;       // "ternd 0.1.0"
  std::string host;
  int port = 0;
  std::int64_t max_connections = 0;
  std::chrono::nanoseconds ping_interval{0};
  int ping_max = 0;
  std::string http_host;
  int http_port = 0;
  std::string http_base_path;
  double auth_timeout_seconds = 0;
  std::int64_t max_control_line = 0;
  std::int64_t max_payload = 0;
  std::int64_t max_pending = 0;
  std::chrono::nanoseconds write_deadline{0};
  double tls_timeout_seconds = 2;  // /varz `tls_timeout`: nats-server's default, as ternd has no TLS.
  SystemTime start{};
  SystemTime config_load_time{};
  std::uint64_t mem = 0;  // Resident set size, bytes.
  int cores = 0;
  int gomaxprocs = 1;  // Threads that run server code: one event loop.
  double cpu = 0;      // Percent of one core over the last sample, one decimal.
  std::uint64_t connections = 0;
  std::uint64_t total_connections = 0;
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  std::uint64_t slow_consumers = 0;
  std::uint64_t subscriptions = 0;
  std::map<std::string, std::uint64_t> http_req_stats;  // Requests served per path ("/varz").
  // ternd's own figures, for /metrics.
  std::uint64_t stalled_publishers = 0;
  std::array<std::uint64_t, 11> in_msg_size_counts{};  // MessageSizeHistogram's buckets, not cumulative.
  // Set when JetStream is on (for /varz, filled by Server::describe_jetstream without stream details).
  std::optional<JetStreamInfo> jetstream;
};

}  // namespace tern::server::monitor
