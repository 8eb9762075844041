// The `tern` command line end to end: the built binary against a real server.
#include "tests/client/cli_test_support.h"

using namespace std::chrono_literals;
using tern::client_test::check_usage_error;
using tern::client_test::ChildProcess;
using tern::client_test::run_command;
using tern::client_test::start_server;
using tern::client_test::tern_args;

TERN_CLIENT_TEST(cli_pub_and_sub, "[cli]") {
  auto server = start_server(kind);
  const int port = server.port();
  ChildProcess sub(tern_args(port, {"sub", "cli.>", "--count", "3"}));
  REQUIRE(sub.wait_for_stderr("Subscribing on cli.>", 10s));
  auto pub = run_command(tern_args(port, {"pub", "cli.one", "hello"}));
  CHECK(pub.exit_code == 0);
  CHECK(pub.err.find("Published 5 bytes to \"cli.one\"") != std::string::npos);
  CHECK(run_command(tern_args(port, {"pub", "cli.two"}), "from stdin").exit_code == 0);
  CHECK(
      run_command(tern_args(port, {"pub", "cli.three", "--header", "Trace:abc", "with header"})).exit_code ==
      0);
  REQUIRE(sub.wait_exit(10s) == 0);
  CHECK(sub.out() ==
        "[#1] Received on \"cli.one\"\nhello\n\n"
        "[#2] Received on \"cli.two\"\nfrom stdin\n\n"
        "[#3] Received on \"cli.three\"\nTrace: abc\n\nwith header\n\n");
}

TERN_CLIENT_TEST(cli_pub_count_and_queue_sub, "[cli]") {
  auto server = start_server(kind);
  const int port = server.port();
  ChildProcess sub(tern_args(port, {"sub", "counted", "--queue", "q", "--count", "4"}));
  REQUIRE(sub.wait_for_stderr("Subscribing on counted", 10s));
  CHECK(run_command(tern_args(port, {"pub", "counted", "x", "--count", "4"})).exit_code == 0);
  REQUIRE(sub.wait_exit(10s) == 0);
  CHECK(sub.out().find("[#4] Received on \"counted\"\nx\n") != std::string::npos);
}

TERN_CLIENT_TEST(cli_req_and_reply, "[cli]") {
  auto server = start_server(kind);
  const int port = server.port();
  ChildProcess reply(tern_args(port, {"reply", "svc.cli", "the answer", "--count", "1"}));
  REQUIRE(reply.wait_for_stderr("Listening on \"svc.cli\"", 10s));
  // Far longer than the reply takes even on a busy machine (the default is 2s).
  auto req = run_command(tern_args(port, {"req", "svc.cli", "question", "--timeout", "10s"}));
  CHECK(req.exit_code == 0);
  CHECK(req.out == "the answer\n");
  REQUIRE(reply.wait_exit(10s) == 0);
  CHECK(reply.out().find("Received on \"svc.cli\" with reply \"_INBOX.") != std::string::npos);
  CHECK(reply.out().find("question\n") != std::string::npos);
}

TERN_CLIENT_TEST(cli_exit_codes, "[cli]") {
  auto server = start_server(kind);
  const int port = server.port();
  // A long timeout, so that only the 503 (never a slow machine) ends the request.
  auto no_responders = run_command(tern_args(port, {"req", "nobody", "x", "--timeout", "10s"}));
  CHECK(no_responders.exit_code == 3);
  CHECK(no_responders.err.find("no responders") != std::string::npos);

  ChildProcess silent(tern_args(port, {"sub", "silent"}));
  REQUIRE(silent.wait_for_stderr("Subscribing on silent", 10s));
  auto timed_out = run_command(tern_args(port, {"req", "silent", "x", "--timeout", "200ms"}));
  CHECK(timed_out.exit_code == 2);
  CHECK(timed_out.err.find("timed out") != std::string::npos);

  auto usage = run_command({TERN_CLI_PATH, "pub"});
  CHECK(usage.exit_code == 1);
  auto unreachable = run_command({TERN_CLI_PATH, "-s", "nats://127.0.0.1:1", "pub", "a", "b"});
  CHECK(unreachable.exit_code == 1);
  CHECK(unreachable.err.find("cannot connect") != std::string::npos);
}

TERN_CLIENT_TEST(cli_credentials, "[cli]") {
  auto server = start_server(kind, {"--user", "bob", "--pass", "pw"});
  const int port = server.port();
  auto refused = run_command(tern_args(port, {"pub", "a", "b"}));
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("authorization violation") != std::string::npos);
  CHECK(run_command(tern_args(port, {"--user", "bob", "--password", "pw", "pub", "a", "b"})).exit_code == 0);
  CHECK(run_command({TERN_CLI_PATH, "-s", "nats://bob:pw@127.0.0.1:" + std::to_string(port), "pub", "a", "b"})
            .exit_code == 0);
}

TEST_CASE("cli rejects invalid durations and counts", "[cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string duration = "invalid duration";
  const std::vector<Case> cases = {
      {{"req", "a", "b", "--timeout", "inf"}, duration + " \"inf\" for --timeout"},
      {{"req", "a", "b", "--timeout", "nan"}, duration + " \"nan\" for --timeout"},
      {{"req", "a", "b", "--timeout", "1e30"}, duration + " \"1e30\" for --timeout"},
      {{"req", "a", "b", "--timeout", "-1s"}, duration + " \"-1s\" for --timeout"},
      {{"--connect-timeout", "0", "pub", "a", "b"}, duration + " \"0\" for --connect-timeout"},
      {{"--connect-timeout", "1e300m", "pub", "a", "b"}, duration + " \"1e300m\" for --connect-timeout"},
      {{"pub", "a", "b", "--count", "0"}, "--count: expected a whole number of 1 or more, got \"0\""},
      {{"pub", "a", "b", "--count", "-1"}, "--count: expected a whole number of 1 or more, got \"-1\""},
      {{"sub", "a", "--count", "-1"}, "--count: expected a whole number of 0 or more, got \"-1\""},
      {{"reply", "a", "b", "--count", "-2"}, "--count: expected a whole number of 0 or more, got \"-2\""},
  };
  for (const Case& c : cases)
    check_usage_error(c.args, c.message);
}

TEST_CASE("cli does not print credentials from the server URL", "[cli]") {
  for (const std::string url :
       {"nats://alice:s3cret@127.0.0.1:1", "nats://t0ken@127.0.0.1:1", "bad://x:s3cret@"}) {
    auto result = run_command({TERN_CLI_PATH, "-s", url, "pub", "a", "b"});
    INFO(url << " -> " << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("s3cret") == std::string::npos);
    CHECK(result.err.find("t0ken") == std::string::npos);
    CHECK(result.err.find("alice") == std::string::npos);
  }
  auto result = run_command({TERN_CLI_PATH, "-s", "nats://alice:s3cret@127.0.0.1:1", "pub", "a", "b"});
  CHECK(result.err.find("cannot connect to nats://127.0.0.1:1") != std::string::npos);
}
