// js-pub: one connection creates a JetStream stream, publishes to it with a reply subject per message and
// at most --window PubAcks outstanding, checks every PubAck, and reports the acknowledged rate and the
// latency from each send to its PubAck. With --store-dir it also reports the store's size on disk.
#include <charconv>
#include <stdexcept>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/jetstream_api.h"
#include "bench/tools/jetstream_reply.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/pub_ack_window.h"
#include "bench/tools/publish_batch.h"
#include "bench/tools/run_control.h"
#include "bench/tools/run_tag.h"
#include "bench/tools/server_meter.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

// Past the deadline, the PubAcks already due may take this long to arrive before they count as missing.
constexpr std::chrono::seconds kAckDrainLimit{5};
// The inbox subscription's sid.
constexpr std::string_view kInboxSid = "1";

class JsPublishRun {
 public:
  explicit JsPublishRun(const BenchOptions& options)
      : options_(options),
        inbox_prefix_("_INBOX." + random_run_tag() + "."),
        connection_(parse_server_url(options.server_url)),
        api_(connection_, inbox_prefix_),
        window_(options.window),
        control_(std::chrono::duration<double>(options.duration_seconds)) {
    for (std::size_t i = 0; i < options.size; ++i)
      payload_.push_back(static_cast<char>('a' + i % 26));
    payload_.append("\r\n");
  }

  RunReport run() {
    std::string sub;
    protocol::append_sub(sub, inbox_prefix_ + "*", {}, kInboxSid);
    connection_.write_all(sub);
    connection_.round_trip();
    const StreamConfig stream{
        .name = options_.stream, .subject = options_.subject, .storage = options_.storage};
    // A stream left by an earlier run would add its messages to the store's size.
    api_.delete_stream(stream.name);
    api_.create_stream(stream);

    RunReport report;
    report.options = options_;
    ServerMeter meter(options_.server_pid);
    meter.start();
    control_.restart_deadline(std::chrono::duration<double>(options_.duration_seconds));
    publish();
    summary_.missing_acks = window_.outstanding();
    report.publishers.push_back(sample_);
    latency_.achieved_rate = sample_.msgs_per_second();
    report.latency = std::move(latency_);
    report.server = meter.finish(report.messages_for_server_cost());

    // The store is measured while the stream still exists, before the delete below removes its files.
    if (!options_.store_dir.empty()) summary_.store = measure_store(options_.store_dir);
    if (!options_.keep) api_.delete_stream(stream.name);
    report.jetstream = summary_;
    add_warnings(report);
    return report;
  }

 private:
  // Sends and collects PubAcks until every message is acknowledged, or the deadline stops sending and the
  // acks already due have had kAckDrainLimit to arrive.
  void publish() {
    ProgressLine progress(options_.progress);
    latency_.kind = "publish to PubAck";
    std::uint64_t next = 0;
    bool stopping = false;
    Clock::time_point give_up{};
    while (window_.outstanding() > 0 || (!stopping && next < options_.msgs)) {
      if (!stopping) next = send_what_the_window_allows(next);
      if (window_.outstanding() == 0) continue;
      const ReadOutcome outcome = connection_.read_ops([&](const protocol::Op& op) { on_reply(op); });
      if (outcome == ReadOutcome::kClosed) throw std::runtime_error(connection_.last_error());
      const std::uint64_t answered = summary_.acks + summary_.ack_errors;
      progress.update(next, answered);
      control_.published.store(next, std::memory_order_relaxed);
      if (!stopping && control_.should_stop()) {
        stopping = true;
        give_up = Clock::now() + kAckDrainLimit;
      }
      if (stopping && Clock::now() > give_up) break;
    }
    progress.finish();
  }

