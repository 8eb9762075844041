// pub, sub, pubsub and queue runs: publishers write pre-built batches as fast as the server reads
// them, subscribers count what arrives, each client on its own connection and thread.
#include <algorithm>
#include <exception>
#include <latch>
#include <thread>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/publish_batch.h"
#include "bench/tools/run_control.h"
#include "bench/tools/server_meter.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

// Publishers keep at most this many bytes of deliveries in flight (published but not yet read by
// the subscribers of this process). It keeps every subscriber far below the servers' 64 MiB
// slow-consumer budget, so a run measures delivery, not disconnection, while leaving several
// milliseconds of work queued so that the server never waits for the tool.
constexpr std::uint64_t kMaxDeliveryBytesInFlight = 16 * 1024 * 1024;
// After the publishers finish, subscribers that see nothing new for this long are given up on
// (a server dropped messages).
constexpr std::chrono::seconds kDrainIdleLimit{1};
// How long subscribers may keep draining past the deadline.
constexpr std::chrono::seconds kDrainGrace{2};

struct Plan {
  ServerAddress address;
  std::size_t publishers = 0;
  std::size_t subscribers = 0;
  std::string queue_group;         // Empty unless queue mode.
  std::uint64_t fanout = 0;        // Deliveries per published message.
  std::size_t delivery_bytes = 0;  // Bytes of one MSG frame, for flow control.
};

Plan make_plan(const BenchOptions& options) {
  Plan plan;
  plan.address = parse_server_url(options.server_url);
  plan.publishers = std::max<std::size_t>(1, options.pubs);
  if (options.mode != Mode::kPub) plan.subscribers = std::max<std::size_t>(1, options.subs);
  if (options.mode == Mode::kQueue) plan.queue_group = "tern-bench-queue";
  if (plan.subscribers > 0) plan.fanout = options.mode == Mode::kQueue ? 1 : plan.subscribers;
  plan.delivery_bytes =
      protocol::msg_line_size(options.subject, "1", {}, {}, std::to_string(options.size)) + options.size + 2;
  return plan;
}

// Shares `total` among `parts`; the first ones take the remainder, as nats bench does.
std::uint64_t share(std::uint64_t total, std::size_t parts, std::size_t index) {
  return total / parts + (index < total % parts ? 1 : 0);
}

// What the subscribers aim for. It starts at the full count and drops to what was actually
// published if the publishers stop early at the deadline.
struct DeliveryTarget {
  std::atomic<std::uint64_t> per_subscriber{0};  // pubsub: every subscriber gets every message.
  std::atomic<std::uint64_t> group_total{0};     // queue: the group shares them.
};

class ThroughputRun {
 public:
  ThroughputRun(const BenchOptions& options)
      : options_(options),
        plan_(make_plan(options)),
        control_(std::chrono::duration<double>(options.duration_seconds)),
        publisher_samples_(plan_.publishers),
        subscriber_samples_(plan_.subscribers) {
    target_.per_subscriber = options.msgs;
    target_.group_total = options.msgs;
  }

  RunReport run() {
    std::latch ready(static_cast<std::ptrdiff_t>(plan_.publishers + plan_.subscribers));
    std::vector<std::jthread> threads;
    control_.publishers_running = plan_.publishers;
    for (std::size_t i = 0; i < plan_.subscribers; ++i)
      threads.emplace_back([this, i, &ready] { subscribe(i, ready); });
    for (std::size_t i = 0; i < plan_.publishers; ++i)
      threads.emplace_back([this, i, &ready] { publish(i, ready); });
    ready.wait();
    if (const auto errors = control_.errors(); !errors.empty()) {
      // A client that could not connect or subscribe makes the run meaningless: give up at once.
      control_.stop();
      control_.open_gate();
      threads.clear();
      throw std::runtime_error(errors.front());
    }

    ServerMeter meter(options_.server_pid);
    meter.start();
    control_.restart_deadline(std::chrono::duration<double>(options_.duration_seconds));
    control_.open_gate();
    monitor();
    threads.clear();  // Joins.

    RunReport report;
    report.options = options_;
    report.publishers = std::move(publisher_samples_);
    report.subscribers = std::move(subscriber_samples_);
    report.server = meter.finish(report.messages_for_server_cost());
    report.warnings = control_.errors();
    report.client_failed = !report.warnings.empty();
    add_shortfall_warnings(report);
    return report;
  }

