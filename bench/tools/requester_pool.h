// The requesters of a reqrep run, all driven by one thread through epoll. Each has its own connection
// and `_INBOX.<tag>.<index>.*` subscription and one request outstanding at a time. One thread per
// requester would make every request cost the tool two thread wake-ups, and with 16 requesters on
// one core the tool's scheduling, not the server, would set the rate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_options.h"
#include "bench/tools/client_sample.h"
#include "bench/tools/latency_histogram.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/run_control.h"

namespace tern::bench {

class RequesterPool {
 public:
  // Connects and subscribes every requester (confirmed by PING/PONG). Throws std::runtime_error.
  RequesterPool(const ServerAddress& address, const BenchOptions& options, const std::string& tag);
  ~RequesterPool();
  RequesterPool(const RequesterPool&) = delete;
  RequesterPool& operator=(const RequesterPool&) = delete;

  // Sends requests until every requester has made its share of options.msgs, or the run stops.
  // Throws std::runtime_error when a connection fails or nobody responds.
  void run(RunControl& control, ProgressLine& progress);

  std::vector<ClientSample> samples() const;
  const LatencyHistogram& round_trips() const noexcept { return round_trips_; }

 private:
  struct Requester {
    std::unique_ptr<BenchConnection> connection;
    std::string inbox_prefix;  // `_INBOX.<tag>.<index>.`
    std::uint64_t quota = 0;
    std::string awaited_reply;  // The reply subject of the outstanding request.
    Clock::time_point sent_at{};
    ClientSample sample;
    bool done = false;
  };

  void send_request(Requester& requester);
  // Reads what arrived for `requester`; true when it has finished.
  bool on_readable(Requester& requester, RunControl& control);

  const BenchOptions& options_;
  std::vector<Requester> requesters_;
  std::string payload_;
  std::string frame_;
  LatencyHistogram round_trips_;
  int epoll_fd_ = -1;
};

}  // namespace tern::bench
