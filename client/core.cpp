// Core: construction, start and shutdown, and the entry points callable from any thread. Each entry
// point changes state under mu_ and, when the I/O thread has work, wakes it once per batch.
#include "client/detail/core.h"

#include <fcntl.h>
#include <unistd.h>

#include "client/detail/transport.h"
#include "protocol/frames.h"
#include "protocol/subject.h"

namespace tern::client::detail {
namespace {

// Time a blocking caller waits beyond its own deadline, in case the loop cannot fire the timer (an
// attached loop that is not running).
constexpr std::chrono::milliseconds kBlockingGrace{1000};

bool is_valid_reply_subject(std::string_view reply) {
  return reply.empty() || protocol::is_valid_literal_subject(reply);
}

// libuv aborts the process instead of failing when the one-time setup of its first loop (a pipe for
// signal handling) cannot get descriptors. Opening and closing as many as a new loop needs first
// turns running out of them into an error; a race with other threads only makes the check optimistic.
bool descriptors_available() {
  int pipes[2][2];
  int made = 0;
  for (; made < 2; ++made) {
    if (::pipe2(pipes[made], O_CLOEXEC) != 0) break;
  }
  for (int i = 0; i < made; ++i) {
    ::close(pipes[i][0]);
    ::close(pipes[i][1]);
  }
  return made == 2;
}

}  // namespace

Core::Core(Options options, ServerPool pool)
    : options_(std::move(options)), pool_(std::move(pool)), read_buffer_(new char[kReadBufferSize]) {
  inbox_prefix_ = "_INBOX." + nuid_.next() + ".";
}

Core::~Core() {
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

std::error_code Core::start() {
  std::future<std::error_code> connected;
  {
    std::lock_guard lock(mu_);
    initial_result_.emplace();
    connected = initial_result_->get_future();
  }
  if (options_.loop != nullptr) {
    // Precondition: called on the thread that runs the attached loop.
    loop_ = options_.loop;
    io_thread_ = std::this_thread::get_id();
    self_ = shared_from_this();
    if (!initialise_handles()) return fail_start();
    start_attempt();
    return {};
  }
  // Both fail when the process is out of file descriptors; the client then reports an error.
  if (!descriptors_available() || uv_loop_init(&own_loop_) != 0) return fail_start();
  loop_ = &own_loop_;
  if (!initialise_handles()) {
    uv_run(loop_, UV_RUN_DEFAULT);  // Runs the close callbacks of the handles made before the failure.
    uv_loop_close(loop_);
    return fail_start();
  }
  // The thread owns a reference, so that the Core outlives its loop even if the Client is destroyed
  // on the I/O thread itself (the thread is then detached).
  std::promise<void> thread_known;
  std::future<void> thread_known_future = thread_known.get_future();
  thread_ = std::thread([self = shared_from_this(), &thread_known]() mutable {
    self->io_thread_ = std::this_thread::get_id();
    thread_known.set_value();
    self->start_attempt();
    uv_run(self->loop_, UV_RUN_DEFAULT);
    uv_loop_close(self->loop_);
  });
  thread_known_future.wait();
  return connected.get();
}

bool Core::initialise_handles() {
  const auto on_wake = [](uv_async_t* handle) noexcept { static_cast<Core*>(handle->data)->on_wake(); };
  if (uv_async_init(loop_, &wake_, on_wake) != 0) return false;
  wake_.data = this;
  ++open_handles_;
  uv_timer_t* timers[] = {&deadline_timer_, &attempt_timer_, &retry_timer_, &ping_timer_, &linger_timer_};
  for (uv_timer_t* timer : timers) {
    if (uv_timer_init(loop_, timer) != 0) {
      // Closes the handles made so far; close callbacks may release the Core, so this is the end.
      handles_closing_ = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&wake_), handle_closed_cb);
      for (uv_timer_t* made : timers) {
        if (made == timer) break;
        uv_close(reinterpret_cast<uv_handle_t*>(made), handle_closed_cb);
      }
      return false;
    }
    timer->data = this;
    ++open_handles_;
  }
  std::lock_guard lock(mu_);
  handles_ready_ = true;
  return true;
}

