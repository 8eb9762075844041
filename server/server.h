// The server: one libuv loop on one thread, the listener, the registry of connections, the subject
// index, and the per-loop-turn work (flushing connections that queued bytes, then closing the ones
// that asked to close).
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/auth.h"
#include "server/backpressure.h"
#include "server/counters.h"
#include "server/fast_random.h"
#include "server/flush_scheduler.h"
#include "server/log.h"
#include "server/monitor/snapshot.h"
#include "server/options.h"
#include "server/outbound.h"
#include "server/process_usage.h"
#include "server/router.h"
#include "server/sublist.h"

namespace tern::server {

class ClientConnection;
namespace monitor {
class Monitor;
}
namespace jetstream {
class JetStream;
}

class Server {
 public:
  // A read at least this large keeps the loop polling instead of sleeping for a few turns. Small reads
  // (a request, a lone message) do not: on a core shared with clients, spinning would only delay them.
  static constexpr std::size_t kBusyPollMinRead = 16 * 1024;

  // `flags` are the command line's, kept so that a reload (SIGHUP) reads the configuration file again
  // with the same overrides on top.
  Server(Options options, Logger& log, FlagOverrides flags = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and listens, and writes the pid and ports files. Returns an empty string on success, else
  // the reason it could not start.
  std::string start();
  // Runs the loop until shutdown() has finished closing everything. Returns the process exit code.
  int run();
  // Stops accepting and reading, gives every connection a grace period to take what is queued for it,
  // closes them, and (when run() returns) removes the pid and ports files. Safe to call more than
  // once; called on SIGINT and SIGTERM.
  void shutdown() noexcept;

  // The port actually bound (differs from the option when it was 0 or -1).
  int bound_port() const noexcept { return bound_port_; }
  // The monitoring port actually bound; 0 without monitoring.
  int monitor_port() const noexcept;
  // The JetStream service, or null when JetStream is not enabled.
  jetstream::JetStream* jetstream() const noexcept { return jetstream_.get(); }

  // For connections.
  uv_loop_t* loop() noexcept { return &loop_; }
  const Options& options() const noexcept { return options_; }
  Logger& log() noexcept { return log_; }
  Sublist& sublist() noexcept { return sublist_; }
  const Authenticator& authenticator() const noexcept { return *authenticator_; }
  // A reference that stays valid across a reload, for a credential check on another thread.
  std::shared_ptr<const Authenticator> authenticator_snapshot() const noexcept { return authenticator_; }
  ChunkPool& chunk_pool() noexcept { return chunk_pool_; }
  ServerCounters& counters() noexcept { return counters_; }
  const ServerCounters& counters() const noexcept { return counters_; }
  FastRandom& random() noexcept { return random_; }
  // The client connection with this cid, or null once it has been deleted.
  ClientConnection* find_connection(std::uint64_t cid) const noexcept;

  // Routes `msg` from `publisher` to every subscription its subject reaches. A publish from inside a
  // delivery (an internal subscriber's handler answering a request) is copied and routed as soon as
  // the outer route has finished, so that handlers never nest and a handler publishing to its own
  // subject cannot recurse; its result is then empty. Precondition (for a nested publish): `publisher`
  // outlives the outer route.
  RouteResult route(Publisher& publisher, const RoutedMessage& msg);
  // ---- Monitoring: snapshots copied when a request is served, never per message.
  // The wall-clock time of a loop timestamp (uv_now's milliseconds).
  monitor::SystemTime system_time_of(std::uint64_t loop_ms) const noexcept;
  void describe(monitor::ServerInfo& out) const;
  monitor::SublistInfo describe_sublist() const;
  // JetStream's configuration and usage; nullopt when JetStream is off. Walks the streams once; copies
  // each stream's figures only with `stream_details`, and its configuration too with `configs`.
  std::optional<monitor::JetStreamInfo> describe_jetstream(bool stream_details, bool configs) const;
  // Every open connection (not closing), with its subscriptions when asked.
  std::vector<monitor::ConnectionInfo> open_connections(bool with_subscriptions) const;
  // The most recently closed connections, oldest first, at most max_closed_clients of them.
  const std::deque<monitor::ConnectionInfo>& closed_connections() const noexcept { return closed_; }
  const std::string& server_id() const noexcept { return server_id_; }

  // Ids for the server's own subscribers and publishers, apart from client cids (which nats-server
  // numbers from 4, and tools read).
  std::uint64_t next_internal_id() noexcept { return kInternalIdBase + next_internal_id_++; }
  // The loop-wide read buffer. Reads are parsed before the next read can land in it.
  uv_buf_t read_buffer() noexcept { return uv_buf_init(read_slab_, sizeof read_slab_); }
  // The INFO line for a connection: the shared fields, then its client_id and client_ip.
  std::string info_line(std::uint64_t cid, const std::string& client_ip, bool lame_duck = false) const;
  // SIGUSR2: stop accepting, tell clients (INFO with "ldm":true) so that they move elsewhere, then
  // close them spread over lame_duck_duration after lame_duck_grace_period, and shut down.
  void enter_lame_duck() noexcept;
  bool auth_required() const noexcept { return authenticator_->required(); }
  // Reads the configuration again (SIGHUP) and applies what can change while running. Returns an
  // empty string on success, else why nothing was changed.
  std::string reload() noexcept;

  // Flushes `target` at the end of this loop turn; a target already scheduled stays scheduled once.
  void schedule_flush(FlushTarget& target) noexcept;
  // Called by a connection whose close has begun: its handles close at the end of this loop turn.
  void connection_closing(ClientConnection& conn) noexcept;
  // Backpressure. Pauses `publisher`'s reads until the receiver with id `receiver` drains, closes or
  // the time bound for its backlog passes. False when there is nothing to wait for (the receiver is
  // gone or no longer congested).
  bool stall(ClientConnection& publisher, std::uint64_t receiver) noexcept;
  // A congested receiver is back under its high-water mark: the publishers waiting for it resume.
  void receiver_drained(ClientConnection& receiver) noexcept;
  // Counts large reads, the sign of a stream under load; the loop polls on briefly after one (run()).
  void note_read(std::size_t bytes) noexcept {
    if (bytes >= kBusyPollMinRead) ++reads_;
  }
  // A client subscription was added: JetStream's push consumers without interest look again.
  void subscription_added(std::string_view subject) noexcept;
  // Called from a connection's last close callback.
  void forget(ClientConnection& conn) noexcept;
  // Subscriptions that ended are freed at the end of the loop turn, after any delivery that may still
  // hold a match result naming them.
  void retire(std::unique_ptr<Subscription> sub) noexcept;

 private:
  static void on_connection(uv_stream_t* listener, int status) noexcept;
  static void on_check(uv_check_t* check) noexcept;
  static void on_prepare(uv_prepare_t* prepare) noexcept;
  static void on_signal(uv_signal_t* signal, int signum) noexcept;
  static void on_reopen_log_signal(uv_signal_t* signal, int signum) noexcept;
  static void on_reload_signal(uv_signal_t* signal, int signum) noexcept;
  static void on_lame_duck_signal(uv_signal_t* signal, int signum) noexcept;
  static void on_lame_duck_timer(uv_timer_t* timer) noexcept;
  void build_info_prefix();
  void remember_closed(const ClientConnection& conn) noexcept;
  void close_monitor() noexcept;
  std::string init_handles();
  void check_uv(int rc, const char* what) noexcept;
  static void on_housekeeping(uv_timer_t* timer) noexcept;
  static void on_shutdown_timer(uv_timer_t* timer) noexcept;
  static void on_stall_timer(uv_timer_t* timer) noexcept;
  static void on_idle(uv_idle_t* idle) noexcept;
  void arm_stall_timer() noexcept;
  void resume_publishers(const std::vector<std::uint64_t>& ids) noexcept;
  void route_deferred() noexcept;
  void close_server_handles_when_idle() noexcept;

  void accept_connection() noexcept;
  void end_of_turn() noexcept;
  void check_write_deadlines() noexcept;
  void write_ports_file();
  void remove_files() noexcept;

  Options options_;
  Logger& log_;
  uv_loop_t loop_{};
  uv_tcp_t listener_{};
  uv_check_t check_{};
  uv_prepare_t prepare_{};
  uv_timer_t housekeeping_{};
  uv_timer_t shutdown_timer_{};
  uv_timer_t stall_timer_{};
  // Active while a flush stopped at its per-turn cap, so that the loop polls instead of sleeping.
  uv_idle_t idle_{};
  bool idle_active_ = false;
  bool server_handles_closed_ = false;
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_signal_t sigusr1_{};
  uv_signal_t sighup_{};
  uv_signal_t sigusr2_{};
  uv_timer_t lame_duck_timer_{};
  bool lame_duck_ = false;
  bool lame_duck_closing_ = false;
  std::size_t lame_duck_batch_ = 1;
  FlagOverrides flags_;
  std::string server_id_;
  bool listening_ = false;
  bool shutting_down_ = false;
  int bound_port_ = 0;
  std::string ports_file_;
  std::string info_prefix_;

  std::shared_ptr<const Authenticator> authenticator_;
  Sublist sublist_;
  ChunkPool chunk_pool_;
  ServerCounters counters_;
  FastRandom random_;
  FlushScheduler flushes_;
  Backpressure backpressure_;
  // Publishes made from inside a route, waiting for it to finish (see route()).
  struct DeferredPublish {
    Publisher* publisher;
    std::string subject, reply, payload;
    std::size_t header_size;
    bool blank_reply_token;
    std::string route_subject;
  };
  std::deque<DeferredPublish> deferred_;
  int route_depth_ = 0;
  static constexpr std::uint64_t kInternalIdBase = std::uint64_t{1} << 62;
  std::uint64_t next_internal_id_ = 1;
  // nats-server's first client is cid 4 (its internal clients take 1 to 3); tools and tests that read
  // client ids see the same numbers from ternd.
  std::uint64_t next_cid_ = 4;
  std::uint64_t reads_ = 0;

  // Every connection not yet deleted, by cid.
  std::unordered_map<std::uint64_t, ClientConnection*> connections_;
  std::size_t closing_connections_ = 0;  // Members of connections_ whose close has begun.
  std::vector<ClientConnection*> close_list_;
  std::deque<monitor::ConnectionInfo> closed_;
  ProcessUsage process_;
  std::unique_ptr<monitor::Monitor> monitor_;
  bool monitor_open_ = false;
  monitor::SystemTime started_at_ = std::chrono::system_clock::now();
  monitor::SystemTime config_loaded_at_ = started_at_;
  std::vector<std::unique_ptr<Subscription>> retired_subs_;
  // After the index and the retired subscriptions: its internal client unsubscribes when destroyed.
  std::unique_ptr<jetstream::JetStream> jetstream_;

  alignas(64) char read_slab_[64 * 1024];
};

}  // namespace tern::server
