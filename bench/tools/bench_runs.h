// The runs tern-bench can make; each connects its own clients, measures, and returns the report.
// All throw std::runtime_error when the server cannot be reached or refuses the first connection.
#pragma once

#include "bench/tools/bench_options.h"
#include "bench/tools/run_report.h"

namespace tern::bench {

// pub, sub, pubsub and queue.
RunReport run_throughput(const BenchOptions& options);
// latency: one message in flight, publish to delivery on the same clock.
RunReport run_latency(const BenchOptions& options);
// reqrep: requesters with one request outstanding each, answered by responders in a queue group.
RunReport run_request_reply(const BenchOptions& options);
// subs and conns: how much server memory many subscriptions or idle connections take.
RunReport run_footprint(const BenchOptions& options);
// js-pub: publishes to a JetStream stream it creates, with a window of PubAcks outstanding.
RunReport run_js_publish(const BenchOptions& options);
// js-fetch, js-push, js-queue: consumers draining a stream (js_consume_run.cpp).
RunReport run_js_consume(const BenchOptions& options);

}  // namespace tern::bench
