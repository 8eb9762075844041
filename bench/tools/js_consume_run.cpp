// js-fetch, js-push and js-queue: JetStream consumers draining a stream, over the raw protocol.
//   js-fetch: a control connection fills a stream with --msgs messages of --size bytes (PubAcks checked),
//     then a durable pull consumer drains it on a second connection with MSG.NEXT requests of --batch
//     (`{"batch":B,"expires":…}`), one outstanding at a time, acking each message (`--ack each`) or not
//     (`--ack none`, ack_policy none). Only the drain is timed.
//   js-push: the same backlog drained by a push consumer on an inbox, with flow control and idle
//     heartbeats on; flow-control requests are answered with an empty publish. Only the drain is timed.
//   js-queue: a work-queue stream; one producer publishes --msgs tasks with PubAcks while --workers
//     workers, each on its own connection, pull batches from one shared durable consumer and ack each
//     task (whatever --ack says: a work queue keeps a task until it is acked). Timed end to end: first
//     publish to last ack.
// Every wait has a deadline: a server without consumers fails the run with a message, never hangs it.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "bench/tools/bench_connection.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/jetstream_api.h"
#include "bench/tools/jetstream_reply.h"
#include "bench/tools/progress_line.h"
#include "bench/tools/pub_ack_window.h"
#include "bench/tools/run_tag.h"
#include "bench/tools/server_meter.h"
#include "protocol/connect.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

// No delivery for this long while messages remain means the consumer is not working.
constexpr std::chrono::seconds kStallLimit{10};
// How long one pull request may wait on the server; a drain renews it when it ends.
constexpr std::uint64_t kPullExpiresNanos = 5'000'000'000;
constexpr std::size_t kFillWindow = 256;
constexpr std::string_view kInboxSid = "1";
constexpr std::string_view kDeliverSid = "2";
constexpr const char* kDurable = "BENCH_C";

bool acks_each(const BenchOptions& options) {
  return options.ack == "each";
}

std::string make_payload(std::size_t size) {
  std::string payload;
  for (std::size_t i = 0; i < size; ++i)
    payload.push_back(static_cast<char>('a' + i % 26));
  payload.append("\r\n");
  return payload;
}

void append_pub(std::string& out, std::string_view subject, std::string_view reply, std::string_view body) {
  const std::size_t at = out.size();
  out.resize(at + protocol::pub_line_size(subject, reply, 0, body.size(), false));
  protocol::write_pub_line(out.data() + at, subject, reply, 0, body.size(), false);
  out.append(body).append("\r\n");
}

// The status code of a header-only status message ("NATS/1.0 408 Request Timeout" → 408), or 0 for a
// message that carries its own headers and no status.
int status_code(const protocol::Op& op) {
  if (op.kind != protocol::OpKind::kHmsg) return 0;
  const std::string_view head = op.payload.substr(0, op.payload.find('\r'));
  constexpr std::string_view kPrefix = "NATS/1.0 ";
  if (!head.starts_with(kPrefix) || head.size() < kPrefix.size() + 3) return 0;
  int code = 0;
  const char* first = head.data() + kPrefix.size();
  std::from_chars(first, first + 3, code);
  return code;
}

std::string status_line(const protocol::Op& op) {
  return std::string(op.payload.substr(0, op.payload.find('\r')));
}

// `$JS.API.CONSUMER.CREATE.<stream>.<durable>` with the fields the three modes vary.
std::string consumer_create_json(const std::string& stream, bool ack_explicit,
                                 const std::string& deliver_subject) {
  std::string json = "{\"stream_name\":";
  protocol::append_json_string(json, stream);
  json += ",\"config\":{\"durable_name\":\"";
  json += kDurable;
  json += "\",\"name\":\"";
  json += kDurable;
  json += "\",\"deliver_policy\":\"all\",\"ack_policy\":";
  json += ack_explicit ? "\"explicit\"" : "\"none\"";
  json += ",\"ack_wait\":30000000000,\"max_deliver\":-1,\"replay_policy\":\"instant\"";
  // max_ack_pending needs an ack policy (10082 otherwise); nats.go's pull subscriptions ask for 65536.
  if (ack_explicit) json += ",\"max_ack_pending\":65536";
  if (deliver_subject.empty()) {
    json += ",\"max_waiting\":512";
  } else {
    json += ",\"deliver_subject\":";
    protocol::append_json_string(json, deliver_subject);
    json += ",\"flow_control\":true,\"idle_heartbeat\":1000000000";
  }
  json += ",\"num_replicas\":0}}";
  return json;
}

