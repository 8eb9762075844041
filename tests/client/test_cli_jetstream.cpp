// The `tern` command line's JetStream commands end to end: streams, consumers, key-value buckets and
// `pub --js`, the built binary against ternd and nats-server with JetStream on.
#include "tests/client/cli_test_support.h"
#include "tests/client/jetstream_test_support.h"

using namespace std::chrono_literals;
namespace js = tern::client::jetstream;
using tern::client_test::check_usage_error;
using tern::client_test::ChildProcess;
using tern::client_test::connect_to;
using tern::client_test::has_line;
using tern::client_test::JetStreamServer;
using tern::client_test::run_command;
using tern::client_test::RunResult;
using tern::client_test::stream_config;
using tern::client_test::tern_args;
using tern::client_test::trimmed_lines;
using tern::client_test::words;

namespace {

// Runs `tern` against the server; a failed run is shown with what it printed.
RunResult run_tern(const JetStreamServer& server, std::vector<std::string> args,
                   const std::string& input = {}) {
  RunResult result = run_command(tern_args(server.port(), std::move(args)), input);
  UNSCOPED_INFO("stdout: " << result.out << "\nstderr: " << result.err);
  return result;
}

// Checks that every one of `lines` stands in `text` (report lines, without their padding).
void check_lines(const std::string& text, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    INFO("expected the line \"" << line << "\" in:\n" << text);
    CHECK(has_line(text, line));
  }
}

}  // namespace

TERN_CLIENT_TEST(cli_stream_commands, "[cli][jetstream]") {
  JetStreamServer server(kind);
  auto added = run_tern(
      server, {"stream", "add", "ORDERS", "--subjects", "orders.>,audit.*", "--description", "all orders",
               "--max-msgs-per-subject", "10", "--max-age", "1y", "--dupe-window", "1m", "--allow-rollup"});
  REQUIRE(added.exit_code == 0);
  CHECK(added.out.rfind("Stream ORDERS created ", 0) == 0);
  check_lines(added.out,
              {"Description: all orders", "Subjects: orders.>, audit.*", "Storage: File", "Retention: Limits",
               "Discard Policy: Old", "Maximum Per Subject: 10", "Maximum Age: 365d", "Duplicate Window: 1m",
               "Maximum Messages: unlimited", "Allows Rollups: true", "Messages: 0", "Bytes: 0"});
  // One string split at spaces: clang-format would put each of so many arguments on a line of its own.
  auto work = run_tern(server, words("stream add WORK --subjects work.> --storage memory --retention work "
                                     "--discard new --max-msgs 5 --max-bytes 1K --max-msg-size 512 "
                                     "--deny-delete --deny-purge"));
  REQUIRE(work.exit_code == 0);
  check_lines(work.out, {"Subjects: work.>", "Storage: Memory", "Retention: WorkQueue", "Discard Policy: New",
                         "Maximum Messages: 5", "Maximum Bytes: 1024", "Maximum Message Size: 512",
                         "Allows Rollups: false", "Allows Msg Delete: false", "Allows Purge: false"});

  CHECK(run_tern(server, {"pub", "--js", "orders.1", "one"}).out == "Stored in stream ORDERS, sequence 1\n");
  CHECK(run_tern(server, {"pub", "--js", "orders.2", "-H", "Trace:abc", "two"}).out ==
        "Stored in stream ORDERS, sequence 2\n");
  CHECK(run_tern(server, {"pub", "--jetstream", "orders.3", "--count", "3"}, "three").out ==
        "Stored in stream ORDERS, sequence 3\nStored in stream ORDERS, sequence 4\n"
        "Stored in stream ORDERS, sequence 5\n");

  auto client = connect_to(server.port());
  js::JetStream jets(client);
  const auto orders = jets.stream_info("ORDERS");
  REQUIRE(orders);
  const std::string bytes = std::to_string(orders->state.bytes);
  auto listed = run_tern(server, {"stream", "ls"});
  REQUIRE(listed.exit_code == 0);
  const auto rows = trimmed_lines(listed.out);
  REQUIRE(rows.size() == 3);
  CHECK(words(rows[0]) == std::vector<std::string>{"Stream", "Messages", "Bytes", "Subjects"});
  CHECK(words(rows[1]) == std::vector<std::string>{"ORDERS", "5", bytes, "orders.>,", "audit.*"});
  CHECK(words(rows[2]) == std::vector<std::string>{"WORK", "0", "0", "work.>"});
  CHECK(run_tern(server, {"stream", "ls", "--names"}).out == "ORDERS\nWORK\n");

  auto info = run_tern(server, {"stream", "info", "ORDERS"});
  REQUIRE(info.exit_code == 0);
  check_lines(info.out, {"Messages: 5", "Bytes: " + bytes, "Number of Subjects: 3", "Active Consumers: 0"});
  CHECK(info.out.find("First Sequence: 1 @ ") != std::string::npos);
  CHECK(info.out.find("Last Sequence: 5 @ ") != std::string::npos);

  auto second = run_tern(server, {"stream", "get", "ORDERS", "2"});
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.rfind("ORDERS#2 on \"orders.2\" stored ", 0) == 0);
  CHECK(second.out.substr(second.out.find('\n') + 1) == "Trace: abc\n\ntwo\n");
  auto last = run_tern(server, {"stream", "get", "ORDERS", "--last-for", "orders.3"});
  REQUIRE(last.exit_code == 0);
  CHECK(last.out.rfind("ORDERS#5 on \"orders.3\" stored ", 0) == 0);
  CHECK(last.out.substr(last.out.find('\n') + 1) == "\nthree\n");

  CHECK(run_tern(server, {"stream", "purge", "ORDERS", "--subject", "orders.3", "--keep", "1"}).out ==
        "Purged 2 messages from stream ORDERS\n");
  CHECK(run_tern(server, {"stream", "purge", "ORDERS", "-f"}).out ==
        "Purged 3 messages from stream ORDERS\n");
  CHECK(run_tern(server, {"stream", "rm", "WORK", "-f"}).out == "Deleted stream WORK\n");
  CHECK(run_tern(server, {"stream", "ls", "--names"}).out == "ORDERS\n");
}

