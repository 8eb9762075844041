// The JetStream service's side of consumers: the ready list run at the end of each loop turn, the one
// deadline queue (and its one timer) for every consumer deadline, receivers that drained, new
// interest, and the durable state: written at most once per second per consumer, on the thread pool,
// and recovered with the stream at start.
#include <chrono>

#include "server/jetstream/consumer_meta.h"
#include "server/jetstream/jetstream.h"
#include "server/jetstream/stream_files.h"
#include "server/log.h"
#include "server/pool_task.h"
#include "server/server.h"

namespace tern::server::jetstream {

namespace {

// Messages one consumer sends per loop turn before others (and the clients' reads) get their turn.
constexpr std::size_t kDeliveryBudget = 512;
// How often dirty consumer states are written.
constexpr std::uint64_t kStateWriteIntervalMs = 1000;
constexpr std::string_view kConsumerStateFile = "state.dat";
constexpr std::string_view kConsumerMetaFile = "meta.json";

}  // namespace

std::string JetStream::start_consumer_timers() {
  if (const int rc = uv_timer_init(loop(), &deadline_timer_); rc != 0)
    return std::string("uv_timer_init: ") + uv_strerror(rc);
  if (const int rc = uv_timer_init(loop(), &state_timer_); rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer_), nullptr);
    return std::string("uv_timer_init: ") + uv_strerror(rc);
  }
  deadline_timer_.data = this;
  state_timer_.data = this;
  consumer_timers_open_ = true;
  if (const int rc =
          uv_timer_start(&state_timer_, on_state_timer, kStateWriteIntervalMs, kStateWriteIntervalMs);
      rc != 0)
    return std::string("uv_timer_start: ") + uv_strerror(rc);
  uv_unref(reinterpret_cast<uv_handle_t*>(&state_timer_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&deadline_timer_));
  arm_deadline_timer();
  return {};
}

void JetStream::close_consumer_timers() noexcept {
  if (!consumer_timers_open_) return;
  consumer_timers_open_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&state_timer_), nullptr);
}

void JetStream::register_consumer(const std::shared_ptr<Consumer>& consumer) {
  consumers_by_id_[consumer->id()] = consumer;
}

void JetStream::mark_ready(Consumer& consumer) {
  if (consumer.ready) return;
  consumer.ready = true;
  ready_.push_back(consumer.weak_from_this());
}

bool JetStream::run_ready_consumers() noexcept {
  if (ready_.empty()) return false;
  std::vector<std::weak_ptr<Consumer>> ready;
  ready.swap(ready_);
  bool carried = false;
  for (const std::weak_ptr<Consumer>& weak : ready) {
    auto consumer = weak.lock();
    if (consumer == nullptr) continue;
    consumer->ready = false;
    // A consumer that used its whole budget goes on next turn; one that stopped for want of messages,
    // requests, interest or flow control is signalled again by whatever changes that.
    if (consumer->deliver(kDeliveryBudget)) {
      mark_ready(*consumer);
      carried = true;
    }
  }
  return carried;
}

RouteResult JetStream::deliver(std::string_view route_subject, std::string_view reply,
                               std::string_view headers, std::string_view body, std::string_view subject) {
  std::string_view payload = body;
  if (!headers.empty()) {
    delivery_buffer_.assign(headers).append(body);
    payload = delivery_buffer_;
  }
  return client_.deliver_as(route_subject, subject, reply, payload, headers.size());
}

bool JetStream::has_interest(std::string_view subject) {
  return !server_.sublist().match(subject)->empty();
}

bool JetStream::has_exact_interest(std::string_view subject) {
  const MatchRef match = server_.sublist().match(subject);
  for (const Subscription* sub : match->plain)
    if (sub->subject == subject) return true;
  for (const QueueGroupMatch& group : match->queues)
    for (const Subscription* sub : group.members)
      if (sub->subject == subject) return true;
  return false;
}

void JetStream::note_stalled(Consumer& consumer) {
  stalled_.push_back(consumer.weak_from_this());
}

void JetStream::receiver_drained(std::uint64_t receiver) noexcept {
  if (stalled_.empty()) return;
  for (auto it = stalled_.begin(); it != stalled_.end();) {
    auto consumer = it->lock();
    if (consumer == nullptr || consumer->stalled_on() == 0) {
      it = stalled_.erase(it);
    } else if (consumer->stalled_on() == receiver) {
      consumer->receiver_drained();
      it = stalled_.erase(it);
    } else {
      ++it;
    }
  }
}