// A connection with an inbox subscription and the API on it: creates and deletes streams and consumers
// and publishes with PubAcks.
class Control {
 public:
  explicit Control(const BenchOptions& options)
      : options_(options),
        inbox_prefix_("_INBOX." + random_run_tag() + "."),
        connection_(parse_server_url(options.server_url)),
        api_(connection_, inbox_prefix_),
        payload_(make_payload(options.size)) {
    std::string sub;
    protocol::append_sub(sub, inbox_prefix_ + "*", {}, kInboxSid);
    connection_.write_all(sub);
    connection_.round_trip();
  }

  void create_stream(bool work_queue) {
    api_.delete_stream(options_.stream);
    std::string json = stream_create_json(
        StreamConfig{.name = options_.stream, .subject = options_.subject, .storage = options_.storage});
    if (work_queue) {
      const std::string limits = "\"retention\":\"limits\"";
      json.replace(json.find(limits), limits.size(), "\"retention\":\"workqueue\"");
    }
    const std::string reply = api_.request("$JS.API.STREAM.CREATE." + options_.stream, json);
    if (const auto error = find_api_error(reply))
      throw std::runtime_error("creating stream " + options_.stream + ": " + describe(*error));
  }

  void create_consumer(bool ack_explicit, const std::string& deliver_subject) {
    const std::string subject = "$JS.API.CONSUMER.CREATE." + options_.stream + "." + kDurable;
    const std::string reply =
        api_.request(subject, consumer_create_json(options_.stream, ack_explicit, deliver_subject));
    if (const auto error = find_api_error(reply))
      throw std::runtime_error("creating consumer " + std::string(kDurable) + ": " + describe(*error));
  }

  void delete_stream() { api_.delete_stream(options_.stream); }

  // Publishes --msgs messages with at most kFillWindow PubAcks outstanding; every PubAck must be a
  // success. `on_progress` sees the count acknowledged so far.
  template <class OnProgress>
  void fill(OnProgress&& on_progress) {
    PubAckWindow window(kFillWindow);
    std::uint64_t next = 0;
    std::uint64_t acked = 0;
    std::string batch;
    auto last_progress = Clock::now();
    while (acked < options_.msgs) {
      batch.clear();
      const auto now = Clock::now();
      while (next < options_.msgs && window.can_send(next) && batch.size() < 64 * 1024) {
        const std::string reply = inbox_prefix_ + "p" + std::to_string(next);
        const std::size_t at = batch.size();
        batch.resize(at + protocol::pub_line_size(options_.subject, reply, 0, options_.size, false));
        protocol::write_pub_line(batch.data() + at, options_.subject, reply, 0, options_.size, false);
        batch.append(payload_);
        window.sent(next, now);
        ++next;
      }
      if (!batch.empty()) connection_.write_all(batch);
      const ReadOutcome outcome = connection_.read_ops([&](const protocol::Op& op) {
        if (op.kind != protocol::OpKind::kMsg && op.kind != protocol::OpKind::kHmsg) return;
        const std::string prefix = inbox_prefix_ + "p";
        if (!op.subject.starts_with(prefix)) return;
        std::uint64_t number = 0;
        const std::string_view digits = op.subject.substr(prefix.size());
        std::from_chars(digits.data(), digits.data() + digits.size(), number);
        if (!window.acknowledge(number)) return;
        if (op.kind == protocol::OpKind::kHmsg)
          throw std::runtime_error("publishing to " + options_.subject + ": " + status_line(op));
        if (const auto problem = pub_ack_problem(op.payload))
          throw std::runtime_error("publishing to " + options_.subject + ": " + *problem);
        ++acked;
        last_progress = Clock::now();
      });
      if (outcome == ReadOutcome::kClosed) throw std::runtime_error(connection_.last_error());
      on_progress(acked);
      if (Clock::now() - last_progress > kStallLimit)
        throw std::runtime_error("no PubAck for " + std::to_string(kStallLimit.count()) + " s while filling");
    }
  }

