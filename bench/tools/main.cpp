// tern-bench: a load generator for any server that speaks the NATS client protocol. See
// docs/benchmarks.md ("Load tool") for what each mode measures and how.
#include <sched.h>
#include <sys/prctl.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <map>

#include "bench/tools/bench_options.h"
#include "bench/tools/bench_runs.h"
#include "bench/tools/percentile_distribution.h"
#include "bench/tools/run_report.h"
#include "protocol/subject.h"

namespace tern::bench {

namespace {

const std::map<std::string, Mode> kModes = {
    {"pub", Mode::kPub},          {"sub", Mode::kSub},        {"pubsub", Mode::kPubSub},
    {"queue", Mode::kQueue},      {"reqrep", Mode::kReqRep},  {"latency", Mode::kLatency},
    {"subs", Mode::kSubs},        {"conns", Mode::kConns},    {"js-pub", Mode::kJsPub},
    {"js-fetch", Mode::kJsFetch}, {"js-push", Mode::kJsPush}, {"js-queue", Mode::kJsQueue},
};

bool is_jetstream_mode(Mode mode) {
  return mode == Mode::kJsPub || mode == Mode::kJsFetch || mode == Mode::kJsPush || mode == Mode::kJsQueue;
}

// js-pub publishes here unless --subject says otherwise: a stream kept with --keep on the default
// subject of the other modes would store everything they publish.
constexpr const char* kJsPubSubject = "bench.js";

// What the command line gives before it becomes BenchOptions.
struct CommandLineExtras {
  std::string mode;
  bool no_progress = false;
};

void add_options(CLI::App& app, BenchOptions& options, CommandLineExtras& extras) {
  std::vector<std::string> mode_names;
  for (const auto& entry : kModes)
    mode_names.push_back(entry.first);
  app.add_option("mode", extras.mode, "What to run (docs/benchmarks.md, \"Load tool\")")
      ->required()
      ->check(CLI::IsMember(mode_names));
  app.add_option("-s,--server", options.server_url, "Server URL, nats://host:port")->capture_default_str();
  app.add_option(
         "--subject", options.subject,
         "Subject to publish and subscribe on (subs: the prefix; js-pub: the stream's, default bench.js)")
      ->capture_default_str();
  app.add_option("--msgs", options.msgs, "Messages (or requests) in all, shared among the publishers")
      ->capture_default_str();
  app.add_option("--size", options.size, "Payload bytes")->capture_default_str();
  app.add_option("--pubs", options.pubs, "Publishers (pub, sub, pubsub, queue)")->capture_default_str();
  app.add_option("--subs", options.subs, "Subscribers (sub, pubsub, queue)")->capture_default_str();
  app.add_option("--requesters", options.requesters, "Concurrent requesters (reqrep)")->capture_default_str();
  app.add_option("--responders", options.responders, "Responders in one queue group (reqrep)")
      ->capture_default_str();
  app.add_option("--count", options.count, "Subscriptions (subs) or idle connections (conns) to create");
  app.add_option("--duration", options.duration_seconds, "Upper bound on the measured time, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rate", options.rate,
                 "latency: target messages per second, latency timed from the scheduled send (0: flat out)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--warmup", options.warmup, "latency: unrecorded round trips first")->capture_default_str();
  app.add_option("--csv", options.csv_path, "Append per-client rows to this CSV file");
  app.add_flag("--json", options.json, "Print one JSON object instead of the text report");
  app.add_option("--histogram", options.histogram_path,
                 "latency, reqrep: write the percentile distribution here");
  app.add_option("--plot", options.plot_path, "latency, reqrep: write an SVG plot of the distribution here");
  app.add_option("--cpu-pin", options.cpu_pin, "Run the tool's threads on this CPU only");
  app.add_option("--server-pid", options.server_pid,
                 "Read this process's CPU time and memory from /proc before and after the run");
  app.add_flag("--no-progress", extras.no_progress, "No progress line on stderr");
  app.add_option("--stream", options.stream, "js-pub: the stream to create (and delete)")
      ->capture_default_str();
  app.add_option("--storage", options.storage, "js-pub: the stream's storage")
      ->capture_default_str()
      ->check(CLI::IsMember({"file", "memory"}));
  app.add_option("--window", options.window, "js-pub: PubAcks outstanding at most")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--store-dir", options.store_dir,
                 "js-pub: the server's store directory, measured after the run (a local server only)")
      ->check(CLI::ExistingDirectory);
  app.add_flag("--keep", options.keep, "js-pub: leave the stream and its messages on the server");
  app.add_option("--batch", options.batch, "js-fetch, js-queue: messages per pull request")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--ack", options.ack,
                 "js-fetch, js-push: ack policy none, or explicit with an ack per message")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "each"}));
  app.add_option("--workers", options.workers, "js-queue: worker connections sharing the consumer")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
}

