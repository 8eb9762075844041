#include "server/monitor/metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace tern::server::monitor {

namespace {

class MetricsText {
 public:
  // One family: its HELP and TYPE lines; the samples follow with sample().
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP tern_").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE tern_").append(name).append(" ").append(type).append("\n");
  }
  void sample(std::string_view name, std::uint64_t value, std::string_view labels = {}) {
    begin(name, labels);
    out_.append(std::to_string(value)).append("\n");
  }
  void sample(std::string_view name, double value, std::string_view labels = {}) {
    begin(name, labels);
    char text[64];
    // Prometheus reads Go's float syntax; %.17g round-trips every double.
    std::snprintf(text, sizeof text, "%.17g", std::isfinite(value) ? value : 0.0);
    out_.append(text).append("\n");
  }
  // A family with one sample.
  void gauge(std::string_view name, std::string_view help, std::uint64_t value) {
    family(name, "gauge", help);
    sample(name, value);
  }
  void counter(std::string_view name, std::string_view help, std::uint64_t value) {
    family(name, "counter", help);
    sample(name, value);
  }
  std::string take() { return std::move(out_); }

 private:
  void begin(std::string_view name, std::string_view labels) {
    out_.append("tern_").append(name);
    if (!labels.empty()) out_.append("{").append(labels).append("}");
    out_.append(" ");
  }
  std::string out_;
};

// A label value with the text format's escapes (backslash, double quote, newline).
std::string label_value(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string write_metrics(const ServerInfo& server, const SublistInfo& sublist,
                          const std::vector<ConnectionInfo>& open, SystemTime now) {
  MetricsText m;
  m.family("info", "gauge",
           "Always 1; the labels identify the server and the nats-server version it matches.");
  m.sample("info", std::uint64_t{1},
           "server_id=\"" + label_value(server.server_id) + "\",server_name=\"" +
               label_value(server.server_name) + "\",version=\"" + label_value(server.version) +
               "\",build=\"" + label_value(server.go) + "\"");
  m.family("start_time_seconds", "gauge", "When the server started, in seconds since the Unix epoch.");
  m.sample("start_time_seconds", std::chrono::duration<double>(server.start.time_since_epoch()).count());

  m.gauge("connections", "Client connections open now.", server.connections);
  m.counter("total_connections_total", "Client connections accepted since the server started.",
            server.total_connections);
  m.gauge("subscriptions", "Subscriptions in the subject index now.", server.subscriptions);
  m.counter("slow_consumers_total", "Connections cut as slow consumers (pending bytes or write deadline).",
            server.slow_consumers);
  m.counter("in_msgs_total", "Messages published to the server (PUB and HPUB).", server.in_msgs);
  m.counter("out_msgs_total", "Messages delivered to subscribers, one per delivery.", server.out_msgs);
  m.counter("in_bytes_total", "Payload bytes published, headers included.", server.in_bytes);
  m.counter("out_bytes_total", "Payload bytes delivered.", server.out_bytes);
  m.counter(
      "stalled_publishers_total",
      "Times a publisher's reads were paused because a receiver it fed held more than half its max_pending.",
      server.stalled_publishers);

  m.family("in_msg_size_bytes", "histogram", "Sizes of published message payloads, headers included.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i + 1 < server.in_msg_size_counts.size(); ++i) {
    cumulative += server.in_msg_size_counts[i];
    m.sample("in_msg_size_bytes_bucket", cumulative,
             "le=\"" + std::to_string(std::uint64_t{16} << (2 * i)) + "\"");
  }
  cumulative += server.in_msg_size_counts.back();
  m.sample("in_msg_size_bytes_bucket", cumulative, "le=\"+Inf\"");
  m.sample("in_msg_size_bytes_sum", server.in_bytes);
  m.sample("in_msg_size_bytes_count", cumulative);

  std::uint64_t pending_total = 0, pending_max = 0;
  for (const ConnectionInfo& c : open) {
    pending_total += c.pending_bytes;
    pending_max = std::max(pending_max, c.pending_bytes);
  }
  m.gauge("pending_bytes", "Bytes queued to all client connections and not yet written.", pending_total);
  m.gauge("connection_pending_bytes_max", "The most bytes queued to one client connection.", pending_max);
  m.gauge("max_pending_bytes", "The budget of queued bytes per connection (max_pending).",
          static_cast<std::uint64_t>(std::max<std::int64_t>(server.max_pending, 0)));

  m.counter("sublist_inserts_total", "Subscriptions added to the subject index.", sublist.num_inserts);
  m.counter("sublist_removes_total", "Subscriptions removed from the subject index.", sublist.num_removes);
  m.counter("sublist_matches_total", "Subject lookups in the subject index.", sublist.num_matches);
  m.gauge("sublist_cache_entries", "Subjects in the subject index's match cache.", sublist.num_cache);
  m.family("sublist_cache_hit_ratio", "gauge", "Fraction of subject lookups the match cache answered.");
  m.sample("sublist_cache_hit_ratio", sublist.cache_hit_rate);

  m.gauge("resident_memory_bytes", "Resident set size of the process.", server.mem);
  m.family("cpu_percent", "gauge", "CPU used by the process over the last sample, in percent of one core.");
  m.sample("cpu_percent", server.cpu);
  m.family("uptime_seconds", "gauge", "Seconds since the server started.");
  m.sample("uptime_seconds", std::chrono::duration<double>(now - server.start).count());
  return m.take();
}

}  // namespace tern::server::monitor