std::error_code Core::fail_start() {
  const std::error_code error = make_error_code(Errc::kConnectionFailed);
  {
    std::lock_guard lock(mu_);
    state_ = State::kClosed;
    closed_reason_ = error;
    initial_result_.reset();
  }
  state_changed_.notify_all();
  return error;
}

State Core::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::string Core::connected_url() const {
  std::lock_guard lock(mu_);
  return connected_url_;
}

protocol::ServerInfo Core::server_info() const {
  std::lock_guard lock(mu_);
  return info_;
}

Statistics Core::statistics() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::error_code Core::last_error() const {
  std::lock_guard lock(mu_);
  return closed_reason_;
}

std::string Core::new_inbox() {
  std::lock_guard lock(mu_);
  return "_INBOX." + nuid_.next();
}

void Core::wake_locked() {
  // Precondition: mu_ held. After close the async handle may be closing, and before start (or after a
  // failed one) it does not exist; nothing is left to wake.
  if (wake_pending_ || state_ == State::kClosed || !handles_ready_) return;
  wake_pending_ = true;
  uv_async_send(&wake_);
}

std::error_code Core::check_room_locked(std::size_t frame) const {
  // While connected, the write in flight counts too: it is held until the server takes it.
  const std::size_t pending = outbound_.size() + in_flight_bytes_;
  if (state_ == State::kConnected) {
    if (pending + frame > options_.max_pending_bytes) return make_error_code(Errc::kOutboundFull);
  } else if (pending + frame > options_.reconnect_buffer_size) {
    return make_error_code(Errc::kReconnectBufferFull);
  }
  return {};
}

std::error_code Core::queue_pub_locked(std::string_view subject, std::string_view reply,
                                       std::string_view header_block, std::string_view data) {
  if (state_ == State::kClosed) return make_error_code(Errc::kConnectionClosed);
  const bool with_headers = !header_block.empty();
  const std::size_t total = header_block.size() + data.size();
  if (max_payload_ > 0 && total > static_cast<std::size_t>(max_payload_)) {
    return make_error_code(Errc::kMaxPayloadExceeded);
  }
  const std::size_t line = protocol::pub_line_size(subject, reply, header_block.size(), total, with_headers);
  const std::size_t frame = line + total + 2;
  if (auto error = check_room_locked(frame)) return error;
  const std::size_t start = outbound_.size();
  outbound_.resize(start + line);
  protocol::write_pub_line(outbound_.data() + start, subject, reply, header_block.size(), total,
                           with_headers);
  outbound_.append(header_block);
  outbound_.append(data);
  outbound_.append("\r\n");
  ++stats_.out_msgs;
  stats_.out_bytes += total;
  wake_locked();
  return {};
}

std::error_code Core::publish(std::string_view subject, std::string_view reply, const Headers* headers,
                              std::string_view data) {
  if (!protocol::is_valid_literal_subject(subject) || !is_valid_reply_subject(reply)) {
    return make_error_code(Errc::kInvalidSubject);
  }
  std::string header_block;
  if (headers != nullptr) {
    if (!options_.headers) return make_error_code(Errc::kInvalidHeader);
    if (auto error = encode_headers(*headers, header_block)) return error;
  }
  std::lock_guard lock(mu_);
  return queue_pub_locked(subject, reply, header_block, data);
}

void Core::append_sub_frames_locked(std::string& out, const SubState& sub) const {
  const std::string sid = std::to_string(sub.sid);
  protocol::append_sub(out, sub.subject, sub.queue, sid);
  if (sub.max_messages > 0) protocol::append_unsub(out, sid, sub.max_messages - sub.delivered);
}