TERN_CLIENT_TEST(cli_stream_errors, "[cli][jetstream]") {
  JetStreamServer server(kind);
  auto missing = run_tern(server, {"stream", "info", "NOPE"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "tern: cannot get stream NOPE: stream not found\n");
  CHECK(run_tern(server, {"stream", "rm", "NOPE"}).err ==
        "tern: cannot delete stream NOPE: stream not found\n");
  auto no_message = run_tern(server, {"stream", "get", "NOPE", "1"});
  CHECK(no_message.exit_code == 1);
  CHECK(no_message.err == "tern: cannot get message 1 from stream NOPE: stream not found\n");
  auto no_consumer = run_tern(server, {"consumer", "add", "NOPE", "c"});
  CHECK(no_consumer.exit_code == 1);
  CHECK(no_consumer.err == "tern: cannot add consumer c on stream NOPE: stream not found\n");

  REQUIRE(run_tern(server, {"stream", "add", "S", "--subjects", "s"}).exit_code == 0);
  auto clash = run_tern(server, {"stream", "add", "S", "--subjects", "other"});
  CHECK(clash.exit_code == 1);
  CHECK(clash.err ==
        "tern: cannot add stream S: stream name already in use with a different configuration\n");
  auto empty = run_tern(server, {"stream", "get", "S", "1"});
  CHECK(empty.exit_code == 1);
  CHECK(empty.err == "tern: cannot get message 1 from stream S: no message found\n");
}

TERN_CLIENT_TEST(cli_pub_jetstream, "[cli][jetstream]") {
  JetStreamServer server(kind);
  auto nowhere = run_tern(server, {"pub", "--js", "nowhere", "x"});
  CHECK(nowhere.exit_code == 1);
  CHECK(nowhere.out.empty());
  CHECK(nowhere.err == "tern: cannot publish to \"nowhere\": no stream stores subject \"nowhere\"\n");

  REQUIRE(run_tern(server, {"stream", "add", "EVENTS", "--subjects", "events.*"}).exit_code == 0);
  CHECK(run_tern(server, {"pub", "--js", "events.a", "--msg-id", "id-1"}, "first").out ==
        "Stored in stream EVENTS, sequence 1\n");
  CHECK(run_tern(server, {"pub", "--js", "events.a", "again", "--msg-id", "id-1"}).out ==
        "Stored in stream EVENTS, sequence 1 (duplicate)\n");
  CHECK(run_tern(server, {"pub", "--js", "events.b", "x", "--msg-id", "id-2", "--count", "2"}).out ==
        "Stored in stream EVENTS, sequence 2\nStored in stream EVENTS, sequence 2 (duplicate)\n");

  auto client = connect_to(server.port());
  js::JetStream jets(client);
  auto first = jets.get_message("EVENTS", 1);
  REQUIRE(first);
  CHECK(first->data == "first");
  CHECK(first->headers.get("Nats-Msg-Id") == "id-1");
  CHECK(jets.stream_info("EVENTS")->state.messages == 2);
}

TERN_CLIENT_TEST(cli_consumer_commands, "[cli][jetstream]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("TASKS", {"tasks.*"})));
  for (const std::string name : {"one", "two", "three"})
    REQUIRE(jets.publish("tasks." + name, name));

  auto worker =
      run_tern(server, {"consumer", "add", "TASKS", "worker", "--pull", "--filter", "tasks.*", "--wait",
                        "30s", "--max-deliver", "5", "--max-pending", "100", "--description", "the worker"});
  REQUIRE(worker.exit_code == 0);
  CHECK(worker.out.rfind("Consumer worker on stream TASKS created ", 0) == 0);
  check_lines(worker.out, {"Durable Name: worker", "Description: the worker", "Pull Mode: true",
                           "Filter Subject: tasks.*", "Deliver Policy: All", "Ack Policy: Explicit",
                           "Ack Wait: 30s", "Replay Policy: Instant", "Maximum Deliveries: 5",
                           "Max Ack Pending: 100", "Unprocessed Messages: 3"});
  auto pusher = run_tern(server, {"consumer", "add", "TASKS", "pusher", "--target", "deliver.tasks",
                                  "--deliver", "2", "--ack", "all", "--heartbeat", "5s", "--flow-control"});
  REQUIRE(pusher.exit_code == 0);
  check_lines(pusher.out, {"Delivery Subject: deliver.tasks", "Deliver Policy: From sequence 2",
                           "Ack Policy: All", "Idle Heartbeat: 5s", "Flow Control: true"});

  CHECK(run_tern(server, {"consumer", "ls", "TASKS", "--names"}).out == "pusher\nworker\n");
  const auto rows = trimmed_lines(run_tern(server, {"consumer", "ls", "TASKS"}).out);
  REQUIRE(rows.size() == 3);
  CHECK(words(rows[0]) == std::vector<std::string>{"Consumer", "Mode", "Ack", "Pending", "Unprocessed"});
  CHECK(words(rows[2]) == std::vector<std::string>{"worker", "pull", "0", "3"});

  auto next = run_tern(server, {"consumer", "next", "TASKS", "worker", "--count", "2"});
  CHECK(next.exit_code == 0);
  CHECK(next.out ==
        "[#1] Received on \"tasks.one\" (stream sequence 1)\none\n\n"
        "[#2] Received on \"tasks.two\" (stream sequence 2)\ntwo\n\n");
  check_lines(run_tern(server, {"consumer", "info", "TASKS", "worker"}).out,
              {"Acknowledgment Floor: consumer sequence 2, stream sequence 2", "Outstanding Acks: 0",
               "Unprocessed Messages: 1"});
  auto unacked = run_tern(server, {"consumer", "next", "TASKS", "worker", "--no-ack"});
  CHECK(unacked.exit_code == 0);
  CHECK(unacked.out == "[#1] Received on \"tasks.three\" (stream sequence 3)\nthree\n\n");
  check_lines(run_tern(server, {"consumer", "info", "TASKS", "worker"}).out,
              {"Acknowledgment Floor: consumer sequence 2, stream sequence 2", "Outstanding Acks: 1"});
  auto nothing = run_tern(server, {"consumer", "next", "TASKS", "worker", "--timeout", "300ms"});
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.out.empty());
  CHECK(nothing.err == "tern: no messages arrived within 300ms\n");

  auto push_next = run_tern(server, {"consumer", "next", "TASKS", "pusher"});
  CHECK(push_next.exit_code == 1);
  CHECK(push_next.err ==
        "tern: consumer pusher on stream TASKS is a push consumer: next reads pull consumers\n");
  CHECK(run_tern(server, {"consumer", "rm", "TASKS", "pusher", "-f"}).out ==
        "Deleted consumer pusher on stream TASKS\n");
  CHECK(run_tern(server, {"consumer", "ls", "TASKS", "-n"}).out == "worker\n");
  auto gone = run_tern(server, {"consumer", "info", "TASKS", "pusher"});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err == "tern: cannot get consumer pusher on stream TASKS: consumer not found\n");
}

