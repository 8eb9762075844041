// The JetStream service: the streams of the server's one account, the `$JS.API.>` request handlers, and
// the per-loop-turn write and the syncs of every stream. It is a peer inside the server (an
// InternalClient): it receives requests and stream messages through the same delivery interface as a
// client connection and answers through the same routing.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/internal_client.h"
#include "server/jetstream/consumer.h"
#include "server/jetstream/stream.h"
#include "server/options.h"
#include "server/router.h"

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
  // End of the loop turn: consumers with messages to send deliver a bounded batch each, then every
  // stream that appended writes its records and acknowledges them. Returns true when consumers have
  // work left for the next turn (the loop must not sleep).
  bool end_of_turn() noexcept;
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

  // ---- Consumers (consumer_service.cpp).
  // `consumer` has something to deliver: it runs at the end of this loop turn.
  void mark_ready(Consumer& consumer);
  // `consumer`'s next deadline may have changed: the one deadline queue holds it.
  void schedule(Consumer& consumer) noexcept;
  // Routes a consumer's delivery: framed with `subject` (the stored message's), routed by
  // `route_subject` (the deliver subject or a pull request's reply), with `reply` (the ack subject).
  RouteResult deliver(std::string_view route_subject, std::string_view reply, std::string_view headers,
                      std::string_view body, std::string_view subject);
  // Whether any subscription matches the literal `subject`.
  bool has_interest(std::string_view subject);
  // Whether a subscription on exactly `subject` exists: nats-server's push consumers learn their
  // interest from a notification on the literal deliver subject, which wildcard subscriptions do not
  // raise, so only those make a push consumer active.
  bool has_exact_interest(std::string_view subject);
  // `consumer` waits for a congested receiver (Consumer::stalled_on).
  void note_stalled(Consumer& consumer);
  // A receiver drained or closed: consumers waiting for it go on.
  void receiver_drained(std::uint64_t receiver) noexcept;
  // A client subscribed to `subject`: the push consumers waiting for interest on exactly that subject
  // look again.
  void subscription_added(std::string_view subject) noexcept;
  // `consumer`, a push consumer, has no interest on its deliver subject: a subscription to it wakes it.
  void await_interest(Consumer& consumer);
  // `consumer` has state to write (written at most once per second, on the pool).
  void mark_consumer_dirty(Consumer& consumer);
  // Four characters of nats-server's base-62 alphabet, for flow-control subjects.
  std::string random_token4();
  std::uint64_t next_consumer_id() noexcept { return next_consumer_id_++; }
  void register_consumer(const std::shared_ptr<Consumer>& consumer);
  // Stops and removes a consumer of `stream`; with `erase_state`, its directory goes too.
  void delete_consumer(Stream& stream, const std::string& name, bool erase_state);
  std::size_t consumer_count() const noexcept { return consumers_by_id_.size(); }

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
  // Consumers: the deliveries of one loop turn, the deadline queue, recovery and state writes.
  bool run_ready_consumers() noexcept;
  static void on_deadline_timer(uv_timer_t* timer) noexcept;
  void run_deadlines() noexcept;
  void arm_deadline_timer() noexcept;
  static void on_state_timer(uv_timer_t* timer) noexcept;
  void write_consumer_states(bool sync_now) noexcept;
  void recover_consumers(const std::shared_ptr<Stream>& stream, const std::string& dir);
  std::string start_consumer_timers();
  void close_consumer_timers() noexcept;

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
  // Consumers.
  struct ConsumerDeadline {
    std::int64_t when_ns;
    std::uint64_t consumer_id;
    bool operator>(const ConsumerDeadline& other) const noexcept { return when_ns > other.when_ns; }
  };
  std::unordered_map<std::uint64_t, std::weak_ptr<Consumer>> consumers_by_id_;
  std::vector<std::weak_ptr<Consumer>> ready_;
  std::vector<std::weak_ptr<Consumer>> stalled_;
  // Push consumers without interest, by deliver subject: a SUB costs one lookup, not a walk.
  std::unordered_multimap<std::string, std::weak_ptr<Consumer>> awaiting_interest_;
  std::vector<std::weak_ptr<Consumer>> dirty_consumers_;
  std::unordered_set<std::uint64_t> state_writes_;
  std::priority_queue<ConsumerDeadline, std::vector<ConsumerDeadline>, std::greater<>> deadlines_;
  uv_timer_t deadline_timer_{};
  uv_timer_t state_timer_{};
  std::int64_t deadline_armed_ns_ = 0;
  bool consumer_timers_open_ = false;
  std::string delivery_buffer_;
  std::uint64_t next_consumer_id_ = 1;
  std::uint64_t random_state_ = 0;
  uv_timer_t sync_timer_{};
  uv_timer_t expiry_timer_{};
  std::int64_t expiry_armed_ns_ = 0;
  bool timers_open_ = false;
};

}  // namespace tern::server::jetstream
