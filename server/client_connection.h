// One client's TCP connection: its read path into the parser, the processing of each op, its output
// and its lifetime. To the router it is a Subscriber (it receives MSG frames) and a Publisher (its PUBs
// are routed like anyone's); to the server's end of turn it is a FlushTarget.
//
// Lifetime: a connection is created on accept and deleted only in the close callback of its last
// libuv handle. close() never frees anything; it moves the state to kClosing, takes the subscriptions
// out of the subject index and hands the connection to the server, which closes the handles after the
// loop's flush. Everything here runs on the loop thread.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/connect.h"
#include "protocol/parser.h"
#include "server/auth.h"
#include "server/connection_state.h"
#include "server/counters.h"
#include "server/flush_scheduler.h"
#include "server/monitor/snapshot.h"
#include "server/outbound_queue.h"
#include "server/router.h"
#include "server/sid_table.h"
#include "server/subscriber.h"
#include "server/subscription.h"

namespace tern::server {

class Server;

class ClientConnection final : public Subscriber, public FlushTarget {
 public:
  ClientConnection(Server& server, std::uint64_t cid);
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;
  ~ClientConnection();

  // Accepts the pending connection on `listener` into this object. Returns a libuv error code.
  int accept_from(uv_stream_t* listener) noexcept;
  // Sends INFO, starts reading and arms the keep-alive timer. Precondition: accept_from succeeded.
  void start() noexcept;
  // Refuses the connection: INFO and -ERR 'maximum connections exceeded', then close.
  void refuse_max_connections() noexcept;

  std::uint64_t cid() const noexcept { return id(); }
  ConnectionState state() const noexcept { return state_; }
  // True once close() has run: nothing reaches the connection any more.
  bool closing() const noexcept { return is_closing(state_); }
  const std::string& ident() const noexcept { return ident_; }
  std::size_t subscription_count() const noexcept { return subs_.size(); }
  const TrafficCounters& counters() const noexcept { return counters_; }
  CloseReason close_reason() const noexcept { return close_reason_; }

  // What /connz reports of this connection; its subscriptions too when `with_subscriptions`.
  void describe(monitor::ConnectionInfo& out, bool with_subscriptions) const;

  // Subscriber: a MSG or HMSG frame for `sub`, queued within max_pending.
  Delivery deliver(const Subscription& sub, const RoutedMessage& msg) noexcept override;
  void end_subscription(Subscription& sub) noexcept override;

  // FlushTarget: writes what is queued, a non-blocking write first, then an asynchronous one for the
  // rest. Called by the server's flush scheduler at the end of each loop turn that queued bytes.
  Flushed flush(std::size_t budget) noexcept override;
  const OutboundQueue& outbound() const noexcept { return out_; }

  // Backpressure: reading resumes after a pause for a congested receiver (it drained, went away, or
  // the pause's time bound passed).
  void resume_reading() noexcept;

  // Lame-duck mode: an INFO with "ldm":true, to a client that can take INFO updates (it declared
  // protocol 1 and has had its first PONG), as nats-server sends it.
  void notify_lame_duck() noexcept;
  // Shutdown: stops reading and closes the connection once what is queued has been written (or when
  // the server's grace period ends).
  void begin_shutdown() noexcept;
  // Cut as a slow consumer: nothing more is sent, not even an -ERR.
  void slow_consumer(CloseReason reason) noexcept;
  // Moves to kClosing and schedules the handles' close. Idempotent.
  void close(CloseReason reason) noexcept;
  // Closes the libuv handles after a last non-blocking write. Called by the server outside any of
  // this connection's callbacks. Precondition: closing().
  void close_handles() noexcept;

 private:
  using Clock = std::chrono::steady_clock;
  // The first PING after CONNECT comes within this, plus up to a fifth, as nats-server's does.
  static constexpr auto kFirstPingInterval = std::chrono::seconds(2);
  // Bytes handed to one write call. Loopback writes of exactly 64 KiB are slow on the kernels we run
  // on; batches of up to two chunks stay clear of that.
  static constexpr std::size_t kMaxWriteBatch = 2 * ChunkPool::kChunkCapacity;
  static constexpr std::size_t kMaxWriteBuffers = 64;

  // The connection a libuv handle or request belongs to (its data field).
  template <typename T>
  static ClientConnection* owner(T* handle) noexcept {
    return static_cast<ClientConnection*>(handle->data);
  }

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void on_write(uv_write_t* req, int status) noexcept;
  static void on_timer(uv_timer_t* timer) noexcept;
  static void on_close(uv_handle_t* handle) noexcept;