TERN_CLIENT_TEST(cli_kv_commands, "[cli][jetstream][kv]") {
  JetStreamServer server(kind);
  auto added = run_tern(server, {"kv", "add", "cfg", "--history", "5", "--ttl", "1d"});
  REQUIRE(added.exit_code == 0);
  CHECK(added.out.rfind("Bucket cfg (stream KV_cfg) created ", 0) == 0);
  check_lines(added.out, {"History: 5", "TTL: 1d", "Storage: File", "Values: 0"});

  CHECK(run_tern(server, {"kv", "put", "cfg", "db.url", "postgres://a"}).out ==
        "Stored key db.url in bucket cfg, revision 1\n");
  CHECK(run_tern(server, {"kv", "put", "cfg", "db.pool"}, "10").out ==
        "Stored key db.pool in bucket cfg, revision 2\n");
  CHECK(run_tern(server, {"kv", "put", "cfg", "db.url", "postgres://b"}).out ==
        "Stored key db.url in bucket cfg, revision 3\n");
  CHECK(run_tern(server, {"kv", "get", "cfg", "db.url"}).out == "postgres://b\n");
  CHECK(run_tern(server, {"kv", "get", "cfg", "db.url", "--revision", "1"}).out == "postgres://a\n");
  CHECK(run_tern(server, {"kv", "del", "cfg", "db.pool"}).out == "Deleted key db.pool in bucket cfg\n");
  auto deleted = run_tern(server, {"kv", "get", "cfg", "db.pool"});
  CHECK(deleted.exit_code == 1);
  CHECK(deleted.err == "tern: cannot get key db.pool in bucket cfg: key not found\n");

  const auto history = trimmed_lines(run_tern(server, {"kv", "history", "cfg", "db.pool"}).out);
  REQUIRE(history.size() == 2);
  const auto put = words(history[0]);
  const auto del = words(history[1]);
  REQUIRE(put.size() == 4);
  CHECK((put[0] == "2" && put[1] == "PUT" && put[3] == "10"));
  CHECK(put[2].back() == 'Z');
  REQUIRE(del.size() == 3);
  CHECK((del[0] == "4" && del[1] == "DEL"));
  CHECK(run_tern(server, {"kv", "keys", "cfg"}).out == "db.url\n");

  // The stored values (each key's latest), then the live changes.
  CHECK(run_tern(server, {"kv", "watch", "cfg", "--count", "2"}).out ==
        "[3] PUT db.url: postgres://b\n[4] DEL db.pool\n");
  ChildProcess watch(tern_args(server.port(), {"kv", "watch", "cfg", "db.*", "--count", "3"}));
  REQUIRE(watch.wait_for_stderr("Watching bucket cfg for db.*", 10s));
  CHECK(run_tern(server, {"kv", "purge", "cfg", "db.url"}).out == "Purged key db.url in bucket cfg\n");
  REQUIRE(watch.wait_exit(10s) == 0);
  CHECK(watch.out() == "[3] PUT db.url: postgres://b\n[4] DEL db.pool\n[5] PURGE db.url\n");

  CHECK(run_tern(server, {"kv", "rm", "cfg"}).out == "Deleted bucket cfg\n");
  auto gone = run_tern(server, {"kv", "get", "cfg", "db.url"});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err == "tern: cannot open bucket cfg: bucket not found\n");
}

