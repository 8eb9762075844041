// Core on the I/O thread: what arrives from the server (messages, replies, PONGs, errors), deadlines,
// draining, and the dispatch of user callbacks.
#include <charconv>
#include <cstdio>
#include <exception>

#include "client/detail/core.h"
#include "client/detail/transport.h"
#include "protocol/frames.h"

namespace tern::client::detail {
namespace {

// -ERR arguments arrive quoted: 'Authorization Violation'.
std::string_view unquote(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\''))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\''))
    text.remove_suffix(1);
  return text;
}

bool contains_ignoring_case(std::string_view text, std::string_view word) {
  if (word.size() > text.size()) return false;
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    bool equal = true;
    for (std::size_t j = 0; j < word.size() && equal; ++j) {
      const auto a = static_cast<unsigned char>(text[i + j]);
      const auto b = static_cast<unsigned char>(word[j]);
      equal = std::tolower(a) == std::tolower(b);
    }
    if (equal) return true;
  }
  return false;
}

Errc classify_server_error(std::string_view text) {
  if (contains_ignoring_case(text, "authorization violation") ||
      contains_ignoring_case(text, "authentication timeout")) {
    return Errc::kAuthorizationViolation;
  }
  if (contains_ignoring_case(text, "permissions violation")) return Errc::kPermissionsViolation;
  if (contains_ignoring_case(text, "stale connection")) return Errc::kStaleConnection;
  return Errc::kServerError;
}

constexpr int kNoRespondersStatus = 503;

}  // namespace

void Core::dispatch(const std::function<void()>& call) noexcept {
  if (!owner_alive_) return;
  std::unique_lock<std::mutex> lock;
  // A nested dispatch (a callback that triggers another) already holds the lock further up.
  if (dispatch_depth_ == 0) {
    lock = std::unique_lock(dispatch_mu_);
    if (!owner_alive_) return;
  }
  ++dispatch_depth_;
  try {
    call();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tern client: a callback threw an exception: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "tern client: a callback threw an exception\n");
  }
  --dispatch_depth_;
}

void Core::complete_waiter(PongWaiter& waiter, std::error_code result) {
  if (!waiter.handler) return;
  if (waiter.user_handler) {
    dispatch([&] { waiter.handler(result); });
  } else {
    waiter.handler(result);
  }
}

void Core::process_pong() {
  pings_out_ = 0;
  PongWaiter waiter;
  {
    std::lock_guard lock(mu_);
    if (pong_waiters_.empty()) return;
    waiter = std::move(pong_waiters_.front());
    pong_waiters_.pop_front();
    if (waiter.deadline) deadlines_.erase(*waiter.deadline);
  }
  complete_waiter(waiter, {});
}

void Core::process_err(Transport& transport, std::string_view text) {
  const std::string message(unquote(text));
  const std::error_code error = make_error_code(classify_server_error(message));
  dispatch([&] {
    if (options_.events.on_error) options_.events.on_error(error, message);
  });
  // During the handshake an error ends the attempt; once connected, the server closes the
  // connection itself when the error is fatal, and the read path notices.
  if (transport.phase != Transport::Phase::kConnected && !transport.closing) fail_attempt(error);
}

void Core::process_msg(const protocol::Op& op) {
  std::uint64_t sid = 0;
  const auto [end, ec] = std::from_chars(op.sid.data(), op.sid.data() + op.sid.size(), sid);
  if (ec != std::errc() || end != op.sid.data() + op.sid.size()) return;
  std::shared_ptr<SubState> sub;
  {
    std::lock_guard lock(mu_);
    ++stats_.in_msgs;
    stats_.in_bytes += op.payload.size();
    const auto it = subs_.find(sid);
    if (it == subs_.end()) return;  // Unsubscribed; the server had sent it already.
    sub = it->second;
    ++sub->delivered;
    if (sub->max_messages > 0 && sub->delivered >= sub->max_messages) subs_.erase(it);
  }
  Message message;
  message.subject = op.subject;
  message.reply = op.reply;
  if (op.kind == protocol::OpKind::kHmsg && op.header_size >= 0 &&
      static_cast<std::size_t>(op.header_size) <= op.payload.size()) {
    const auto header_size = static_cast<std::size_t>(op.header_size);
    if (auto headers = decode_headers(op.payload.substr(0, header_size))) {
      message.headers = std::move(*headers);
      message.has_headers = true;
    }
    message.data = op.payload.substr(header_size);
  } else {
    message.data = op.payload;
  }
  if (sub->inbox) {
    process_reply(std::move(message));
    return;
  }
  dispatch([&] {
    if (sub->active) sub->handler(std::move(message));
  });
}

