// latency: one message in flight from a publishing connection to a subscribing one, timed on this
// machine's steady clock from the send (or, under --rate, from the scheduled send) to the delivery.
#include <sched.h>

#include <cstring>
#include <thread>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/run_control.h"
#include "bench/tools/server_meter.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

// Under --rate the tool sleeps until shortly before each scheduled send and yields the processor for
// the rest: a sleep alone wakes up tens of microseconds late on a busy machine, and that lateness
// would be charged to the server.
constexpr auto kSpinWindow = std::chrono::microseconds(100);

void wait_until(Clock::time_point when) {
  if (when - Clock::now() > kSpinWindow) std::this_thread::sleep_until(when - kSpinWindow);
  while (Clock::now() < when)
    sched_yield();
}

// The payload starts with the message's sequence number (as far as the payload size allows), so that
// the subscriber recognises the message it is waiting for.
class LatencyFrame {
 public:
  LatencyFrame(std::string_view subject, std::size_t payload_size) {
    frame_.resize(protocol::pub_line_size(subject, {}, 0, payload_size, false));
    protocol::write_pub_line(frame_.data(), subject, {}, 0, payload_size, false);
    payload_offset_ = frame_.size();
    frame_.append(payload_size, 'x');
    frame_.append("\r\n");
    sequence_bytes_ = std::min<std::size_t>(payload_size, sizeof(std::uint64_t));
  }

  std::string_view with_sequence(std::uint64_t sequence) {
    std::memcpy(frame_.data() + payload_offset_, &sequence, sequence_bytes_);
    return frame_;
  }

  // True when `payload` carries `sequence` (always true for payloads too small to carry one).
  bool carries(std::string_view payload, std::uint64_t sequence) const {
    std::uint64_t carried = 0;
    if (payload.size() < sequence_bytes_) return false;
    std::memcpy(&carried, payload.data(), sequence_bytes_);
    std::uint64_t expected = 0;
    std::memcpy(&expected, &sequence, sequence_bytes_);
    return carried == expected;
  }

 private:
  std::string frame_;
  std::size_t payload_offset_ = 0;
  std::size_t sequence_bytes_ = 0;
};

}  // namespace

RunReport run_latency(const BenchOptions& options) {
  const ServerAddress address = parse_server_url(options.server_url);
  BenchConnection subscriber(address);
  std::string sub;
  protocol::append_sub(sub, options.subject, {}, "1");
  subscriber.write_all(sub);
  subscriber.round_trip();
  BenchConnection publisher(address);
  LatencyFrame frame(options.subject, options.size);
  RunControl control(std::chrono::duration<double>(options.duration_seconds));

  LatencySummary latency;
  latency.kind = "one-way";
  latency.target_rate = options.rate;
  RunReport report;
  report.options = options;
  ServerMeter meter(options.server_pid);
  ProgressLine progress(options.progress);

  // Sends message `sequence` and waits for its delivery; returns when it arrived, or nothing when the
  // run must stop first.
  const auto send_and_receive = [&](std::uint64_t sequence) -> std::optional<Clock::time_point> {
    publisher.write_all(frame.with_sequence(sequence));
    bool arrived = false;
    while (!arrived) {
      const ReadOutcome outcome = subscriber.read_ops([&](const protocol::Op& op) {
        if (op.kind == protocol::OpKind::kMsg && frame.carries(op.payload, sequence)) arrived = true;
      });
      if (outcome == ReadOutcome::kClosed) throw std::runtime_error(subscriber.last_error());
      if (!arrived && control.should_stop()) return std::nullopt;
    }
    return Clock::now();
  };

  // Warm-up rounds fill caches and settle the scheduler; they are not recorded.
  std::uint64_t sequence = 0;
  for (; sequence < options.warmup && !control.should_stop(); ++sequence)
    send_and_receive(sequence);

  meter.start();
  control.restart_deadline(std::chrono::duration<double>(options.duration_seconds));
  const Clock::time_point start = Clock::now();
  const auto interval =
      options.rate > 0
          ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options.rate))
          : Clock::duration::zero();
  Clock::time_point last = start;
  for (std::uint64_t i = 0; i < options.msgs && !control.should_stop(); ++i, ++sequence) {
    Clock::time_point origin = Clock::now();
    if (options.rate > 0) {
      // Timing from the scheduled send, not the actual one, charges a stall to every message it
      // delayed: the correction for coordinated omission.
      const Clock::time_point scheduled = start + interval * static_cast<std::int64_t>(i);
      if (scheduled > origin) wait_until(scheduled);
      origin = scheduled;
    }
    const auto arrived = send_and_receive(sequence);
    if (!arrived) break;
    latency.histogram.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(*arrived - origin).count()));
    last = *arrived;
    progress.update(latency.histogram.count(), latency.histogram.count());
  }
  progress.finish();
  const double seconds = std::chrono::duration<double>(last - start).count();
  latency.achieved_rate = seconds > 0 ? static_cast<double>(latency.histogram.count()) / seconds : 0;
  report.latency = std::move(latency);
  report.server = meter.finish(report.messages_for_server_cost());
  if (report.latency->histogram.count() < options.msgs) {
    report.warnings.push_back("the deadline ended the run after " +
                              std::to_string(report.latency->histogram.count()) + " of " +
                              std::to_string(options.msgs) + " messages");
  }
  return report;
}

}  // namespace tern::bench