TEST_CASE("cli rejects invalid JetStream arguments", "[cli][jetstream]") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"stream", "add", "S", "--retention", "bogus"},
       "--retention: expected one of limits,interest,workq, got \"bogus\""},
      {{"stream", "add", "S", "--storage", "disk"}, "--storage: expected one of file,memory, got \"disk\""},
      {{"stream", "add", "S", "--max-age", "200y"}, "invalid duration \"200y\" for --max-age"},
      {{"stream", "add", "S", "--max-age", "-1s"}, "invalid duration \"-1s\" for --max-age"},
      {{"stream", "add", "S", "--max-bytes", "5X"}, "--max-bytes: expected -1 (unlimited) or a whole number"},
      {{"stream", "add", "S", "--max-msg-size", "4G"},
       "--max-msg-size: expected -1 (unlimited) or a whole number"},
      {{"stream", "get", "S"}, "SEQUENCE or --last-for is required"},
      {{"consumer", "add", "S", "C", "--deliver", "soon"},
       "--deliver: expected all, last, new, last_per_subject"},
      {{"consumer", "add", "S", "C", "--ack", "some"},
       "--ack: expected one of explicit,all,none, got \"some\""},
      {{"consumer", "add", "S", "C", "--pull", "--target", "x"}, "--pull excludes --target"},
      {{"consumer", "next", "S", "C", "--timeout", "2d"}, "invalid duration \"2d\" for --timeout"},
      {{"kv", "add", "B", "--history", "65"}, "--history"},
      {{"pub", "a", "b", "--msg-id", "x"}, "--msg-id requires --js"},
      {{"stream"}, "A subcommand is required"},
  };
  for (const Case& c : cases)
    check_usage_error(c.args, c.message);
}
