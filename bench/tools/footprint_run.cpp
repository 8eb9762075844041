// subs and conns: the server's resident memory before and after creating many subscriptions (on
// one connection) or many idle connections, read from /proc (so --server-pid is needed for figures).
#include <memory>
#include <thread>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/publish_batch.h"
#include "bench/tools/server_meter.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

// Idle connections only ever read INFO and PONG.
constexpr std::size_t kIdleReadBuffer = 4096;
// Lets the server finish whatever it does after the last reply (a garbage collector, for one) before
// the second reading.
constexpr std::chrono::milliseconds kSettle{300};

// Each function takes the second reading itself, while what it created still exists.
void create_subscriptions(const BenchOptions& options, const ServerAddress& address, ServerMeter& meter,
                          RunReport& report) {
  BenchConnection connection(address);
  meter.start();
  const Clock::time_point start = Clock::now();
  // Distinct literal subjects, sent in batches of the usual size.
  std::string batch;
  for (std::uint64_t i = 0; i < options.count; ++i) {
    const std::string id = std::to_string(i + 1);
    protocol::append_sub(batch, options.subject + "." + id, {}, id);
    if (batch.size() >= kTargetBatchBytes) {
      connection.write_all(batch);
      batch.clear();
    }
  }
  connection.write_all(batch);
  connection.round_trip();
  report.footprint = FootprintSummary{"subscription", options.count,
                                      std::chrono::duration<double>(Clock::now() - start).count()};
  std::this_thread::sleep_for(kSettle);
  report.server = meter.finish(0);
}

void open_connections(const BenchOptions& options, const ServerAddress& address, ServerMeter& meter,
                      RunReport& report) {
  meter.start();
  const Clock::time_point start = Clock::now();
  std::vector<std::unique_ptr<BenchConnection>> connections;
  connections.reserve(options.count);
  ProgressLine progress(options.progress);
  for (std::uint64_t i = 0; i < options.count; ++i) {
    connections.push_back(std::make_unique<BenchConnection>(address, kIdleReadBuffer));
    progress.update(i + 1, 0);
  }
  progress.finish();
  report.footprint = FootprintSummary{"connection", options.count,
                                      std::chrono::duration<double>(Clock::now() - start).count()};
  std::this_thread::sleep_for(kSettle);
  report.server = meter.finish(0);
}

}  // namespace

RunReport run_footprint(const BenchOptions& options) {
  const ServerAddress address = parse_server_url(options.server_url);
  ServerMeter meter(options.server_pid);
  RunReport report;
  report.options = options;
  if (options.mode == Mode::kSubs) {
    create_subscriptions(options, address, meter, report);
  } else {
    open_connections(options, address, meter, report);
  }
  if (!options.server_pid)
    report.warnings.push_back("without --server-pid the server's memory is not measured");
  return report;
}

}  // namespace tern::bench