 private:
  const BenchOptions& options_;
  std::string inbox_prefix_;
  BenchConnection connection_;
  JetStreamApi api_;
  std::string payload_;
};

// One consuming connection: receives deliveries on an inbox, acks them when asked to, answers flow
// control, and renews pull requests. Counts delivered messages and their payload bytes.
class Drainer {
 public:
  Drainer(const BenchOptions& options, bool pull, bool ack, std::uint64_t stop_at,
          std::atomic<std::uint64_t>* shared)
      : options_(options),
        pull_(pull),
        ack_(ack),
        stop_at_(stop_at),
        shared_(shared),
        inbox_("_INBOX." + random_run_tag() + ".d"),
        next_subject_("$JS.API.CONSUMER.MSG.NEXT." + options.stream + "." + kDurable),
        connection_(parse_server_url(options.server_url)) {
    std::string sub;
    protocol::append_sub(sub, inbox_, {}, kDeliverSid);
    connection_.write_all(sub);
    connection_.round_trip();
  }

  const std::string& inbox() const { return inbox_; }

  // Drains until `stop_at` messages were delivered in all (the shared count, when there is one), or
  // fails after kStallLimit without a delivery.
  void drain(ClientSample& sample) {
    sample.start = Clock::now();
    auto last_delivery = sample.start;
    if (pull_) request_batch();
    std::string out;
    while (!done()) {
      out.clear();
      const ReadOutcome outcome =
          connection_.read_ops([&](const protocol::Op& op) { on_op(op, out, sample); });
      if (outcome == ReadOutcome::kClosed) throw std::runtime_error(connection_.last_error());
      if (!out.empty()) connection_.write_all(out);
      // A worker of a queue watches the queue's progress: another worker may take every task for a while.
      const std::uint64_t progress =
          shared_ != nullptr ? shared_->load(std::memory_order_relaxed) : sample.msgs;
      if (progress != counted_) {
        counted_ = progress;
        last_delivery = Clock::now();
      }
      if (!failure_.empty()) throw std::runtime_error(failure_);
      if (Clock::now() - last_delivery > kStallLimit && !done()) {
        throw std::runtime_error("no delivery for " + std::to_string(kStallLimit.count()) + " s after " +
                                 std::to_string(counted_) + " messages" +
                                 (last_status_.empty() ? "" : " (last status: " + last_status_ + ")") +
                                 ": does the server support JetStream consumers?");
      }
    }
    // The acks of the last messages are written; a round trip makes sure the server has read them.
    connection_.round_trip();
  }

 private:
  bool done() const {
    if (shared_ != nullptr) return shared_->load(std::memory_order_relaxed) >= stop_at_;
    return counted_total_ >= stop_at_;
  }

  void request_batch() {
    std::string body = "{\"batch\":" + std::to_string(options_.batch) +
                       ",\"expires\":" + std::to_string(kPullExpiresNanos) + "}";
    std::string frame;
    append_pub(frame, next_subject_, inbox_, body);
    connection_.write_all(frame);
    in_batch_ = 0;
  }

  void on_op(const protocol::Op& op, std::string& out, ClientSample& sample) {
    if (op.kind != protocol::OpKind::kMsg && op.kind != protocol::OpKind::kHmsg) return;
    if (op.sid != kDeliverSid) return;
    const int code = status_code(op);
    if (code != 0) {
      last_status_ = status_line(op);
      if (code == 100) {
        // A flow-control request wants an empty reply; a heartbeat while stalled names the same
        // subject in Nats-Consumer-Stalled.
        if (!op.reply.empty()) append_pub(out, op.reply, {}, {});
        const auto stalled = op.payload.find("Nats-Consumer-Stalled: ");
        if (stalled != std::string_view::npos) {
          const std::string_view rest = op.payload.substr(stalled + 23);
          append_pub(out, rest.substr(0, rest.find('\r')), {}, {});
        }
      } else if (pull_ && (code == 404 || code == 408)) {
        // The request ended (expired, or nothing left for now): ask again while work remains.
        if (!done()) request_batch();
      } else {
        failure_ = "the server answered a consumer request with " + last_status_;
      }
      return;
    }
    ++sample.msgs;
    sample.bytes += op.payload.size() - static_cast<std::size_t>(std::max<std::int64_t>(op.header_size, 0));
    sample.end = Clock::now();
    ++counted_total_;
    if (shared_ != nullptr) shared_->fetch_add(1, std::memory_order_relaxed);
    if (ack_ && !op.reply.empty()) append_pub(out, op.reply, {}, {});
    if (pull_ && ++in_batch_ == options_.batch && !done()) request_batch();
  }