void JetStream::subscription_added(std::string_view subject) noexcept {
  if (awaiting_interest_.empty()) return;
  const auto [first, last] = awaiting_interest_.equal_range(std::string(subject));
  if (first == last) return;
  // Taken out first: a consumer still without interest registers again while we go.
  std::vector<std::weak_ptr<Consumer>> waiting;
  for (auto it = first; it != last; ++it)
    waiting.push_back(it->second);
  awaiting_interest_.erase(first, last);
  for (const std::weak_ptr<Consumer>& weak : waiting) {
    if (auto consumer = weak.lock()) consumer->interest_added(subject);
  }
}

void JetStream::await_interest(Consumer& consumer) {
  const auto [first, last] = awaiting_interest_.equal_range(consumer.config().deliver_subject);
  for (auto it = first; it != last; ++it) {
    if (it->second.lock().get() == &consumer) return;
  }
  awaiting_interest_.emplace(consumer.config().deliver_subject, consumer.weak_from_this());
}

std::string JetStream::random_token4() {
  static constexpr std::string_view kDigits =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::uint64_t n = server_.random().next();
  std::string token(4, '0');
  for (char& c : token) {
    c = kDigits[n % kDigits.size()];
    n /= kDigits.size();
  }
  return token;
}

// ---- Deadlines.

void JetStream::schedule(Consumer& consumer) noexcept {
  const std::int64_t when = consumer.next_deadline();
  if (when == 0 || when == consumer.armed_deadline) return;
  // An earlier entry for this consumer still fires; it finds the consumer not due and re-arms.
  if (consumer.armed_deadline != 0 && consumer.armed_deadline < when && consumer.armed_deadline > now_ns())
    return;
  consumer.armed_deadline = when;
  try {
    deadlines_.push({when, consumer.id()});
  } catch (const std::bad_alloc&) {
    consumer.armed_deadline = 0;
    return;
  }
  if (deadline_armed_ns_ == 0 || when < deadline_armed_ns_) arm_deadline_timer();
}

