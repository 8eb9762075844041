// The machine-readable report: one JSON object on stdout, which scripts/bench reads with jq.
#include <cstdio>
#include <string>

#include "bench/tools/number_format.h"
#include "bench/tools/run_report.h"
#include "protocol/connect.h"

namespace tern::bench {

namespace {

// Builds one JSON object; keys are added in order and commas placed automatically.
class JsonObject {
 public:
  JsonObject& number(const char* key, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6g", value);
    return raw(key, text);
  }
  JsonObject& integer(const char* key, std::uint64_t value) { return raw(key, std::to_string(value)); }
  JsonObject& string(const char* key, std::string_view value) {
    std::string quoted;
    protocol::append_json_string(quoted, value);
    return raw(key, quoted);
  }
  JsonObject& object(const char* key, const JsonObject& value) { return raw(key, value.text()); }
  JsonObject& raw(const char* key, std::string_view json) {
    body_ += body_.empty() ? "\"" : ",\"";
    body_.append(key).append("\":").append(json);
    return *this;
  }
  std::string text() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

JsonObject group_json(const GroupStats& stats, std::size_t clients) {
  JsonObject json;
  json.integer("clients", clients)
      .integer("msgs", stats.msgs)
      .integer("bytes", stats.bytes)
      .number("seconds", stats.seconds)
      .number("msgs_per_sec", stats.msgs_per_second)
      .number("bytes_per_sec", stats.bytes_per_second)
      .number("min_rate", stats.min_rate)
      .number("avg_rate", stats.avg_rate)
      .number("max_rate", stats.max_rate)
      .number("stddev_rate", stats.stddev_rate);
  return json;
}

JsonObject latency_json(const LatencySummary& latency) {
  JsonObject json;
  json.string("kind", latency.kind)
      .integer("count", latency.histogram.count())
      .number("achieved_rate", latency.achieved_rate)
      .number("target_rate", latency.target_rate);
  for (double percentile : kReportedPercentiles) {
    const std::string key = percentile_label(percentile) + "_us";
    json.number(key.c_str(), static_cast<double>(latency.histogram.value_at_percentile(percentile)) / 1000.0);
  }
  json.number("max_us", static_cast<double>(latency.histogram.max()) / 1000.0)
      .number("mean_us", latency.histogram.mean() / 1000.0)
      .number("stddev_us", latency.histogram.stddev() / 1000.0);
  return json;
}

// Per-message store figures divide by the messages asked for: a run that fell short has failed anyway.
JsonObject jetstream_json(const JetStreamSummary& jetstream, const BenchOptions& options) {
  JsonObject json;
  json.string("stream", options.stream)
      .string("storage", options.storage)
      .integer("window", options.window)
      .integer("acks", jetstream.acks)
      .integer("ack_errors", jetstream.ack_errors)
      .integer("missing_acks", jetstream.missing_acks)
      .string("first_error", jetstream.first_error);
  if (jetstream.store) {
    json.string("store_dir", jetstream.store->directory)
        .integer("disk_bytes", jetstream.store->disk_bytes)
        .integer("apparent_bytes", jetstream.store->apparent_bytes)
        .integer("files", jetstream.store->files)
        .number("disk_bytes_per_msg", jetstream.store->disk_bytes_per(options.msgs))
        .number("apparent_bytes_per_msg", jetstream.store->apparent_bytes_per(options.msgs));
  }
  return json;
}

}  // namespace

void print_json_report(const RunReport& report) {
  const BenchOptions& options = report.options;
  JsonObject json;
  json.string("mode", mode_name(options.mode))
      .string("url", options.server_url)
      .string("subject", options.subject)
      .integer("msgs", options.msgs)
      .integer("size", options.size)
      .integer("pubs", options.pubs)
      .integer("subs", options.subs);
  if (!report.publishers.empty())
    json.object("pub", group_json(summarize(report.publishers), report.publishers.size()));
  if (!report.subscribers.empty()) {
    json.object("sub", group_json(summarize(report.subscribers), report.subscribers.size()));
  }
  if (!report.publishers.empty() && !report.subscribers.empty()) {
    json.object("total", group_json(summarize(report.publishers, report.subscribers),
                                    report.publishers.size() + report.subscribers.size()));
  }
  if (report.latency) json.object("latency", latency_json(*report.latency));
  if (report.footprint) {
    JsonObject footprint;
    footprint.string("kind", report.footprint->kind)
        .integer("count", report.footprint->count)
        .number("seconds", report.footprint->seconds);
    if (report.server && report.footprint->count > 0) {
      const double grown =
          static_cast<double>(report.server->rss_after) - static_cast<double>(report.server->rss_before);
      footprint.number("bytes_each", grown / static_cast<double>(report.footprint->count));
    }
    json.object("footprint", footprint);
  }
  if (report.jetstream) json.object("js", jetstream_json(*report.jetstream, options));
  if (report.server) {
    JsonObject server;
    server.number("cpu_seconds", report.server->cpu_seconds)
        .number("cpu_ns_per_msg", report.server->cpu_ns_per_msg)
        .string("cpu_unit", report.server_cost_unit())
        .integer("rss_before", report.server->rss_before)
        .integer("rss_after", report.server->rss_after);
    json.object("server", server);
  }
  std::string warnings = "[";
  for (const std::string& warning : report.warnings) {
    if (warnings.size() > 1) warnings += ',';
    protocol::append_json_string(warnings, warning);
  }
  json.raw("warnings", warnings + "]");
  json.raw("client_failed", report.client_failed ? "true" : "false");
  std::printf("%s\n", json.text().c_str());
  std::fflush(stdout);
}

}  // namespace tern::bench
