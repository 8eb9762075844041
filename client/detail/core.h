// The engine behind tern::client::Client: one connection's state, its libuv handles and its threads'
// meeting points. Private to the library.
//
// Threads. All libuv calls happen on the I/O thread (the client's own thread, or the thread running an
// attached loop). Other threads touch only the state guarded by mu_, and reach the I/O thread with
// wake_locked(), which sends one uv_async_send per batch of work. User callbacks run on the I/O thread
// inside dispatch(), which holds dispatch_mu_: a thread that must be sure a callback is not running
// (unsubscribing, destroying the Client) takes dispatch_mu_ to flip a flag the callback path checks.
// Lock order: never take dispatch_mu_ while holding mu_, and never call user code while holding mu_.
//
// Lifetime. A Core is shared by the Client, its Subscriptions and, while libuv handles are open, by
// itself (self_) or the thread running its loop. Handles are freed only in their close callbacks.
#pragma once

#include <uv.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/error.h"
#include "client/message.h"
#include "client/nuid.h"
#include "client/options.h"
#include "client/server_pool.h"
#include "client/status.h"
#include "protocol/info.h"
#include "protocol/parser.h"

namespace tern::client::detail {

using Clock = std::chrono::steady_clock;
using MessageHandler = std::function<void(Message)>;
using ReplyHandler = std::function<void(Expected<Message>)>;
using CompletionHandler = std::function<void(std::error_code)>;

using State = Status;

// One subscription. Fields other than `active` are guarded by Core::mu_ once the subscription is
// registered; `active` is cleared under Core::dispatch_mu_ (or on the I/O thread) and checked by the
// delivery path under the same lock, so that no handler runs once it is false.
struct SubState {
  std::uint64_t sid = 0;
  std::string subject;
  std::string queue;
  MessageHandler handler;
  std::uint64_t max_messages = 0;  // 0: no limit.
  std::uint64_t delivered = 0;
  // `delivered` when the subscription was last sent to the server: the server counts an UNSUB's
  // maximum from there, since it knows nothing of earlier connections.
  std::uint64_t delivered_base = 0;
  bool inbox = false;  // The request/reply mux subscription.
  std::atomic<bool> active{true};
};

struct Transport;

// The close callback of the Core's own handles, whose data is the Core.
void handle_closed_cb(uv_handle_t* handle) noexcept;

class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Options options, ServerPool pool);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Starts the I/O thread (or attaches to options.loop) and begins connecting. With an own thread,
  // waits for the first connection and returns its outcome; attached, returns at once.
  std::error_code start();

  // --- Any thread. ---
  std::error_code publish(std::string_view subject, std::string_view reply, const Headers* headers,
                          std::string_view data);
  Expected<std::shared_ptr<SubState>> subscribe(std::string_view subject, std::string_view queue,
                                                MessageHandler handler, std::uint64_t max_messages);
  // max_messages 0: at once; otherwise after that many deliveries in total.
  std::error_code unsubscribe(SubState& sub, std::uint64_t max_messages);
  // `user_handler` says whether the handler is user code (run under dispatch, never after the Client
  // is gone) or the library's own (a promise, always completed).
  void request(std::string_view subject, const Headers* headers, std::string_view data,
               std::chrono::milliseconds timeout, ReplyHandler handler, bool user_handler);
  void flush_async(std::chrono::milliseconds timeout, CompletionHandler handler, bool user_handler);
  std::error_code flush(std::chrono::milliseconds timeout);
  std::error_code drain(std::chrono::milliseconds timeout);
  // Runs `call` on the I/O thread once `delay` has passed, as user code (under dispatch: never after
  // the owner is gone). Returns an id for cancel_call, or 0 when the client is closed (`call` never
  // runs). Layers of the library above the connection (JetStream's heartbeat watch) use it instead of
  // timers of their own.
  std::uint64_t call_later(std::chrono::milliseconds delay, std::function<void()> call);
  // Cancels a call not yet run; harmless for one that ran or was never made. A call already running
  // on the I/O thread is not waited for.
  void cancel_call(std::uint64_t id);
  void close();
  // Runs user code on the I/O thread unless the owner is gone; swallows exceptions, which must not
  // cross libuv's C stack. I/O thread only (library completions that end in user code use it).
  void dispatch(const std::function<void()>& call) noexcept;
  // Called by ~Client: no user callback runs once this returns; then closes and, for an own thread,
  // joins it (or detaches it when called on it).
  void shutdown_from_owner();

  State state() const;
  bool on_io_thread() const noexcept { return std::this_thread::get_id() == io_thread_.load(); }
  std::string new_inbox();
  std::string connected_url() const;
  protocol::ServerInfo server_info() const;
  Statistics statistics() const;
  std::error_code last_error() const;

  // --- I/O thread only (called from the libuv callbacks in core_io.cpp). ---
  void on_wake() noexcept;
  void on_resolved(std::uint64_t attempt, int status, addrinfo* result) noexcept;
  void on_tcp_connected(Transport* transport, int status) noexcept;
  void on_read(Transport* transport, ssize_t nread) noexcept;
  void on_write_done(Transport* transport, int status) noexcept;
  // Adds a completed write to Statistics::written_bytes.
  void count_written(std::size_t bytes) noexcept;
  void on_handle_closed() noexcept;
  void on_deadline_timer() noexcept;
  void on_attempt_timeout() noexcept;
  void on_retry_timer() noexcept;
  void on_ping_timer() noexcept;
  void on_linger_timeout() noexcept;
  // Called from the tcp handle's close callback, just before the Transport is freed.
  void on_transport_closed(Transport* transport) noexcept;
  uv_buf_t read_buffer() noexcept { return uv_buf_init(read_buffer_.get(), kReadBufferSize); }

 private:
  static constexpr unsigned kReadBufferSize = 64 * 1024;

  enum class DeadlineKind : std::uint8_t { kRequest, kPong, kDrain, kCall };
  struct DeadlineRef {
    DeadlineKind kind;
    std::uint64_t id;
  };
  using DeadlineMap = std::multimap<Clock::time_point, DeadlineRef>;

  struct PendingRequest {
    ReplyHandler handler;
    bool user_handler = false;
    DeadlineMap::iterator deadline;
  };
  // One PING sent or queued, in order; a PONG completes the oldest. A waiter whose deadline passed
  // keeps its place with an empty handler, since its PONG will still come.
  struct PongWaiter {
    std::uint64_t id = 0;
    CompletionHandler handler;
    bool user_handler = false;
    std::optional<DeadlineMap::iterator> deadline;
  };

  // --- Guarded by mu_. ---
  void wake_locked();
  // Fails when `frame` more bytes would pass max_pending_bytes (connected) or the reconnect buffer.
  std::error_code check_room_locked(std::size_t frame) const;
  std::error_code queue_pub_locked(std::string_view subject, std::string_view reply,
                                   std::string_view header_block, std::string_view data);
  std::error_code queue_ping_locked(CompletionHandler handler, bool user_handler,
                                    std::optional<Clock::time_point> deadline);
  void append_sub_frames_locked(std::string& out, const SubState& sub) const;
  std::shared_ptr<SubState> ensure_inbox_locked();

  // --- I/O thread. ---
  // Creates the async handle and the timers; false when libuv cannot (out of file descriptors).
  bool initialise_handles();
  // Marks a start that failed before any connection attempt: the client is closed.
  std::error_code fail_start();
  void start_attempt();
  // Ends the current connection attempt and moves on: the next server, a backoff wait, or closing.
  void fail_attempt(std::error_code error);
  void schedule_reconnect();
  void complete_handshake();
  void connection_lost(std::error_code reason);
  void close_now(std::error_code reason);
  // Closes the current transport at once, dropping whatever is queued on it.
  void abort_transport();
  // Stops reading, writes `final_bytes` (when not empty) and shuts a connected transport down before
  // closing it. Returns true when the close waits for that shutdown: the transport is then lingering_
  // and the caller must start linger_timer_ to bound the wait.
  bool close_transport_gracefully(std::string final_bytes);
  void flush_outbound();
  void write_direct(std::string_view frames);
  void process_op(Transport& transport, const protocol::Op& op);
  void process_info(Transport& transport, std::string_view json);
  void process_pong();
  void process_err(Transport& transport, std::string_view text);
  void process_msg(const protocol::Op& op);
  void process_reply(Message message);
  void complete_waiter(PongWaiter& waiter, std::error_code result);
  void begin_drain();
  void finish_drain_unsubscribe(std::error_code error);
  void rearm_deadline_timer();
  void set_initial_result(std::error_code result);
  void maybe_release();
  // Clears `active` so the handler never runs again. Safe on any thread, including inside the handler.
  void deactivate(SubState& sub);

  const Options options_;
  std::shared_ptr<Core> self_;  // Held while handles are open on an attached loop.

  // The own loop and thread, when options_.loop is null.
  uv_loop_t own_loop_{};
  uv_loop_t* loop_ = nullptr;
  std::thread thread_;
  std::atomic<std::thread::id> io_thread_{};

  uv_async_t wake_{};
  uv_timer_t deadline_timer_{};
  uv_timer_t attempt_timer_{};
  uv_timer_t retry_timer_{};
  uv_timer_t ping_timer_{};
  uv_timer_t linger_timer_{};  // Bounds the graceful close of the last connection.
  int open_handles_ = 0;       // Handles and requests whose callbacks are still to come.
  bool handles_closing_ = false;

  // I/O thread state.
  ServerPool pool_;
  Transport* transport_ = nullptr;
  Transport* lingering_ = nullptr;  // Closed, waiting for its shutdown to complete.
  std::uint64_t attempt_id_ = 0;
  int failed_attempts_ = 0;  // Since the last successful handshake.
  bool ever_connected_ = false;
  int pings_out_ = 0;
  std::string direct_;  // Frames the I/O thread writes before outbound_ (handshake, PONG, resubscribe).
  std::unique_ptr<char[]> read_buffer_;
  std::size_t dispatch_depth_ = 0;
  std::mt19937 jitter_random_{std::random_device{}()};

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable state_changed_;
  State state_ = State::kConnecting;
  std::string outbound_;
  std::size_t in_flight_bytes_ = 0;  // Size of the write in flight on the connected transport.
  bool wake_pending_ = false;
  bool handles_ready_ = false;  // The async handle exists: wake_locked may signal it.
  bool close_requested_ = false;
  bool drain_requested_ = false;
  bool draining_ = false;
  bool timer_dirty_ = false;
  std::error_code drain_result_;
  std::error_code closed_reason_;
  std::int64_t max_payload_ = 0;
  protocol::ServerInfo info_;
  std::string connected_url_;
  std::unordered_map<std::uint64_t, std::shared_ptr<SubState>> subs_;
  std::uint64_t next_sid_ = 1;
  std::shared_ptr<SubState> inbox_sub_;
  std::string inbox_prefix_;  // `_INBOX.<nuid>.`
  Nuid nuid_;
  std::unordered_map<std::uint64_t, PendingRequest> requests_;
  std::uint64_t next_request_id_ = 1;
  struct PendingCall {
    std::function<void()> call;
    DeadlineMap::iterator deadline;
  };
  std::unordered_map<std::uint64_t, PendingCall> calls_;
  std::uint64_t next_call_id_ = 1;
  std::deque<PongWaiter> pong_waiters_;
  // PINGs queued in outbound_ (the newest entries of pong_waiters_): they survive a lost connection.
  std::size_t pings_in_outbound_ = 0;
  std::uint64_t next_pong_id_ = 1;
  DeadlineMap deadlines_;
  Statistics stats_;
  std::optional<std::promise<std::error_code>> initial_result_;

  std::mutex dispatch_mu_;
  std::atomic<bool> owner_alive_{true};
};

}  // namespace tern::client::detail
