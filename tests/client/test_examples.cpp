// The JetStream examples (client/examples/) end to end: each built binary runs against a JetStream
// server, twice, since an example must also work against a server that kept an earlier run's streams,
// and what it prints is checked line by line.
#include <map>
#include <regex>
#include <sstream>

#include "tests/client/child_process.h"
#include "tests/client/jetstream_test_support.h"

using namespace std::chrono_literals;
using tern::client_test::JetStreamServer;
using tern::client_test::run_command;
using tern::client_test::RunResult;
using tern::client_test::url_of;

namespace {

RunResult run_example(const char* path, int port) {
  return run_command({path, url_of(port)}, {}, 60s);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// Runs the example twice against one server and checks that both runs print exactly `expected`.
void check_output(tern::client_test::ServerKind kind, const char* example, const std::string& expected) {
  JetStreamServer server(kind);
  for (int run = 1; run <= 2; ++run) {
    const RunResult result = run_example(example, server.port());
    INFO("run " << run << "\nstderr:\n" << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == expected);
  }
}

}  // namespace

TERN_CLIENT_TEST(example_work_queue, "[examples]") {
  JetStreamServer server(kind);
  for (int run = 1; run <= 2; ++run) {
    const RunResult result = run_example(TERN_EXAMPLE_WORK_QUEUE_PATH, server.port());
    INFO("run " << run << "\nstdout:\n" << result.out << "stderr:\n" << result.err);
    REQUIRE(result.exit_code == 0);
    const std::vector<std::string> lines = lines_of(result.out);
    REQUIRE(lines.size() == 34);
    CHECK(lines[0] == "enqueued 30 jobs");
    // Worker 2 starts alone and takes job 1; workers 1 and 3 do the rest, and job 1 after ack_wait.
    CHECK(lines[1] == "worker 2 took job 1 and crashed without acking it");
    // Each job is reported once. Job 1 comes on its second delivery; another job may too when its worker
    // was held up past ack_wait on a loaded machine (at-least-once delivery), so its suffix is free.
    const std::regex done_line(R"(job (\d+) done by worker [13]( \(delivery (\d+)\))?)");
    std::map<int, int> reports;
    for (auto line = lines.begin() + 2; line != lines.end() - 2; ++line) {
      std::smatch match;
      INFO(*line);
      REQUIRE(std::regex_match(*line, match, done_line));
      const int job = std::stoi(match[1]);
      ++reports[job];
      if (job == 1) CHECK(match[2].matched);
    }
    CHECK(reports.size() == 30);
    for (const auto& [job, count] : reports)
      CHECK(count == 1);
    CHECK(reports.begin()->first == 1);
    CHECK(reports.rbegin()->first == 30);
    CHECK(lines[32] == "all 30 jobs done; job 1 was redelivered after worker 2 crashed");
    CHECK(lines[33] == "stream JOBS is empty");
  }
}

TERN_CLIENT_TEST(example_event_sourcing, "[examples]") {
  check_output(kind, TERN_EXAMPLE_EVENT_SOURCING_PATH,
               "appended 8 events to ACCOUNTS\n"
               "balances now: alice 80, bob 15\n"
               "balances as of sequence 3: alice 100, bob 0\n"
               "balances at the close of day one: alice 70, bob 50\n");
}

TERN_CLIENT_TEST(example_config_watch, "[examples]") {
  // The watcher's lines come first: the example reads only after the watcher saw every change.
  check_output(kind, TERN_EXAMPLE_CONFIG_WATCH_PATH,
               "db.url = postgres://db1.internal:5432/app (revision 1)\n"
               "db.pool_size = 10 (revision 2)\n"
               "feature.dark_mode = on (revision 3)\n"
               "db.url = postgres://db2.internal:5432/app (revision 4)\n"
               "db.pool_size = 20 (revision 5)\n"
               "feature.dark_mode deleted\n"
               "current db.url: postgres://db2.internal:5432/app (revision 4)\n"
               "db.url at revision 1: postgres://db1.internal:5432/app\n"
               "feature.dark_mode: not found (deleted)\n"
               "history of db.url:\n"
               "  revision 1: postgres://db1.internal:5432/app\n"
               "  revision 4: postgres://db2.internal:5432/app\n");
}

TEST_CASE("examples fail with a message when no server answers", "[examples]") {
  for (const char* example :
       {TERN_EXAMPLE_WORK_QUEUE_PATH, TERN_EXAMPLE_EVENT_SOURCING_PATH, TERN_EXAMPLE_CONFIG_WATCH_PATH}) {
    // Nobody listens on port 1.
    const RunResult result = run_command({example, "nats://127.0.0.1:1"}, {}, 20s);
    INFO(example << ": " << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("connect to nats://127.0.0.1:1") != std::string::npos);
  }
}

// A server without JetStream (ternd or nats-server started without -js): the examples must say so plainly.
TERN_CLIENT_TEST(examples_without_jetstream, "[examples]") {
  auto server = tern::client_test::start_server(kind);
  for (const char* example :
       {TERN_EXAMPLE_WORK_QUEUE_PATH, TERN_EXAMPLE_EVENT_SOURCING_PATH, TERN_EXAMPLE_CONFIG_WATCH_PATH}) {
    const RunResult result = run_example(example, server.port());
    INFO(example << ": " << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("JetStream not enabled") != std::string::npos);
  }
}
