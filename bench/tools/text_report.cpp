// The human-readable report, shaped like `nats bench` output so that figures can be compared by eye.
#include <cstdio>
#include <string>

#include "bench/tools/number_format.h"
#include "bench/tools/run_report.h"

namespace tern::bench {

namespace {

std::string rate_line(double msgs_per_second, double bytes_per_second) {
  return with_commas(msgs_per_second) + " msgs/sec ~ " + byte_size(bytes_per_second) + "/sec";
}

void print_group(const char* title, const std::vector<ClientSample>& clients) {
  const GroupStats stats = summarize(clients);
  std::printf(" %s stats: %s\n", title, rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const ClientSample& client = clients[i];
    std::printf("  [%zu] %s (%s msgs)\n", i + 1,
                rate_line(client.msgs_per_second(), client.bytes_per_second()).c_str(),
                with_commas(client.msgs).c_str());
  }
  if (clients.size() > 1) {
    std::printf("  min %s | avg %s | max %s | stddev %s msgs\n", with_commas(stats.min_rate).c_str(),
                with_commas(stats.avg_rate).c_str(), with_commas(stats.max_rate).c_str(),
                with_commas(stats.stddev_rate).c_str());
  }
}

void print_throughput(const RunReport& report) {
  const Mode mode = report.options.mode;
  const bool request_reply = mode == Mode::kReqRep;
  const char* pub_title = request_reply ? "Requester" : "Pub";
  const char* sub_title = request_reply ? "Responder" : "Sub";
  if (mode == Mode::kPub) {
    const GroupStats stats = summarize(report.publishers);
    std::printf("NATS Pub stats: %s\n", rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
  } else if (mode == Mode::kSub) {
    const GroupStats stats = summarize(report.subscribers);
    std::printf("NATS Sub stats: %s\n", rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
  } else if (mode == Mode::kJsFetch || mode == Mode::kJsPush || mode == Mode::kJsQueue) {
    const GroupStats stats = summarize(report.subscribers);
    std::printf("NATS JetStream %s stats: %s\n", mode == Mode::kJsQueue ? "work queue (end to end)" : "drain",
                rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
    return;
  } else if (mode == Mode::kJsPub) {
    const GroupStats stats = summarize(report.publishers);
    std::printf("NATS JetStream Pub stats: %s\n",
                rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
    return;
  } else if (request_reply) {
    const GroupStats stats = summarize(report.publishers);
    std::printf("NATS Request/Reply stats: %s\n",
                rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
  } else {
    const GroupStats stats = summarize(report.publishers, report.subscribers);
    std::printf("NATS Pub/Sub stats: %s\n", rate_line(stats.msgs_per_second, stats.bytes_per_second).c_str());
  }
  if (!report.publishers.empty()) print_group(pub_title, report.publishers);
  if (!report.subscribers.empty()) print_group(sub_title, report.subscribers);
}

void print_latency(const LatencySummary& latency, const BenchOptions& options) {
  const LatencyHistogram& histogram = latency.histogram;
  const std::string target = latency.target_rate > 0 ? with_commas(latency.target_rate) +
                                                           " msgs/sec (corrected for coordinated omission)"
                                                     : std::string("flat out");
  std::printf("Latency, %s, %zu B payload: %s samples, %s/sec achieved, target %s\n", latency.kind.c_str(),
              options.size, with_commas(histogram.count()).c_str(),
              with_commas(latency.achieved_rate).c_str(), target.c_str());
  for (double percentile : kReportedPercentiles) {
    std::printf("  %-9s %10.2f us\n", percentile_label(percentile).c_str(),
                static_cast<double>(histogram.value_at_percentile(percentile)) / 1000.0);
  }
  std::printf("  %-9s %10.2f us\n", "max", static_cast<double>(histogram.max()) / 1000.0);
  std::printf("  mean %.2f us, stddev %.2f us\n", histogram.mean() / 1000.0, histogram.stddev() / 1000.0);
}

void print_jetstream(const JetStreamSummary& jetstream, const BenchOptions& options) {
  std::printf("PubAcks: %s acknowledged, %s errors, %s missing\n", with_commas(jetstream.acks).c_str(),
              with_commas(jetstream.ack_errors).c_str(), with_commas(jetstream.missing_acks).c_str());
  if (!jetstream.store) return;
  const StoreUsage& store = *jetstream.store;
  std::printf("Store %s: %s on disk, %.1f B per message; %s apparent, %.1f B per message (%s files)\n",
              store.directory.c_str(), byte_size(static_cast<double>(store.disk_bytes)).c_str(),
              store.disk_bytes_per(options.msgs),
              byte_size(static_cast<double>(store.apparent_bytes)).c_str(),
              store.apparent_bytes_per(options.msgs), with_commas(store.files).c_str());
}

void print_footprint(const FootprintSummary& footprint, const RunReport& report) {
  std::printf("Created %s %ss in %.2f s\n", with_commas(footprint.count).c_str(), footprint.kind.c_str(),
              footprint.seconds);
  if (!report.server) return;
  const double grown =
      static_cast<double>(report.server->rss_after) - static_cast<double>(report.server->rss_before);
  std::printf("Server RSS %s -> %s: %.0f B per %s\n",
              byte_size(static_cast<double>(report.server->rss_before)).c_str(),
              byte_size(static_cast<double>(report.server->rss_after)).c_str(),
              footprint.count == 0 ? 0.0 : grown / static_cast<double>(footprint.count),
              footprint.kind.c_str());
}

}  // namespace

void print_text_report(const RunReport& report) {
  const BenchOptions& options = report.options;
  std::string clients;
  switch (options.mode) {
    case Mode::kPub:
      clients = " pubs=" + std::to_string(options.pubs);
      break;
    case Mode::kReqRep:
      clients = " requesters=" + std::to_string(options.requesters) +
                " responders=" + std::to_string(options.responders);
      break;
    case Mode::kLatency:
      if (options.rate > 0) clients = " rate=" + with_commas(options.rate);
      break;
    case Mode::kSubs:
    case Mode::kConns:
      clients = " count=" + with_commas(options.count);
      break;
    case Mode::kJsPub:
      clients = " stream=" + options.stream + " storage=" + options.storage +
                " window=" + std::to_string(options.window);
      break;
    case Mode::kJsFetch:
    case Mode::kJsPush:
    case Mode::kJsQueue:
      clients = " stream=" + options.stream + " storage=" + options.storage +
                " ack=" + (options.mode == Mode::kJsQueue ? std::string("each") : options.ack) +
                (options.mode == Mode::kJsPush ? "" : " batch=" + std::to_string(options.batch)) +
                (options.mode == Mode::kJsQueue ? " workers=" + std::to_string(options.workers) : "");
      break;
    default:
      clients = " pubs=" + std::to_string(options.pubs) + " subs=" + std::to_string(options.subs);
  }
  std::printf("tern-bench %s [server=%s subject=%s msgs=%s size=%zu B%s]\n", mode_name(options.mode),
              options.server_url.c_str(), options.subject.c_str(), with_commas(options.msgs).c_str(),
              options.size, clients.c_str());
  if (!report.publishers.empty() || !report.subscribers.empty()) print_throughput(report);
  if (report.latency) print_latency(*report.latency, options);
  if (report.jetstream) print_jetstream(*report.jetstream, options);
  if (report.footprint) {
    print_footprint(*report.footprint, report);
  } else if (report.server) {
    std::printf("Server CPU: %.3f s, %.0f ns per %s; RSS %s\n", report.server->cpu_seconds,
                report.server->cpu_ns_per_msg, report.server_cost_unit(),
                byte_size(static_cast<double>(report.server->rss_after)).c_str());
  }
  for (const std::string& warning : report.warnings)
    std::printf("warning: %s\n", warning.c_str());
  std::fflush(stdout);
}

}  // namespace tern::bench
