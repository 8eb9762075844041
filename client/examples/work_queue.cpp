// A work queue on JetStream: a producer enqueues jobs into a work-queue stream, and three workers, each
// with its own connection, share one durable pull consumer. Worker 2 crashes holding its first job (it
// closes its connection without acking); the server hands that job to another worker once ack_wait has
// passed, and since the stream keeps a job only until it is acked, the stream ends empty.
//
// Usage: work_queue [URL] [JOBS]   (URL defaults to $NATS_URL, then nats://127.0.0.1:4222; JOBS to 30)
// The server needs JetStream: `scripts/run` or `nats-server -js`.
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/jetstream/jetstream.h"

namespace js = tern::client::jetstream;
using namespace std::chrono_literals;

namespace {

constexpr int kCrashingWorker = 2;
// Short, so that the crashed worker's job comes back quickly.
constexpr auto kAckWait = 2s;
// How long the whole run may take before it counts as a failure.
constexpr auto kDeadline = 30s;

// What the workers report, shared between their threads.
class Board {
 public:
  explicit Board(int jobs) : jobs_(jobs) {}

  void done(int job, int worker, std::uint64_t delivery) {
    std::lock_guard lock(mu_);
    // A job may be done twice: when a worker is slower than ack_wait, the server hands the job to another
    // worker too. Work queues deliver at least once, so the processing must be idempotent; only the
    // first completion is reported.
    if (!deliveries_.emplace(job, delivery).second) return;
    std::cout << "job " << job << " done by worker " << worker;
    if (delivery > 1) std::cout << " (delivery " << delivery << ")";
    std::cout << "\n";
  }
  void crashed(int job) {
    std::lock_guard lock(mu_);
    crashed_job_ = job;
    std::cout << "worker " << kCrashingWorker << " took job " << job << " and crashed without acking it\n";
  }
  void fail(const std::string& what) {
    std::lock_guard lock(mu_);
    failures_.push_back(what);
  }
  bool finished() {
    std::lock_guard lock(mu_);
    return static_cast<int>(deliveries_.size()) == jobs_ || !failures_.empty();
  }