  const BenchOptions& options_;
  bool pull_;
  bool ack_;
  std::uint64_t stop_at_;
  std::atomic<std::uint64_t>* shared_;
  std::string inbox_;
  std::string next_subject_;
  BenchConnection connection_;
  std::uint64_t counted_ = 0;
  std::uint64_t counted_total_ = 0;
  std::size_t in_batch_ = 0;
  std::string last_status_;
  std::string failure_;
};

RunReport run_drain(const BenchOptions& options, bool pull) {
  Control control(options);
  control.create_stream(false);
  {
    ProgressLine progress(options.progress);
    control.fill([&](std::uint64_t acked) { progress.update(acked, acked); });
    progress.finish();
  }
  RunReport report;
  report.options = options;
  ServerMeter meter(options.server_pid);
  Drainer drainer(options, pull, acks_each(options), options.msgs, nullptr);
  ClientSample sample{.id = "S0"};
  meter.start();
  if (pull) {
    control.create_consumer(acks_each(options), {});
    drainer.drain(sample);
  } else {
    // The push consumer starts delivering when it is created, so the drain is timed from the create
    // request; the drainer's inbox is subscribed already.
    const auto start = Clock::now();
    control.create_consumer(acks_each(options), drainer.inbox());
    drainer.drain(sample);
    sample.start = start;
  }
  report.subscribers.push_back(sample);
  report.server = meter.finish(report.messages_for_server_cost());
  if (!options.keep) control.delete_stream();
  return report;
}

RunReport run_queue(const BenchOptions& options) {
  Control control(options);
  control.create_stream(true);
  control.create_consumer(true, {});
  RunReport report;
  report.options = options;
  std::atomic<std::uint64_t> done{0};
  std::vector<std::unique_ptr<Drainer>> workers;
  for (std::size_t i = 0; i < options.workers; ++i)
    workers.push_back(std::make_unique<Drainer>(options, true, true, options.msgs, &done));
  std::vector<ClientSample> samples(options.workers);
  std::vector<std::string> errors(options.workers);
  ServerMeter meter(options.server_pid);
  meter.start();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < options.workers; ++i) {
    samples[i].id = client_id('S', i);
    threads.emplace_back([&, i] {
      try {
        workers[i]->drain(samples[i]);
      } catch (const std::exception& error) {
        errors[i] = error.what();
        // Lets the other workers and the producer stop instead of waiting out their stall limits.
        done.store(options.msgs, std::memory_order_relaxed);
      }
    });
  }
  std::string producer_error;
  try {
    ProgressLine progress(options.progress);
    control.fill([&](std::uint64_t acked) { progress.update(acked, done.load(std::memory_order_relaxed)); });
    progress.finish();
  } catch (const std::exception& error) {
    producer_error = error.what();
    done.store(options.msgs, std::memory_order_relaxed);
  }
  for (auto& thread : threads)
    thread.join();
  if (!producer_error.empty()) throw std::runtime_error(producer_error);
  for (const auto& error : errors) {
    if (!error.empty()) throw std::runtime_error(error);
  }
  // One sample for the whole queue: tasks acknowledged by any worker, first publish to last ack.
  ClientSample total{.id = "W"};
  total.start = start;
  for (const auto& sample : samples) {
    total.msgs += sample.msgs;
    total.bytes += sample.bytes;
    total.end = std::max(total.end, sample.end);
  }
  report.subscribers.push_back(total);
  report.server = meter.finish(report.messages_for_server_cost());
  if (!options.keep) control.delete_stream();
  return report;
}

}  // namespace

RunReport run_js_consume(const BenchOptions& options) {
  switch (options.mode) {
    case Mode::kJsFetch:
      return run_drain(options, true);
    case Mode::kJsPush:
      return run_drain(options, false);
    default:
      return run_queue(options);
  }
}

}  // namespace tern::bench