Expected<std::shared_ptr<SubState>> Core::subscribe(std::string_view subject, std::string_view queue,
                                                    MessageHandler handler, std::uint64_t max_messages) {
  if (!protocol::is_valid_subscription_subject(subject)) return Errc::kInvalidSubject;
  if (!queue.empty() && !protocol::is_valid_queue_name(queue)) return Errc::kInvalidArgument;
  if (!handler) return Errc::kInvalidArgument;
  auto sub = std::make_shared<SubState>();
  sub->subject = subject;
  sub->queue = queue;
  sub->handler = std::move(handler);
  sub->max_messages = max_messages;
  std::lock_guard lock(mu_);
  if (state_ == State::kClosed) return Errc::kConnectionClosed;
  if (draining_ || drain_requested_) return Errc::kDraining;
  sub->sid = next_sid_++;
  subs_.emplace(sub->sid, sub);
  // While not connected, the handshake sends every registered subscription.
  if (state_ == State::kConnected) {
    append_sub_frames_locked(outbound_, *sub);
    wake_locked();
  }
  return sub;
}

std::error_code Core::unsubscribe(SubState& sub, std::uint64_t max_messages) {
  bool removed = false;
  {
    std::lock_guard lock(mu_);
    const auto it = subs_.find(sub.sid);
    if (it == subs_.end() || it->second.get() != &sub) {
      removed = true;  // Already gone (auto-unsubscribed, drained or closed).
    } else if (max_messages == 0 || sub.delivered >= max_messages) {
      subs_.erase(it);
      removed = true;
      if (state_ == State::kConnected) {
        protocol::append_unsub(outbound_, std::to_string(sub.sid), 0);
        wake_locked();
      }
    } else {
      sub.max_messages = max_messages;
      if (state_ == State::kConnected) {
        protocol::append_unsub(outbound_, std::to_string(sub.sid), max_messages - sub.delivered_base);
        wake_locked();
      }
    }
  }
  if (removed) deactivate(sub);
  return {};
}

void Core::deactivate(SubState& sub) {
  if (on_io_thread()) {
    sub.active = false;
    return;
  }
  std::lock_guard lock(dispatch_mu_);
  sub.active = false;
}

std::shared_ptr<SubState> Core::ensure_inbox_locked() {
  if (inbox_sub_) return inbox_sub_;
  inbox_sub_ = std::make_shared<SubState>();
  inbox_sub_->sid = next_sid_++;
  inbox_sub_->subject = inbox_prefix_ + "*";
  inbox_sub_->inbox = true;
  subs_.emplace(inbox_sub_->sid, inbox_sub_);
  if (state_ == State::kConnected) append_sub_frames_locked(outbound_, *inbox_sub_);
  return inbox_sub_;
}

void Core::request(std::string_view subject, const Headers* headers, std::string_view data,
                   std::chrono::milliseconds timeout, ReplyHandler handler, bool user_handler) {
  std::error_code error;
  std::string header_block;
  if (!protocol::is_valid_literal_subject(subject)) {
    error = make_error_code(Errc::kInvalidSubject);
  } else if (timeout.count() <= 0) {
    error = make_error_code(Errc::kInvalidArgument);
  } else if (headers != nullptr) {
    error = options_.headers ? encode_headers(*headers, header_block) : make_error_code(Errc::kInvalidHeader);
  }
  if (!error) {
    std::lock_guard lock(mu_);
    if (state_ == State::kClosed) {
      error = make_error_code(Errc::kConnectionClosed);
    } else if (draining_ || drain_requested_) {
      error = make_error_code(Errc::kDraining);
    } else {
      ensure_inbox_locked();
      const std::uint64_t id = next_request_id_++;
      const std::string reply = inbox_prefix_ + to_base62(id);
      error = queue_pub_locked(subject, reply, header_block, data);
      if (!error) {
        const auto deadline =
            deadlines_.emplace(Clock::now() + timeout, DeadlineRef{DeadlineKind::kRequest, id});
        requests_.emplace(id, PendingRequest{std::move(handler), user_handler, deadline});
        timer_dirty_ = true;
        wake_locked();
        return;
      }
    }
  }
  // Failed before anything was queued. The handler runs here, on the caller's thread, since no
  // I/O-thread work exists to carry it; a user handler runs only if the owner is alive.
  if (!user_handler || owner_alive_) handler(error);
}