void Core::process_reply(Message message) {
  std::optional<PendingRequest> request;
  {
    std::lock_guard lock(mu_);
    if (!message.subject.starts_with(inbox_prefix_)) return;
    const auto id = from_base62(std::string_view(message.subject).substr(inbox_prefix_.size()));
    if (!id) return;
    const auto it = requests_.find(*id);
    if (it == requests_.end()) return;  // Timed out already, or a second reply.
    request = std::move(it->second);
    deadlines_.erase(request->deadline);
    requests_.erase(it);
  }
  const bool no_responders =
      message.has_headers && message.headers.status() == kNoRespondersStatus && message.data.empty();
  Expected<Message> result =
      no_responders ? Expected<Message>(Errc::kNoResponders) : Expected<Message>(std::move(message));
  if (request->user_handler) {
    dispatch([&] { request->handler(std::move(result)); });
  } else {
    request->handler(std::move(result));
  }
}

void Core::rearm_deadline_timer() {
  std::optional<Clock::time_point> earliest;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kClosed) return;
    if (!deadlines_.empty()) earliest = deadlines_.begin()->first;
  }
  if (!earliest) {
    uv_timer_stop(&deadline_timer_);
    return;
  }
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*earliest - Clock::now());
  uv_timer_start(
      &deadline_timer_,
      [](uv_timer_t* timer) noexcept { static_cast<Core*>(timer->data)->on_deadline_timer(); },
      static_cast<std::uint64_t>(std::max<std::int64_t>(wait.count(), 0)), 0);
}

void Core::on_deadline_timer() noexcept {
  std::vector<PendingRequest> requests;
  std::vector<PongWaiter> waiters;
  std::vector<std::function<void()>> calls;
  bool drain_expired = false;
  {
    std::lock_guard lock(mu_);
    const Clock::time_point now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      const DeadlineRef ref = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      switch (ref.kind) {
        case DeadlineKind::kRequest:
          if (const auto it = requests_.find(ref.id); it != requests_.end()) {
            requests.push_back(std::move(it->second));
            requests_.erase(it);
          }
          break;
        case DeadlineKind::kPong:
          for (PongWaiter& waiter : pong_waiters_) {
            if (waiter.id != ref.id) continue;
            // The PONG will still come; the waiter keeps its place without a handler.
            PongWaiter expired;
            expired.handler = std::move(waiter.handler);
            expired.user_handler = waiter.user_handler;
            waiter.handler = nullptr;
            waiter.deadline.reset();
            waiters.push_back(std::move(expired));
            break;
          }
          break;
        case DeadlineKind::kDrain:
          drain_expired = true;
          break;
        case DeadlineKind::kCall:
          if (const auto it = calls_.find(ref.id); it != calls_.end()) {
            calls.push_back(std::move(it->second.call));
            calls_.erase(it);
          }
          break;
      }
    }
  }
  const std::error_code timeout = make_error_code(Errc::kTimeout);
  for (PendingRequest& request : requests) {
    if (request.user_handler) {
      dispatch([&] { request.handler(timeout); });
    } else {
      request.handler(timeout);
    }
  }
  for (PongWaiter& waiter : waiters)
    complete_waiter(waiter, timeout);
  for (const std::function<void()>& call : calls)
    dispatch(call);
  if (drain_expired) {
    close_now(timeout);
    return;
  }
  rearm_deadline_timer();
}

void Core::begin_drain() {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kConnected) {
      draining_ = true;
      // The subscriptions stay registered until the PONG: messages the server sent before it saw
      // the UNSUBs are still delivered.
      for (const auto& [sid, sub] : subs_)
        protocol::append_unsub(outbound_, std::to_string(sid), 0);
      queue_ping_locked([this](std::error_code error) { finish_drain_unsubscribe(error); }, false,
                        std::nullopt);
    }
  }
  if (state() != State::kConnected) {
    // Without a connection nothing can arrive or be flushed.
    close_now(make_error_code(Errc::kConnectionLost));
    return;
  }
  flush_outbound();
}

void Core::finish_drain_unsubscribe(std::error_code error) {
  if (state() == State::kClosed) return;
  if (error) {
    close_now(error);
    return;
  }
  std::unordered_map<std::uint64_t, std::shared_ptr<SubState>> subs;
  {
    std::lock_guard lock(mu_);
    subs.swap(subs_);
    inbox_sub_.reset();
    // What the handlers published meanwhile goes out before this PING; its PONG ends the drain.
    queue_ping_locked(
        [this](std::error_code flushed) {
          if (state() != State::kClosed) close_now(flushed);
        },
        false, std::nullopt);
  }
  for (auto& [sid, sub] : subs)
    sub->active = false;
  flush_outbound();
}

}  // namespace tern::client::detail
