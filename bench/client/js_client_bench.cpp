// tern-client-bench: what a JetStream client costs per message, tern::client against libnats (the NATS C
// client), on the same server in the same run. For each workload it reports messages per second and
// the client process's own CPU time per message (user + system, all its threads, from getrusage), which
// is the client's cost: the server runs in another process.
//
//   tern-client-bench -s nats://127.0.0.1:4222 [--messages 200000] [--size 16]
//
// Workloads: a synchronous publish (one PubAck round trip per message), asynchronous publishes with
// 4000 outstanding, and a pull consumer fetching the stored backlog in batches of 100 with and without
// an ack per message.
#include <nats/nats.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/jetstream/jetstream.h"

namespace {

namespace js = tern::client::jetstream;
using Clock = std::chrono::steady_clock;

constexpr const char* kStream = "CLIENTBENCH";
constexpr const char* kSubject = "clientbench.data";
constexpr std::size_t kFetchBatch = 100;
constexpr std::size_t kAsyncWindow = 4000;

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Result {
  double messages_per_second = 0;
  double cpu_ns_per_message = 0;
  bool ok = false;
};

// Runs `work` (which handles `count` messages and returns false on failure) and measures it.
Result measure(std::size_t count, const std::function<bool()>& work) {
  const double cpu_before = process_cpu_seconds();
  const auto start = Clock::now();
  Result result;
  result.ok = work();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = process_cpu_seconds() - cpu_before;
  result.messages_per_second = static_cast<double>(count) / seconds;
  result.cpu_ns_per_message = cpu * 1e9 / static_cast<double>(count);
  return result;
}

// A fresh stream (memory storage, so that the server's disk does not set the pace) for each workload.
bool reset_stream(js::JetStream& jets) {
  jets.delete_stream(kStream);
  js::StreamConfig config;
  config.name = kStream;
  config.subjects = {kSubject};
  config.storage = js::StorageType::kMemory;
  return static_cast<bool>(jets.add_stream(config));
}

// Publishes with a PubAck handler per message (the form that costs least: no future per message), as
// libnats's js_PublishAsync reports only failures.
bool fill_stream(js::JetStream& jets, std::size_t count, const std::string& payload) {
  std::atomic<std::size_t> failures{0};
  const tern::client::Headers no_headers;
  for (std::size_t i = 0; i < count; ++i) {
    jets.publish_async(kSubject, no_headers, payload, {},
                       [&failures](tern::client::Expected<js::PubAck> ack) {
                         if (!ack) failures.fetch_add(1, std::memory_order_relaxed);
                       });
  }
  return !jets.wait_for_pending_acks(std::chrono::seconds(60)) && failures == 0;
}

bool add_pull_consumer(js::JetStream& jets, const char* name, bool ack_each) {
  js::ConsumerConfig config;
  config.durable_name = name;
  config.ack_policy = ack_each ? js::AckPolicy::kExplicit : js::AckPolicy::kNone;
  config.max_ack_pending = -1;
  return static_cast<bool>(jets.add_consumer(kStream, config));
}

// --- tern::client ---

Result tern_publish_sync(js::JetStream& jets, std::size_t count, const std::string& payload) {
  if (!reset_stream(jets)) return {};
  return measure(count, [&] {
    for (std::size_t i = 0; i < count; ++i) {
      if (!jets.publish(kSubject, payload)) return false;
    }
    return true;
  });
}

Result tern_publish_async(js::JetStream& jets, std::size_t count, const std::string& payload) {
  if (!reset_stream(jets)) return {};
  return measure(count, [&] { return fill_stream(jets, count, payload); });
}

Result tern_fetch(js::JetStream& jets, std::size_t count, const std::string& payload, bool ack_each) {
  if (!reset_stream(jets) || !fill_stream(jets, count, payload) ||
      !add_pull_consumer(jets, "tern", ack_each)) {
    return {};
  }
  auto consumer = jets.pull_consumer(kStream, "tern");
  if (!consumer) return {};
  return measure(count, [&] {
    std::size_t received = 0;
    while (received < count) {
      auto batch = consumer->fetch(kFetchBatch);
      if (!batch || batch->empty()) return false;
      received += batch->size();
      if (ack_each) {
        for (js::Message& message : *batch)
          message.ack();
      }
    }
    return true;
  });
}

// --- libnats ---

struct Libnats {
  natsConnection* connection = nullptr;
  jsCtx* context = nullptr;
  ~Libnats() {
    jsCtx_Destroy(context);
    natsConnection_Destroy(connection);
  }
};

bool connect_libnats(Libnats& nats, const std::string& url) {
  if (natsConnection_ConnectTo(&nats.connection, url.c_str()) != NATS_OK) return false;
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = static_cast<int64_t>(kAsyncWindow);
  return natsConnection_JetStream(&nats.context, nats.connection, &options) == NATS_OK;
}

Result libnats_publish_sync(Libnats& nats, js::JetStream& jets, std::size_t count,
                            const std::string& payload) {
  if (!reset_stream(jets)) return {};
  return measure(count, [&] {
    for (std::size_t i = 0; i < count; ++i) {
      jsPubAck* ack = nullptr;
      if (js_Publish(&ack, nats.context, kSubject, payload.data(), static_cast<int>(payload.size()), nullptr,
                     nullptr) != NATS_OK) {
        return false;
      }
      jsPubAck_Destroy(ack);
    }
    return true;
  });
}

Result libnats_publish_async(Libnats& nats, js::JetStream& jets, std::size_t count,
                             const std::string& payload) {
  if (!reset_stream(jets)) return {};
  return measure(count, [&] {
    for (std::size_t i = 0; i < count; ++i) {
      if (js_PublishAsync(nats.context, kSubject, payload.data(), static_cast<int>(payload.size()),
                          nullptr) != NATS_OK) {
        return false;
      }
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = 60000;
    return js_PublishAsyncComplete(nats.context, &options) == NATS_OK;
  });
}

Result libnats_fetch(Libnats& nats, js::JetStream& jets, std::size_t count, const std::string& payload,
                     bool ack_each) {
  if (!reset_stream(jets) || !fill_stream(jets, count, payload) ||
      !add_pull_consumer(jets, "libnats", ack_each)) {
    return {};
  }
  natsSubscription* subscription = nullptr;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = kStream;
  options.Consumer = "libnats";
  if (js_PullSubscribe(&subscription, nats.context, kSubject, "libnats", nullptr, &options, nullptr) !=
      NATS_OK) {
    return {};
  }
  Result result = measure(count, [&] {
    std::size_t received = 0;
    while (received < count) {
      natsMsgList list{};
      if (natsSubscription_Fetch(&list, subscription, static_cast<int>(kFetchBatch), 5000, nullptr) !=
          NATS_OK) {
        return false;
      }
      received += static_cast<std::size_t>(list.Count);
      if (ack_each) {
        for (int i = 0; i < list.Count; ++i)
          natsMsg_Ack(list.Msgs[i], nullptr);
      }
      natsMsgList_Destroy(&list);
    }
    return true;
  });
  natsSubscription_Destroy(subscription);
  return result;
}

void print_row(const char* workload, const Result& tern, const Result& libnats) {
  if (!tern.ok || !libnats.ok) {
    std::printf("%-28s %s\n", workload, !tern.ok ? "tern::client FAILED" : "libnats FAILED");
    return;
  }
  std::printf("%-28s %12.0f %12.0f %8.2fx %10.0f %10.0f %8.2fx\n", workload, tern.messages_per_second,
              libnats.messages_per_second, tern.messages_per_second / libnats.messages_per_second,
              tern.cpu_ns_per_message, libnats.cpu_ns_per_message,
              libnats.cpu_ns_per_message / tern.cpu_ns_per_message);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tern-client-bench: tern::client's JetStream cost per message against libnats's"};
  std::string url = "nats://127.0.0.1:4222";
  std::size_t messages = 200000;
  std::size_t size = 16;
  app.add_option("-s,--server", url, "Server URL (JetStream enabled)");
  app.add_option("--messages", messages, "Messages per workload (the synchronous publish uses a tenth)")
      ->check(CLI::Range(std::size_t{1000}, std::size_t{100000000}));
  app.add_option("--size", size, "Payload bytes")->check(CLI::Range(std::size_t{0}, std::size_t{1048576}));
  std::string only = "all";
  app.add_option("--workload", only, "One workload alone (for a profiler): sync, async, fetch or fetch-ack")
      ->check(CLI::IsMember({"all", "sync", "async", "fetch", "fetch-ack"}));
  CLI11_PARSE(app, argc, argv);

  auto client = tern::client::Client::connect(url);
  if (!client) {
    std::fprintf(stderr, "tern-client-bench: cannot connect to %s: %s\n", url.c_str(),
                 client.error().message().c_str());
    return 1;
  }
  js::Options options;
  options.max_pending_acks = kAsyncWindow;
  options.stall_wait = std::chrono::seconds(10);
  js::JetStream jets(*client, options);
  Libnats nats;
  if (!connect_libnats(nats, url)) {
    std::fprintf(stderr, "tern-client-bench: libnats cannot connect to %s\n", url.c_str());
    return 1;
  }
  const std::string payload(size, 'x');
  const std::size_t sync_messages = std::max<std::size_t>(messages / 10, 1000);

  std::printf("%-28s %12s %12s %9s %10s %10s %9s\n", "workload", "tern msg/s", "libnats", "ratio", "tern ns",
              "libnats ns", "cpu ratio");
  const auto wanted = [&](const char* workload) { return only == "all" || only == workload; };
  if (wanted("sync")) {
    print_row("publish, sync PubAck", tern_publish_sync(jets, sync_messages, payload),
              libnats_publish_sync(nats, jets, sync_messages, payload));
  }
  if (wanted("async")) {
    print_row("publish, async window 4000", tern_publish_async(jets, messages, payload),
              libnats_publish_async(nats, jets, messages, payload));
  }
  if (wanted("fetch")) {
    print_row("fetch 100, no ack", tern_fetch(jets, messages, payload, false),
              libnats_fetch(nats, jets, messages, payload, false));
  }
  if (wanted("fetch-ack")) {
    print_row("fetch 100, ack each", tern_fetch(jets, messages, payload, true),
              libnats_fetch(nats, jets, messages, payload, true));
  }
  jets.delete_stream(kStream);
  std::printf("(ns: the client process's CPU time per message; cpu ratio: libnats ns / tern ns)\n");
  return 0;
}