std::error_code Core::queue_ping_locked(CompletionHandler handler, bool user_handler,
                                        std::optional<Clock::time_point> deadline) {
  if (state_ == State::kClosed) return make_error_code(Errc::kConnectionClosed);
  if (auto error = check_room_locked(protocol::kPingFrame.size())) return error;
  PongWaiter waiter;
  waiter.id = next_pong_id_++;
  waiter.handler = std::move(handler);
  waiter.user_handler = user_handler;
  if (deadline) {
    waiter.deadline = deadlines_.emplace(*deadline, DeadlineRef{DeadlineKind::kPong, waiter.id});
    timer_dirty_ = true;
  }
  pong_waiters_.push_back(std::move(waiter));
  outbound_.append(protocol::kPingFrame);
  ++pings_in_outbound_;
  wake_locked();
  return {};
}

std::uint64_t Core::call_later(std::chrono::milliseconds delay, std::function<void()> call) {
  std::lock_guard lock(mu_);
  if (state_ == State::kClosed) return 0;
  const std::uint64_t id = next_call_id_++;
  const auto deadline = deadlines_.emplace(Clock::now() + delay, DeadlineRef{DeadlineKind::kCall, id});
  calls_.emplace(id, PendingCall{std::move(call), deadline});
  timer_dirty_ = true;
  wake_locked();
  return id;
}

void Core::cancel_call(std::uint64_t id) {
  std::function<void()> cancelled;  // Destroyed outside mu_.
  std::lock_guard lock(mu_);
  const auto it = calls_.find(id);
  if (it == calls_.end()) return;
  deadlines_.erase(it->second.deadline);
  cancelled = std::move(it->second.call);
  calls_.erase(it);
}

void Core::flush_async(std::chrono::milliseconds timeout, CompletionHandler handler, bool user_handler) {
  std::error_code error;
  {
    std::lock_guard lock(mu_);
    error = queue_ping_locked(handler, user_handler, Clock::now() + timeout);
  }
  if (error && (!user_handler || owner_alive_)) handler(error);
}

std::error_code Core::flush(std::chrono::milliseconds timeout) {
  if (on_io_thread()) return make_error_code(Errc::kWouldDeadlock);
  auto done = std::make_shared<std::promise<std::error_code>>();
  std::future<std::error_code> result = done->get_future();
  flush_async(
      timeout, [done](std::error_code error) { done->set_value(error); }, false);
  if (result.wait_for(timeout + kBlockingGrace) != std::future_status::ready) {
    return make_error_code(Errc::kTimeout);
  }
  return result.get();
}

std::error_code Core::drain(std::chrono::milliseconds timeout) {
  if (on_io_thread()) return make_error_code(Errc::kWouldDeadlock);
  std::unique_lock lock(mu_);
  if (state_ == State::kClosed) return make_error_code(Errc::kConnectionClosed);
  if (!drain_requested_) {
    drain_requested_ = true;
    deadlines_.emplace(Clock::now() + timeout, DeadlineRef{DeadlineKind::kDrain, 0});
    timer_dirty_ = true;
    wake_locked();
  }
  if (!state_changed_.wait_for(lock, timeout + kBlockingGrace, [&] { return state_ == State::kClosed; })) {
    return make_error_code(Errc::kTimeout);
  }
  return drain_result_;
}

void Core::close() {
  if (on_io_thread()) {
    close_now({});
    return;
  }
  std::unique_lock lock(mu_);
  if (state_ == State::kClosed) return;
  close_requested_ = true;
  wake_locked();
  // Only an own thread is sure to run; an attached loop may be waiting for this very thread.
  if (options_.loop == nullptr) state_changed_.wait(lock, [&] { return state_ == State::kClosed; });
}

void Core::shutdown_from_owner() {
  if (on_io_thread()) {
    owner_alive_ = false;
  } else {
    std::lock_guard lock(dispatch_mu_);
    owner_alive_ = false;
  }
  close();
  if (thread_.joinable()) {
    if (on_io_thread()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

}  // namespace tern::client::detail