  // Called after the workers have stopped: nothing else touches the board then.
  int jobs_done() const { return static_cast<int>(deliveries_.size()); }
  int crashed_job() const { return crashed_job_; }
  // How many times the job had been delivered when it was done; 0 when it was not done.
  std::uint64_t deliveries(int job) const { return deliveries_.count(job) ? deliveries_.at(job) : 0; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  const int jobs_;
  std::mutex mu_;                            // Also keeps the workers' lines whole on stdout.
  std::map<int, std::uint64_t> deliveries_;  // Of each job done.
  int crashed_job_ = 0;
  std::vector<std::string> failures_;
};

// One worker: its own connection, a handle on the shared consumer, and a fetch-process-ack loop until
// every job is done. Worker 2 instead crashes with its first job and then counts `crash_done` down, so
// that the other workers start only once it holds a job: the run is the same every time.
void work(const std::string& url, int worker, Board& board, std::latch& crash_done) {
  // Worker 2 counts the latch down however it leaves, so the others never wait forever.
  struct CountDown {
    std::latch* latch;
    ~CountDown() {
      if (latch) latch->count_down();
    }
  } count_down{worker == kCrashingWorker ? &crash_done : nullptr};
  if (worker != kCrashingWorker) crash_done.wait();

  const std::string name = "worker " + std::to_string(worker);
  const auto failed = [&](const std::string& what, std::error_code error) {
    board.fail(name + " " + what + ": " + error.message());
  };
  auto client = tern::Client::connect(url);
  if (!client) return failed("connect", client.error());
  js::JetStream jetstream(*client);
  auto consumer = jetstream.pull_consumer("JOBS", "workers");
  if (!consumer) return failed("bind to the consumer", consumer.error());

  js::FetchOptions wait_briefly;
  wait_briefly.expires = 500ms;  // Short, so that a worker notices soon that every job is done.
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!board.finished() && std::chrono::steady_clock::now() < deadline) {
    auto jobs = consumer->fetch(1, wait_briefly);
    if (!jobs) return failed("fetch", jobs.error());
    for (js::Message& job : *jobs) {
      int number = 0;
      const std::string& data = job.data();
      if (std::from_chars(data.data(), data.data() + data.size(), number).ec != std::errc()) {
        return failed("read job \"" + data + "\"", std::make_error_code(std::errc::invalid_argument));
      }
      if (worker == kCrashingWorker) {
        // A crash: the connection goes without an ack, so the server still counts the job as in
        // flight and gives it to another worker when ack_wait has passed.
        client->close();
        board.crashed(number);
        return;
      }
      // Processing would happen here. ack_sync returns once the server has the ack, so the job is
      // neither redelivered nor left in the stream after this.
      if (auto error = job.ack_sync()) return failed("ack job " + data, error);
      board.done(number, worker, job.metadata() ? job.metadata()->num_delivered : 1);
    }
  }
}

// Deletes the stream an earlier run left (if any) and creates it afresh, with its consumer.
std::error_code create_queue(js::JetStream& jetstream) {
  if (auto error = jetstream.delete_stream("JOBS"); error && error != js::ApiErrc::kStreamNotFound) {
    return error;
  }
  js::StreamConfig stream;
  stream.name = "JOBS";
  stream.subjects = {"jobs.>"};
  stream.retention = js::RetentionPolicy::kWorkQueue;  // A job stays only until a worker acks it.
  if (auto created = jetstream.add_stream(stream); !created) return created.error();
  js::ConsumerConfig consumer;
  consumer.durable_name = "workers";
  consumer.ack_policy = js::AckPolicy::kExplicit;
  consumer.ack_wait = kAckWait;
  return jetstream.add_consumer("JOBS", consumer).error();
}

// Prints why the example stops; returns its exit status.
int fail(const std::string& what) {
  std::cerr << "work_queue: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_url = std::getenv("NATS_URL");
  const std::string url = argc > 1 ? argv[1] : env_url ? env_url : "nats://127.0.0.1:4222";
  const int job_count = argc > 2 ? std::atoi(argv[2]) : 30;
  if (job_count < 1) return fail("the job count must be a whole number of 1 or more");

  auto producer = tern::Client::connect(url);
  if (!producer) return fail("connect to " + url + ": " + producer.error().message());
  js::JetStream jetstream(*producer);
  if (auto error = create_queue(jetstream)) return fail("create stream JOBS: " + error.message());
  for (int job = 1; job <= job_count; ++job) {
    auto ack = jetstream.publish("jobs.resize", std::to_string(job));
    if (!ack) return fail("enqueue job " + std::to_string(job) + ": " + ack.error().message());
  }
  std::cout << "enqueued " << job_count << " jobs\n";

  Board board(job_count);
  std::latch crash_done(1);
  std::vector<std::thread> workers;
  for (int worker = 1; worker <= 3; ++worker) {
    workers.emplace_back(work, url, worker, std::ref(board), std::ref(crash_done));
  }
  for (std::thread& worker : workers)
    worker.join();

  for (const std::string& failure : board.failures())
    std::cerr << "work_queue: " << failure << "\n";
  if (!board.failures().empty()) return 1;
  if (board.jobs_done() != job_count) {
    return fail("only " + std::to_string(board.jobs_done()) + " of " + std::to_string(job_count) +
                " jobs were done in time");
  }
  const int crashed = board.crashed_job();
  if (crashed == 0) return fail("worker " + std::to_string(kCrashingWorker) + " never got a job");
  if (board.deliveries(crashed) < 2) return fail("job " + std::to_string(crashed) + " was not redelivered");
  std::cout << "all " << job_count << " jobs done; job " << crashed << " was redelivered after worker "
            << kCrashingWorker << " crashed\n";

  // Work-queue retention removes a message once it is acked; the acks were confirmed, but the removal
  // may trail them a little, so wait for it with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::uint64_t left = 0;
  for (;;) {
    auto info = jetstream.stream_info("JOBS");
    if (!info) return fail("stream info: " + info.error().message());
    left = info->state.messages;
    if (left == 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(10ms);
  }
  if (left != 0) return fail("stream JOBS still holds " + std::to_string(left) + " messages");
  std::cout << "stream JOBS is empty\n";
  return 0;
}