  // Writes the next messages in one batch, as many as the window allows; returns the next message number.
  std::uint64_t send_what_the_window_allows(std::uint64_t next) {
    batch_.clear();
    // One clock reading stands for the whole batch: its frames leave in one write.
    const Clock::time_point now = Clock::now();
    if (next == 0) sample_.start = now;
    while (next < options_.msgs && window_.can_send(next) && batch_.size() < kTargetBatchBytes) {
      append_frame(next);
      window_.sent(next, now);
      ++next;
    }
    if (!batch_.empty()) connection_.write_all(batch_);
    return next;
  }

  void append_frame(std::uint64_t number) {
    char reply[80];
    char* end = std::copy(inbox_prefix_.begin(), inbox_prefix_.end(), reply);
    end = std::to_chars(end, reply + sizeof reply, number).ptr;
    const std::string_view reply_subject(reply, static_cast<std::size_t>(end - reply));
    const std::size_t at = batch_.size();
    batch_.resize(at + protocol::pub_line_size(options_.subject, reply_subject, 0, options_.size, false));
    protocol::write_pub_line(batch_.data() + at, options_.subject, reply_subject, 0, options_.size, false);
    batch_.append(payload_);
  }

  void on_reply(const protocol::Op& op) {
    if (op.kind != protocol::OpKind::kMsg && op.kind != protocol::OpKind::kHmsg) return;
    if (!op.subject.starts_with(inbox_prefix_)) return;
    const std::string_view suffix = op.subject.substr(inbox_prefix_.size());
    std::uint64_t number = 0;
    const auto parsed = std::from_chars(suffix.data(), suffix.data() + suffix.size(), number);
    // Late replies to API requests (`…api<n>`) are not PubAcks.
    if (parsed.ec != std::errc() || parsed.ptr != suffix.data() + suffix.size()) return;
    const auto sent_at = window_.acknowledge(number);
    if (!sent_at) return;
    if (op.kind == protocol::OpKind::kHmsg) {
      // A status in place of a PubAck: no responders (503) when no stream takes the subject, which is
      // what a stream deleted during the run looks like.
      const std::string_view status = op.payload.substr(0, op.payload.find('\r'));
      const bool no_stream = status.find(" 503") != std::string_view::npos;
      record_error(std::string(status) + " in place of a PubAck" +
                   (no_stream ? ": no stream takes the subject" : ""));
      return;
    }
    if (const auto problem = pub_ack_problem(op.payload)) {
      record_error(*problem);
      return;
    }
    const Clock::time_point now = Clock::now();
    latency_.histogram.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - *sent_at).count()));
    ++summary_.acks;
    ++sample_.msgs;
    sample_.bytes += options_.size;
    sample_.end = now;
  }

  void record_error(std::string what) {
    if (summary_.ack_errors++ == 0) summary_.first_error = std::move(what);
  }

  void add_warnings(RunReport& report) const {
    if (summary_.ack_errors > 0) {
      report.warnings.push_back(std::to_string(summary_.ack_errors) +
                                " PubAcks reported an error; the first: " + summary_.first_error);
    }
    if (summary_.missing_acks > 0) {
      report.warnings.push_back(std::to_string(summary_.missing_acks) + " PubAcks never arrived");
    }
    const std::uint64_t answered = summary_.acks + summary_.ack_errors + summary_.missing_acks;
    if (answered < options_.msgs) {
      report.warnings.push_back("the deadline stopped publishing after " + std::to_string(answered) + " of " +
                                std::to_string(options_.msgs) + " messages");
    }
    // Every message must be stored: an error or a missing PubAck fails the run.
    report.client_failed = summary_.ack_errors > 0 || summary_.missing_acks > 0;
  }

  const BenchOptions& options_;
  std::string inbox_prefix_;
  BenchConnection connection_;
  JetStreamApi api_;
  PubAckWindow window_;
  RunControl control_;
  std::string payload_;  // The payload and its closing CRLF.
  std::string batch_;
  ClientSample sample_{.id = "P0"};
  LatencySummary latency_;
  JetStreamSummary summary_;
};

}  // namespace

RunReport run_js_publish(const BenchOptions& options) {
  return JsPublishRun(options).run();
}

}  // namespace tern::bench
