// What a run measured, whatever its mode; the text, JSON and CSV writers all read this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/tools/bench_options.h"
#include "bench/tools/client_sample.h"
#include "bench/tools/latency_histogram.h"
#include "bench/tools/server_process.h"
#include "bench/tools/store_usage.h"

namespace tern::bench {

struct LatencySummary {
  std::string kind;  // "one-way" (publish to delivery) or "round-trip" (request to reply).
  LatencyHistogram histogram;
  double achieved_rate = 0;  // Measurements per second over the run.
  double target_rate = 0;    // 0: flat out.
};

struct FootprintSummary {
  std::string kind;  // "subscription" or "connection".
  std::uint64_t count = 0;
  double seconds = 0;  // How long creating them took.
};

struct JetStreamSummary {
  std::uint64_t acks = 0;          // Successful PubAcks.
  std::uint64_t ack_errors = 0;    // PubAcks carrying an error, and status messages in their place.
  std::uint64_t missing_acks = 0;  // Sent, but never answered before the run gave up.
  std::string first_error;
  std::optional<StoreUsage> store;  // Measured after the run when --store-dir was given.
};

struct RunReport {
  BenchOptions options;
  // Throughput: publishers (or requesters) and subscribers (or responders), one sample per client.
  std::vector<ClientSample> publishers;
  std::vector<ClientSample> subscribers;
  std::optional<LatencySummary> latency;
  std::optional<FootprintSummary> footprint;
  std::optional<JetStreamSummary> jetstream;
  std::optional<ServerCost> server;   // Set when --server-pid was given and /proc could be read.
  std::vector<std::string> warnings;  // Short runs, lost messages, closed connections.
  // A client failed during the run (its error is among the warnings): the figures are incomplete, and
  // tern-bench exits with status 2 after reporting them.
  bool client_failed = false;

  // The messages the server's CPU time is divided by: requests answered in reqrep mode, else deliveries
  // when there are subscribers, else publishes; and the name of that unit.
  std::uint64_t messages_for_server_cost() const;
  const char* server_cost_unit() const;
};

// The percentiles every latency report lists, in percent.
inline constexpr double kReportedPercentiles[] = {10, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999, 99.9999};

void print_text_report(const RunReport& report);
void print_json_report(const RunReport& report);
// Appends one row per client under the header `#RunID,ClientID,MsgCount,MsgBytes,MsgsPerSec,BytesPerSec,
// DurationSecs`; the header is written when the file is new or empty. Throws std::runtime_error on failure.
void write_csv_report(const RunReport& report, const std::string& path);

}  // namespace tern::bench