void JetStream::arm_deadline_timer() noexcept {
  if (!consumer_timers_open_) return;
  if (deadlines_.empty()) {
    deadline_armed_ns_ = 0;
    uv_timer_stop(&deadline_timer_);
    return;
  }
  const std::int64_t when = deadlines_.top().when_ns;
  deadline_armed_ns_ = when;
  const std::int64_t delay_ns = when - now_ns();
  // Rounded up, so that the timer never fires before the deadline and spins; at least 1 ms, because a
  // libuv timer re-armed with no delay from its own callback runs again in the same loop iteration
  // (libuv before 1.45), which would starve everything else.
  const auto delay_ms = static_cast<std::uint64_t>(delay_ns <= 0 ? 1 : (delay_ns + 999'999) / 1'000'000);
  if (const int rc = uv_timer_start(&deadline_timer_, on_deadline_timer, delay_ms, 0); rc != 0)
    log().error(std::string("JetStream consumer timer: ") + uv_strerror(rc));
}

void JetStream::on_deadline_timer(uv_timer_t* timer) noexcept {
  static_cast<JetStream*>(timer->data)->run_deadlines();
}

void JetStream::run_deadlines() noexcept {
  deadline_armed_ns_ = 0;
  const std::int64_t now = now_ns();
  std::vector<std::shared_ptr<Consumer>> due;
  while (!deadlines_.empty() && deadlines_.top().when_ns <= now) {
    const ConsumerDeadline entry = deadlines_.top();
    deadlines_.pop();
    const auto found = consumers_by_id_.find(entry.consumer_id);
    if (found == consumers_by_id_.end()) continue;
    auto consumer = found->second.lock();
    if (consumer == nullptr) {
      consumers_by_id_.erase(found);
      continue;
    }
    if (consumer->armed_deadline != entry.when_ns) continue;
    consumer->armed_deadline = 0;
    due.push_back(std::move(consumer));
  }
  for (const std::shared_ptr<Consumer>& consumer : due) {
    if (!consumer->on_deadline(now)) continue;
    // An ephemeral consumer nobody has used for its inactive threshold.
    for (const auto& [name, stream] : streams_) {
      if (stream->find_consumer(consumer->name()) == consumer) {
        delete_consumer(*stream, consumer->name(), true);
        break;
      }
    }
  }
  arm_deadline_timer();
}

// ---- Deleting.

void JetStream::delete_consumer(Stream& stream, const std::string& name, bool erase_state) {
  std::shared_ptr<Consumer> consumer = stream.remove_consumer(name);
  if (consumer == nullptr) return;
  consumer->stop(true);
  consumers_by_id_.erase(consumer->id());
  if (!consumer->is_pull()) {
    const auto [first, last] = awaiting_interest_.equal_range(consumer->config().deliver_subject);
    for (auto it = first; it != last;) {
      const auto waiting = it->second.lock();
      it = (waiting == nullptr || waiting == consumer) ? awaiting_interest_.erase(it) : std::next(it);
    }
  }
  if (!erase_state || !consumer->is_persisted()) return;
  // Renamed away at once, so that a restart cannot bring it back; removed on the pool.
  const std::string dir = consumer->directory();
  const std::string doomed = dir + ".deleted-" + std::to_string(now_ns());
  if (::rename(dir.c_str(), doomed.c_str()) != 0) {
    log().error("JetStream could not remove the state of consumer '" + name + "': rename " + dir + " failed");
    return;
  }
  run_on_pool(
      loop(), [doomed] { return remove_tree(doomed); },
      [this, name](const std::string& error) {
        if (!error.empty()) log().warn("JetStream consumer '" + name + "' files: " + error);
      });
}

// ---- Durable state.

void JetStream::mark_consumer_dirty(Consumer& consumer) {
  dirty_consumers_.push_back(consumer.weak_from_this());
}

void JetStream::on_state_timer(uv_timer_t* timer) noexcept {
  static_cast<JetStream*>(timer->data)->write_consumer_states(false);
}

// Each dirty consumer's state is encoded on the loop (a copy of its pending map) and written, then
// synced, on the pool; a consumer whose previous write is still running waits for the next tick. At
// shutdown (`sync_now`) the writes happen here, as the loop is about to end anyway.
void JetStream::write_consumer_states(bool sync_now) noexcept {
  if (dirty_consumers_.empty()) return;
  std::vector<std::weak_ptr<Consumer>> dirty;
  dirty.swap(dirty_consumers_);
  for (const std::weak_ptr<Consumer>& weak : dirty) {
    auto consumer = weak.lock();
    if (consumer == nullptr || !consumer->state_dirty()) continue;
    if (state_writes_.contains(consumer->id()) && !sync_now) {
      dirty_consumers_.push_back(weak);
      continue;
    }
    std::string dir = consumer->directory();
    std::string bytes = encode_consumer_state(consumer->take_state());
    if (sync_now) {
      std::string error = replace_file(dir, kConsumerStateFile, bytes);
      if (error.empty()) error = sync_file_and_directory(dir, kConsumerStateFile);
      if (!error.empty())
        log().error("JetStream could not write consumer '" + consumer->name() + "': " + error);
      continue;
    }
    const std::uint64_t id = consumer->id();
    state_writes_.insert(id);
    std::string name = consumer->name();
    run_on_pool(
        loop(),
        [dir = std::move(dir), bytes = std::move(bytes)] {
          std::string error = replace_file(dir, kConsumerStateFile, bytes);
          if (error.empty()) error = sync_file_and_directory(dir, kConsumerStateFile);
          return error;
        },
        [this, id, name = std::move(name)](const std::string& error) {
          state_writes_.erase(id);
          if (!error.empty()) log().error("JetStream could not write consumer '" + name + "': " + error);
        });
  }
}

void JetStream::recover_consumers(const std::shared_ptr<Stream>& stream, const std::string& dir) {
  std::string error;
  const std::string obs = dir + "/obs";
  const std::vector<std::string> names = list_directories(obs, error);
  if (!error.empty()) return;  // No consumers were ever made.
  const std::int64_t now = now_ns();
  for (const std::string& name : names) {
    if (name.find(".deleted-") != std::string::npos) {
      remove_tree(obs + "/" + name);
      continue;
    }
    const std::string consumer_dir = obs + "/" + name;
    std::string read_error;
    std::optional<std::string> meta =
        read_file(consumer_dir + "/" + std::string(kConsumerMetaFile), read_error);
    if (!meta) {
      log().warn("JetStream skipped consumer " + consumer_dir + ": " + read_error);
      continue;
    }
    ConsumerConfig config;
    std::int64_t created_ns = 0;
    if (auto decode_error = decode_consumer_meta(*meta, config, created_ns)) {
      log().error("JetStream skipped consumer " + consumer_dir + ": " + decode_error->description);
      continue;
    }
    std::optional<ConsumerStateRecord> state;
    if (std::optional<std::string> bytes =
            read_file(consumer_dir + "/" + std::string(kConsumerStateFile), read_error)) {
      state = decode_consumer_state(*bytes);
      if (!state) log().warn("JetStream consumer '" + name + "': its state file is damaged; it starts over");
    }
    auto consumer =
        std::make_shared<Consumer>(*this, *stream, name, std::move(config), created_ns, next_consumer_id());
    register_consumer(consumer);
    stream->add_consumer(consumer);
    if (!consumer->start(state ? &*state : nullptr, now)) {
      log().error("JetStream could not subscribe consumer '" + name + "'");
      stream->remove_consumer(name);
      consumers_by_id_.erase(consumer->id());
      continue;
    }
    log().info("  Restored consumer '$G > " + stream->name() + " > " + name + "'");
  }
}

}  // namespace tern::server::jetstream
