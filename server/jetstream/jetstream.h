// The JetStream service: the streams of the server's one account, the `$JS.API.>` request handlers, and
// the per-loop-turn write and the syncs of every stream. It is a peer inside the server (an
// InternalClient): it receives requests and stream messages through the same delivery interface as a
// client connection and answers through the same routing.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/internal_client.h"
#include "server/jetstream/stream.h"
#include "server/options.h"

namespace tern::server {
class Server;
class Logger;
}  // namespace tern::server

namespace tern::server::jetstream {

// Account-wide figures for $JS.API.INFO and monitoring.
struct ApiCounters {
  std::uint64_t total = 0;
  std::uint64_t errors = 0;
};

class JetStream {
 public:
  JetStream(Server& server, const JetStreamOptions& options);
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  // Makes the store directory, recovers every stream found there and subscribes the API. Returns an
  // empty string, or why JetStream cannot run.
  std::string start();
  // End of the loop turn: every stream that appended writes its records and acknowledges them.
  void end_of_turn() noexcept;
  // Writes and syncs everything, stops the timers. `done` runs once the last sync has finished.
  void shutdown() noexcept;

  // For streams.
  Server& server() noexcept { return server_; }
  uv_loop_t* loop() noexcept;
  Logger& log() noexcept;
  const JetStreamOptions& options() const noexcept { return options_; }
  InternalClient& client() noexcept { return client_; }
  // Unix time in ns, from the system clock.
  static std::int64_t now_ns() noexcept;
  // Publishes `body` (with no headers, or the complete header block `headers`) to `subject`. API
  // replies are framed as a client's; what streams send (PubAcks, direct gets, statuses) as nats-server
  // frames its JetStream internals' messages (`internal_framing`, see RoutedMessage).
  void send(std::string_view subject, std::string_view headers, std::string_view body,
            bool internal_framing = false);
  // A stream appended this turn.
  void mark_dirty(Stream& stream);
  // A stream with an age limit has a message expiring at `deadline_ns`.
  void schedule_expiry(std::int64_t deadline_ns) noexcept;

  const std::map<std::string, std::shared_ptr<Stream>>& streams() const noexcept { return streams_; }
  const ApiCounters& api_counters() const noexcept { return api_; }
  std::uint64_t memory_bytes() const noexcept;
  std::uint64_t storage_bytes() const noexcept;
  // <store_dir>/jetstream
  const std::string& root() const noexcept { return root_; }
  // The server-wide limits as nats-server reports them (JetStreamConfig max_memory, max_storage): the
  // configured values, or nats-server's defaults worked out once by start(): 3/4 of the machine's RAM
  // (256 MiB when unknown) and 3/4 of the space free to unprivileged users under root() (1 TiB when
  // unknown).
  std::int64_t max_memory() const noexcept { return max_memory_; }
  std::int64_t max_storage() const noexcept { return max_storage_; }
  // True while the streams of that kind hold more than the server-wide limit: publishes to them are
  // refused (10023) as nats-server refuses them. The usage is taken at the end of each loop turn in
  // which a stream wrote, so a turn's publishes may pass the limit by what that turn stored.
  bool over_limit(stream::StorageKind kind) const noexcept {
    return kind == stream::StorageKind::kMemory ? memory_over_ : storage_over_;
  }

 private:
  friend class ApiRequest;
  void handle_api(const RoutedMessage& msg);
  void recover_streams();
  static void on_sync_timer(uv_timer_t* timer) noexcept;
  static void on_expiry_timer(uv_timer_t* timer) noexcept;
  void run_expiry() noexcept;
  void update_usage() noexcept;

  Server& server_;
  JetStreamOptions options_;
  std::string root_;
  InternalClient client_;
  std::map<std::string, std::shared_ptr<Stream>> streams_;
  std::vector<std::weak_ptr<Stream>> dirty_;
  ApiCounters api_;
  std::int64_t max_memory_ = 0;
  std::int64_t max_storage_ = 0;
  bool memory_over_ = false;
  bool storage_over_ = false;
  uv_timer_t sync_timer_{};
  uv_timer_t expiry_timer_{};
  std::int64_t expiry_armed_ns_ = 0;
  bool timers_open_ = false;
};

}  // namespace tern::server::jetstream
