// Everything a tern-bench run is told on its command line, after parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace tern::bench {

enum class Mode : std::uint8_t {
  kPub,      // Publishers only; the server discards what it receives.
  kSub,      // Subscribers, fed by a publisher of the same tool; the subscribers' figures are the result.
  kPubSub,   // Publishers and subscribers on one subject; every subscriber gets every message.
  kQueue,    // Subscribers in one queue group; each message goes to one of them.
  kReqRep,   // Requesters with one request outstanding each, and responders in a queue group.
  kLatency,  // One message in flight between a publishing and a subscribing connection.
  kSubs,     // Creates many subscriptions on one connection and reports the server's memory.
  kConns,    // Opens many idle connections and reports the server's memory.
  kJsPub,    // Publishes to a JetStream stream with a window of PubAcks outstanding.
  kJsFetch,  // Fills a stream, then drains it with a durable pull consumer (MSG.NEXT batches).
  kJsPush,   // Fills a stream, then drains it with a push consumer with flow control.
  kJsQueue,  // A work-queue stream: one producer, workers pulling from one shared consumer and acking.
};

const char* mode_name(Mode mode) noexcept;

struct BenchOptions {
  Mode mode = Mode::kPubSub;
  std::string server_url = "nats://127.0.0.1:4222";
  std::string subject = "bench";
  std::uint64_t msgs = 1'000'000;  // Messages per run, shared among the publishers (or requesters).
  std::size_t size = 128;          // Payload bytes.
  std::size_t pubs = 1;
  std::size_t subs = 1;
  std::size_t requesters = 1;
  std::size_t responders = 1;
  std::uint64_t count = 0;  // subs and conns modes: how many subscriptions or connections.
  double duration_seconds = 10.0;
  double rate = 0;  // Latency mode: target sends per second; 0 is flat out.
  std::uint64_t warmup = 500;
  std::string csv_path;
  std::string histogram_path;
  std::string plot_path;
  bool json = false;
  bool progress = true;
  std::optional<int> cpu_pin;
  std::optional<int> server_pid;
  // js-pub: the stream, where it keeps its messages, how many PubAcks may be outstanding, the server's
  // store directory to measure after the run (empty: not measured), and whether the stream stays.
  std::string stream = "BENCH";
  std::string storage = "file";
  std::size_t window = 256;
  std::string store_dir;
  bool keep = false;
  // js-fetch, js-push, js-queue: messages per pull request, whether each message is acked ("none":
  // ack_policy none; "each": explicit, one +ACK per message), and js-queue's worker connections.
  std::size_t batch = 1000;
  std::string ack = "none";
  std::size_t workers = 5;
};

}  // namespace tern::bench