 private:
  void subscribe(std::size_t index, std::latch& ready) {
    ClientSample& sample = subscriber_samples_[index];
    sample.id = client_id('S', index);
    std::optional<BenchConnection> connection;
    try {
      connection.emplace(plan_.address);
      std::string sub;
      protocol::append_sub(sub, options_.subject, plan_.queue_group, "1");
      connection->write_all(sub);
      connection->round_trip();  // The subscription is in place once PONG is back.
    } catch (const std::exception& error) {
      control_.fail("subscriber " + sample.id + ": " + error.what());
      ready.count_down();
      return;
    }
    ready.count_down();
    control_.wait_for_gate();

    const bool queue = !plan_.queue_group.empty();
    std::uint64_t msgs = 0;
    std::uint64_t bytes = 0;
    const auto count = [&](const protocol::Op& op) {
      if (op.kind == protocol::OpKind::kMsg || op.kind == protocol::OpKind::kHmsg) {
        ++msgs;
        bytes += op.payload.size();
      }
    };
    for (;;) {
      const std::uint64_t before = msgs;
      const ReadOutcome outcome = connection->read_ops(count);
      if (outcome == ReadOutcome::kClosed) {
        control_.fail("subscriber " + sample.id + ": " + connection->last_error());
        break;
      }
      if (msgs != before) {
        const Clock::time_point now = Clock::now();
        if (before == 0) sample.start = now;
        sample.end = now;
        const std::uint64_t group =
            control_.delivered.fetch_add(msgs - before, std::memory_order_relaxed) + msgs - before;
        if (queue ? group >= target_.group_total.load() : msgs >= target_.per_subscriber.load()) break;
      }
      if (control_.stop_requested()) break;
      if (queue && control_.delivered.load(std::memory_order_relaxed) >= target_.group_total.load()) break;
      if (!queue && msgs >= target_.per_subscriber.load()) break;
    }
    sample.msgs = msgs;
    sample.bytes = bytes;
  }

  void publish(std::size_t index, std::latch& ready) {
    ClientSample& sample = publisher_samples_[index];
    sample.id = client_id('P', index);
    const std::uint64_t quota = share(options_.msgs, plan_.publishers, index);
    std::optional<BenchConnection> connection;
    try {
      connection.emplace(plan_.address);
    } catch (const std::exception& error) {
      control_.fail("publisher " + sample.id + ": " + error.what());
      ready.count_down();
      control_.publishers_running.fetch_sub(1);
      return;
    }
    ready.count_down();
    control_.wait_for_gate();

    const PublishBatch batch(options_.subject, options_.size);
    std::uint64_t sent = 0;
    sample.start = Clock::now();
    try {
      while (sent < quota && !control_.should_stop()) {
        const std::size_t frames =
            static_cast<std::size_t>(std::min<std::uint64_t>(quota - sent, batch.frames()));
        wait_for_window();
        connection->write_all(batch.first(frames));
        sent += frames;
        control_.published.fetch_add(frames, std::memory_order_relaxed);
      }
      // The publisher's time ends when the server has read everything, as after a client's flush.
      connection->round_trip();
    } catch (const std::exception& error) {
      control_.fail("publisher " + sample.id + ": " + error.what());
    }
    sample.end = Clock::now();
    sample.msgs = sent;
    sample.bytes = sent * options_.size;
    control_.publishers_running.fetch_sub(1);
  }

  // Holds a publisher back while the subscribers of this process lag by more than the window.
  void wait_for_window() {
    if (plan_.fanout == 0) return;
    const std::uint64_t limit = kMaxDeliveryBytesInFlight / plan_.delivery_bytes;
    while (!control_.should_stop()) {
      const std::uint64_t expected = control_.published.load(std::memory_order_relaxed) * plan_.fanout;
      const std::uint64_t delivered = control_.delivered.load(std::memory_order_relaxed);
      if (expected <= delivered + limit) return;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  // Runs on the main thread while clients work: progress, the drain after publishing, and the bounds.
  void monitor() {
    ProgressLine progress(options_.progress);
    std::uint64_t last_delivered = 0;
    Clock::time_point last_change = Clock::now();
    bool targets_lowered = false;
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const std::uint64_t published = control_.published.load();
      const std::uint64_t delivered = control_.delivered.load();
      progress.update(published, delivered);
      const Clock::time_point now = Clock::now();
      if (delivered != last_delivered) {
        last_delivered = delivered;
        last_change = now;
      }
      const bool publishing = control_.publishers_running.load() > 0;
      if (!publishing && plan_.subscribers == 0) break;
      if (!publishing && !targets_lowered) {
        // Subscribers now wait only for what was actually published.
        target_.per_subscriber = std::min<std::uint64_t>(target_.per_subscriber, published);
        target_.group_total = std::min<std::uint64_t>(target_.group_total, published);
        targets_lowered = true;
      }
      if (!publishing && subscribers_done(delivered, published)) break;
      if (!publishing && now - last_change > kDrainIdleLimit) break;
      if (now > control_.deadline() + kDrainGrace) break;
    }
    control_.stop();
  }

  bool subscribers_done(std::uint64_t delivered, std::uint64_t published) const {
    return delivered >= published * plan_.fanout;
  }

  void add_shortfall_warnings(RunReport& report) const {
    const std::uint64_t published = control_.published.load();
    if (published < options_.msgs) {
      report.warnings.push_back("the deadline stopped publishing after " + std::to_string(published) +
                                " of " + std::to_string(options_.msgs) + " messages");
    }
    const std::uint64_t expected = published * plan_.fanout;
    const std::uint64_t delivered = control_.delivered.load();
    if (plan_.subscribers > 0 && delivered < expected) {
      report.warnings.push_back("subscribers received " + std::to_string(delivered) + " of " +
                                std::to_string(expected) + " deliveries");
    }
  }

  const BenchOptions& options_;
  Plan plan_;
  RunControl control_;
  DeliveryTarget target_;
  std::vector<ClientSample> publisher_samples_;
  std::vector<ClientSample> subscriber_samples_;
};

}  // namespace

RunReport run_throughput(const BenchOptions& options) {
  return ThroughputRun(options).run();
}

}  // namespace tern::bench