// Why the js-pub options cannot work, or nothing. Stream names become file names on the server and a
// token of API subjects, so nats-server refuses these characters (err_code 10128).
std::optional<std::string> js_pub_problem(const BenchOptions& options) {
  if (options.stream.empty() || options.stream.size() > 255 ||
      options.stream.find_first_of(".*> \t\r\n/\\") != std::string::npos) {
    return "--stream must be 1 to 255 bytes without '.', '*', '>', '/', '\\' or white space";
  }
  if (!protocol::is_valid_literal_subject(options.subject))
    return "--subject must be a subject without wildcards for the js-* modes";
  if (options.msgs == 0) return "--msgs must be at least 1 for the js-* modes";
  return std::nullopt;
}

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    throw std::runtime_error("cannot pin to CPU " + std::to_string(cpu));
}

RunReport run(const BenchOptions& options) {
  switch (options.mode) {
    case Mode::kLatency:
      return run_latency(options);
    case Mode::kReqRep:
      return run_request_reply(options);
    case Mode::kSubs:
    case Mode::kConns:
      return run_footprint(options);
    case Mode::kJsPub:
      return run_js_publish(options);
    case Mode::kJsFetch:
    case Mode::kJsPush:
    case Mode::kJsQueue:
      return run_js_consume(options);
    default:
      return run_throughput(options);
  }
}

void write_latency_files(const RunReport& report) {
  const BenchOptions& options = report.options;
  if (!report.latency) return;
  if (!options.histogram_path.empty())
    write_percentile_file(options.histogram_path, report.latency->histogram);
  if (!options.plot_path.empty()) {
    const LatencyHistogram& histogram = report.latency->histogram;
    char figures[160];
    std::snprintf(figures, sizeof figures, "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us",
                  static_cast<double>(histogram.value_at_percentile(50)) / 1000.0,
                  static_cast<double>(histogram.value_at_percentile(99)) / 1000.0,
                  static_cast<double>(histogram.value_at_percentile(99.9)) / 1000.0,
                  static_cast<double>(histogram.max()) / 1000.0);
    const std::string title = std::string("tern-bench ") + mode_name(options.mode) + ": " +
                              report.latency->kind + ", " + std::to_string(options.size) + " B, " +
                              options.server_url + " (" + figures + ")";
    write_percentile_plot(options.plot_path, report.latency->histogram, title);
  }
}

}  // namespace

const char* mode_name(Mode mode) noexcept {
  for (const auto& [name, value] : kModes) {
    if (value == mode) return name.c_str();
  }
  return "?";
}

}  // namespace tern::bench

int main(int argc, char** argv) {
  using namespace tern::bench;
  CLI::App app("tern-bench: throughput and latency of a NATS-protocol server");
  BenchOptions options;
  CommandLineExtras extras;
  add_options(app, options, extras);
  CLI11_PARSE(app, argc, argv);
  options.mode = kModes.at(extras.mode);
  options.progress = !extras.no_progress;
  if ((options.mode == Mode::kSubs || options.mode == Mode::kConns) && options.count == 0) {
    std::fprintf(stderr, "tern-bench: %s needs --count\n", mode_name(options.mode));
    return 1;
  }
  if (is_jetstream_mode(options.mode)) {
    if (app.count("--subject") == 0) options.subject = kJsPubSubject;
    if (const auto problem = js_pub_problem(options)) {
      std::fprintf(stderr, "tern-bench: %s\n", problem->c_str());
      return 1;
    }
  }
  try {
    if (options.cpu_pin) pin_to_cpu(*options.cpu_pin);
    // Latency runs under --rate sleep until each scheduled send; the default timer slack would add up
    // to 50 us to every one of those sleeps.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    const RunReport report = run(options);
    if (options.json) {
      print_json_report(report);
    } else {
      print_text_report(report);
    }
    if (!options.csv_path.empty()) write_csv_report(report, options.csv_path);
    write_latency_files(report);
    if (report.client_failed) return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tern-bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
