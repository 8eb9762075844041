// reqrep: requesters with one request outstanding each (see requester_pool.h), answered by responders
// in one queue group that echo each request to its reply subject. Reports requests per second and
// the round-trip time of each request.
#include <latch>
#include <thread>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/requester_pool.h"
#include "bench/tools/run_control.h"
#include "bench/tools/run_tag.h"
#include "bench/tools/server_meter.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

constexpr std::string_view kResponderGroup = "tern-bench-responders";

// One responder connection on its own thread, until the run stops.
void respond(const ServerAddress& address, const BenchOptions& options, RunControl& control,
             ClientSample& sample, std::latch& ready) {
  std::optional<BenchConnection> connection;
  try {
    connection.emplace(address);
    std::string sub;
    protocol::append_sub(sub, options.subject, kResponderGroup, "1");
    connection->write_all(sub);
    connection->round_trip();
  } catch (const std::exception& error) {
    control.fail("responder " + sample.id + ": " + error.what());
    ready.count_down();
    return;
  }
  ready.count_down();
  // Replies to everything one read brought are written together, in one system call.
  std::string replies;
  try {
    while (!control.stop_requested()) {
      const ReadOutcome outcome = connection->read_ops([&](const protocol::Op& op) {
        if (op.kind != protocol::OpKind::kMsg || op.reply.empty()) return;
        const std::size_t at = replies.size();
        replies.resize(at + protocol::pub_line_size(op.reply, {}, 0, op.payload.size(), false));
        protocol::write_pub_line(replies.data() + at, op.reply, {}, 0, op.payload.size(), false);
        replies.append(op.payload).append("\r\n");
        if (sample.msgs++ == 0) sample.start = Clock::now();
        sample.bytes += op.payload.size();
      });
      if (outcome == ReadOutcome::kClosed) {
        if (!control.stop_requested())
          control.fail("responder " + sample.id + ": " + connection->last_error());
        break;
      }
      if (!replies.empty()) {
        connection->write_all(replies);
        replies.clear();
        sample.end = Clock::now();
      }
    }
  } catch (const std::exception& error) {
    if (!control.stop_requested()) control.fail("responder " + sample.id + ": " + error.what());
  }
}

}  // namespace

RunReport run_request_reply(const BenchOptions& options) {
  const ServerAddress address = parse_server_url(options.server_url);
  RunControl control(std::chrono::duration<double>(options.duration_seconds));
  const std::size_t responders = std::max<std::size_t>(1, options.responders);
  std::vector<ClientSample> responder_samples(responders);
  std::latch ready(static_cast<std::ptrdiff_t>(responders));
  std::vector<std::jthread> responder_threads;
  for (std::size_t i = 0; i < responders; ++i) {
    responder_samples[i].id = client_id('R', i);
    responder_threads.emplace_back(
        [&, i] { respond(address, options, control, responder_samples[i], ready); });
  }
  ready.wait();

  RunReport report;
  report.options = options;
  LatencySummary latency;
  latency.kind = "round-trip";
  ServerMeter meter(options.server_pid);
  try {
    RequesterPool requesters(address, options, random_run_tag());
    meter.start();
    control.restart_deadline(std::chrono::duration<double>(options.duration_seconds));
    const Clock::time_point start = Clock::now();
    {
      ProgressLine progress(options.progress);
      requesters.run(control, progress);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    latency.histogram = requesters.round_trips();
    latency.achieved_rate = seconds > 0 ? static_cast<double>(latency.histogram.count()) / seconds : 0;
    report.publishers = requesters.samples();
  } catch (const std::exception& error) {
    control.fail(std::string("requesters: ") + error.what());
  }
  control.stop();
  responder_threads.clear();  // Joins; responders notice the stop within one read timeout.

  report.subscribers = std::move(responder_samples);
  report.latency = std::move(latency);
  report.server = meter.finish(report.messages_for_server_cost());
  report.warnings = control.errors();
  report.client_failed = !report.warnings.empty();
  if (report.latency->histogram.count() < options.msgs) {
    report.warnings.push_back(std::to_string(report.latency->histogram.count()) + " of " +
                              std::to_string(options.msgs) + " requests were answered before the deadline");
  }
  return report;
}

}  // namespace tern::bench
