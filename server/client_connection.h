// One client's TCP connection: its read path into the parser, the processing of each op, its outbound
// queue and its lifetime.
//
// Lifetime: a connection is created on accept and deleted only in the close callback of its last
// libuv handle. close() never frees anything; it marks the connection, takes its subscriptions out of
// the subject index and hands it to the server, which closes the handles after the loop's flush.
// Everything here runs on the loop thread.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/connect.h"
#include "protocol/parser.h"
#include "server/auth.h"
#include "server/outbound.h"
#include "server/sid_table.h"
#include "server/sublist.h"
#include "server/subscription.h"

namespace tern::server {

class Server;

// Why a connection closed; it decides the log line and whether the server counts anything.
enum class CloseReason : std::uint8_t {
  kClientClosed,
  kReadError,
  kWriteError,
  kProtocolViolation,
  kParseError,
  kAuthenticationTimeout,
  kAuthorizationViolation,
  kMaxPayloadExceeded,
  kMaxControlLineExceeded,
  kMaxConnectionsExceeded,
  kBadClientProtocolVersion,
  kNoRespondersRequiresHeaders,
  kStaleConnection,
  kSlowConsumerPendingBytes,
  kSlowConsumerWriteDeadline,
  kServerShutdown,
};

std::string_view close_reason_text(CloseReason reason) noexcept;

class ClientConnection {
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

  std::uint64_t cid() const noexcept { return cid_; }
  bool closing() const noexcept { return closing_; }
  bool wants_headers() const noexcept { return headers_; }
  bool echo() const noexcept { return connect_.echo; }
  const std::string& ident() const noexcept { return ident_; }
  std::size_t subscription_count() const noexcept { return subs_.size(); }

  // Queues bytes for the client, counting them against max_pending first: past the budget the
  // connection is a slow consumer and is closed instead. Returns false when the bytes were not queued.
  bool queue_outbound(std::string_view bytes) noexcept;
  // For writers that format in place: room for `n` bytes, or nullptr (and the connection closed as a
  // slow consumer) when the budget is exceeded. A non-null result must be followed by commit_outbound.
  char* reserve_outbound(std::size_t n) noexcept;
  void commit_outbound(std::size_t n) noexcept;

  // Writes what is queued: a non-blocking write first, then an asynchronous one for the rest. Called
  // by the server once per loop turn for each connection that queued bytes.
  void flush_outbound() noexcept;
  // True while an asynchronous write is outstanding; its start time feeds the write deadline.
  bool write_in_flight() const noexcept { return write_in_flight_ != 0; }
  std::chrono::steady_clock::time_point write_started() const noexcept { return write_started_; }

  // Lame-duck mode: an INFO with "ldm":true, to a client that can take INFO updates (it declared
  // protocol 1 and has had its first PONG), as nats-server sends it.
  void notify_lame_duck() noexcept;
  // Shutdown: stops reading and closes the connection once what is queued has been written (or when
  // the server's grace period ends).
  void begin_shutdown() noexcept;
  // Marks the connection closed and schedules its handles' close. Idempotent.
  void close(CloseReason reason) noexcept;
  // Closes the libuv handles after a last non-blocking write. Called by the server outside any of
  // this connection's callbacks.
  void close_handles() noexcept;

  // Delivery bookkeeping used by the message router.
  void count_delivery(std::size_t bytes) noexcept {
    ++out_msgs_;
    out_bytes_ += bytes;
  }
  // Ends a subscription of this connection (UNSUB, or its max reached during delivery).
  void remove_subscription(Subscription* sub) noexcept;

  // Intrusive hook of the server's flush list.
  bool in_flush_list = false;

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

  void process_input(std::string_view bytes);
  void process_parse_error();
  void process_op(const protocol::Op& op);
  void process_connect(const protocol::Op& op);
  void finish_connect();
  void start_async_auth();
  static void on_auth_work(uv_work_t* req) noexcept;
  static void on_auth_done(uv_work_t* req, int status) noexcept;
  void release_reference() noexcept;
  void process_pub(const protocol::Op& op);
  void process_sub(const protocol::Op& op);
  void process_unsub(const protocol::Op& op);
  void process_ping();
  void process_pong();
  void send_err(std::string_view text) noexcept;
  void send_info() noexcept;
  void send_no_responders(std::string_view reply);
  bool check_credentials(const protocol::ConnectOptions& connect) const;
  void arm_timer() noexcept;
  void on_timer_fired() noexcept;
  void slow_consumer(CloseReason reason) noexcept;
  void update_ident();

  Server& server_;
  const std::uint64_t cid_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_write_t write_req_{};
  // libuv handles and requests that still point at this object; it is deleted when the count ends.
  int open_handles_ = 0;
  bool tcp_open_ = false;

  // A bcrypt check runs on libuv's thread pool: it takes tens of milliseconds, which would stall every
  // client if it ran on the loop. Reading pauses meanwhile, and the rest of the read that carried
  // CONNECT waits in deferred_input_.
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
  OutboundBuffer out_;
  protocol::ConnectOptions connect_;
  bool connect_received_ = false;
  bool awaiting_auth_ = false;
  bool headers_ = false;
  bool closing_ = false;
  bool draining_ = false;
  bool pong_sent_ = false;  // The client's first PING has been answered.  // Shutting down: writing out what
                            // is queued, then closing.
  bool handles_closing_ = false;
  CloseReason close_reason_ = CloseReason::kClientClosed;

  std::size_t write_in_flight_ = 0;  // Bytes of the outstanding asynchronous write.
  std::chrono::steady_clock::time_point write_started_{};

  // Keep-alive: PINGs sent and not answered, and when the client last sent anything.
  int pings_out_ = 0;
  // When a round trip was last measured (CONNECT or PONG); the epoch while none was.
  std::chrono::steady_clock::time_point rtt_measured_at_{};
  // The client's last PUB, SUB or PING (the loop's clock, in ms), which postpone the server's PING
  // like nats-server's. The loop's cached time, because reading the clock per message cost more than
  // parsing the message.
  std::uint64_t last_activity_ms_ = 0;
  void note_activity() noexcept { last_activity_ms_ = uv_now(server_loop_); }
  uv_loop_t* server_loop_ = nullptr;
  std::chrono::steady_clock::time_point ping_sent_at_{};
  std::chrono::steady_clock::time_point next_ping_{};
  std::chrono::steady_clock::time_point auth_deadline_{};

  SidTable subs_;

  // The last match this connection published to: a publisher repeating a subject skips the shared
  // index entirely while the index's generation is unchanged.
  std::string last_subject_;
  std::uint64_t last_generation_ = 0;
  MatchRef last_match_;

  std::string remote_ip_;
  int remote_port_ = 0;
  std::string ident_;  // "ip:port - cid:N" and the client's name, for log lines.

  std::uint64_t in_msgs_ = 0, in_bytes_ = 0, out_msgs_ = 0, out_bytes_ = 0;

  friend class Server;
  friend class MessageRouter;
};

}  // namespace tern::server