  // The one place the state changes: asserts the transition and starts or stops reading to match.
  void set_state(ConnectionState next) noexcept;
  void update_reading() noexcept;

  void process_input(std::string_view bytes);
  void process_parse_error();
  void process_op(const protocol::Op& op);
  void process_connect(const protocol::Op& op);
  void finish_connect();
  void start_async_auth();
  static void on_auth_work(uv_work_t* req) noexcept;
  static void on_auth_done(uv_work_t* req, int status) noexcept;
  void finish_async_auth(bool authorized) noexcept;
  void release_reference() noexcept;
  void process_pub(const protocol::Op& op);
  void process_sub(const protocol::Op& op);
  void process_unsub(const protocol::Op& op);
  void process_ping();
  void process_pong();
  void remove_subscription(Subscription* sub) noexcept;
  void stall_if_congested() noexcept;

  // Output. queue_outbound copies whole frames; reserve/commit let writers format in place.
  bool queue_outbound(std::string_view bytes) noexcept;
  char* reserve_outbound(std::size_t n) noexcept;
  void commit_outbound(std::size_t n) noexcept;
  void note_written() noexcept;
  void send_err(std::string_view text) noexcept;
  void send_info(bool lame_duck = false) noexcept;
  void send_no_responders(std::string_view reply);
  bool check_credentials(const protocol::ConnectOptions& connect) const;
  void arm_timer() noexcept;
  void on_timer_fired() noexcept;
  void update_ident();

  Server& server_;
  uv_loop_t* const loop_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_write_t write_req_{};
  // libuv handles and requests that still point at this object; it is deleted when the count ends.
  int open_handles_ = 0;
  bool tcp_open_ = false;
  bool reading_ = false;  // uv_read_start is in effect.
  ConnectionState state_ = ConnectionState::kAwaitingAuth;
  CloseReason close_reason_ = CloseReason::kClientClosed;

  // A bcrypt check runs on libuv's thread pool: it takes tens of milliseconds, which would stall every
  // client if it ran on the loop. The state is kAuthenticating meanwhile (reads paused), and the rest of
  // the read that carried CONNECT waits in deferred_input_.
  struct AuthWork {
    uv_work_t req{};
    // The authenticator as it was when the check started; a reload may replace the server's meanwhile.
    std::shared_ptr<const Authenticator> authenticator;
    ClientCredentials credentials;
    std::string token, user, pass;
    bool authorized = false;
  };
  std::unique_ptr<AuthWork> auth_work_;
  std::string deferred_input_;

  protocol::Parser parser_;
  OutboundQueue out_;
  protocol::ConnectOptions connect_;
  // Facts of the protocol exchange, not of the connection's lifetime.
  bool connect_received_ = false;
  bool headers_ = false;    // The client takes HMSG (CONNECT's headers, and the server allows them).
  bool pong_sent_ = false;  // The client's first PING has been answered (it may take INFO updates).
  // Above its high-water mark when last written to; publishers may be waiting for it to drain.
  bool congested_ = false;

  Publisher publisher_;
  // The id of a receiver the last routes left congested (0: none); the reads pause for it once the
  // current read has been processed.
  std::uint64_t stall_on_ = 0;

  // Keep-alive: PINGs sent and not answered, and when the client last sent anything.
  int pings_out_ = 0;
  // When a round trip was last measured (CONNECT or PONG); the epoch while none was.
  Clock::time_point rtt_measured_at_{};
  // The client's last PUB, SUB or PING (the loop's clock, in ms), which postpone the server's PING
  // like nats-server's. The loop's cached time, because reading the clock per message cost more than
  // parsing the message.
  std::uint64_t last_activity_ms_ = 0;
  void note_activity() noexcept { last_activity_ms_ = uv_now(loop_); }
  Clock::time_point ping_sent_at_{};
  // For monitoring: when the connection was accepted and INFO sent (CONNECT's arrival is the first
  // round-trip measurement, as in nats-server), the last measured round trip, and the last PUB, SUB,
  // UNSUB, CONNECT or delivery (the loop's clock, in ms; not PING or PONG).
  monitor::SystemTime started_at_{};
  Clock::time_point info_sent_at_{};
  Clock::duration rtt_{0};
  std::uint64_t last_traffic_ms_ = 0;
  Clock::time_point next_ping_{};
  Clock::time_point auth_deadline_{};

  SidTable subs_;

  std::string remote_ip_;
  int remote_port_ = 0;
  std::string ident_;  // "ip:port - cid:N" and the client's name, for log lines.

  TrafficCounters counters_;
};

}  // namespace tern::server
