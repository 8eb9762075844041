// `ternd --healthcheck` and `ternd -sl` against running ternd servers: exit codes, messages, and what the
// signalled server does.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/client/child_process.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"

using tern::client_test::run_command;
using tern::test::Millis;
using tern::test::RawConnection;
using tern::test::ServerLaunch;
using tern::test::ServerProcess;
using namespace std::chrono_literals;

namespace {

ServerLaunch ternd(std::vector<std::string> extra_args = {}, std::string config = {},
                   std::string executable = TERN_TERND_PATH) {
  ServerLaunch launch;
  launch.executable = std::move(executable);
  launch.extra_args = std::move(extra_args);
  launch.config_text = std::move(config);
  return launch;
}

tern::client_test::RunResult ternd_command(std::vector<std::string> args,
                                           const std::string& executable = TERN_TERND_PATH) {
  args.insert(args.begin(), executable);
  return run_command(args, {}, 10s);
}

std::string nats_url(int port) {
  return "nats://127.0.0.1:" + std::to_string(port);
}

// Waits for the server process to end, for at most `timeout`.
bool wait_until_stopped(ServerProcess& server, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (server.running()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A listening socket on 127.0.0.1 that accepts (in the kernel's backlog) and never answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("healthcheck: PING/PONG on the client port, /healthz on the monitoring port", "[sidecar]") {
  ServerProcess server(ternd({"-m", "-1"}));
  auto nats = ternd_command({"--healthcheck", nats_url(server.port())});
  CHECK(nats.exit_code == 0);
  CHECK(nats.out == "ternd: healthcheck: " + nats_url(server.port()) + " healthy: PONG\n");

  const std::string healthz = "http://127.0.0.1:" + std::to_string(server.monitor_port()) + "/healthz";
  auto http = ternd_command({"--healthcheck", healthz});
  CHECK(http.exit_code == 0);
  CHECK(http.out == "ternd: healthcheck: " + healthz + " healthy: HTTP 200 {\"status\":\"ok\"}\n");

  // No URL: the server the flags describe; with -m, its /healthz.
  auto configured = ternd_command(
      {"-p", std::to_string(server.port()), "-m", std::to_string(server.monitor_port()), "--healthcheck"});
  CHECK(configured.exit_code == 0);
  CHECK(configured.out == "ternd: healthcheck: " + healthz + " healthy: HTTP 200 {\"status\":\"ok\"}\n");

  const std::string missing = "http://127.0.0.1:" + std::to_string(server.monitor_port()) + "/nothing";
  auto not_found = ternd_command({"--healthcheck", missing});
  CHECK(not_found.exit_code == 1);
  CHECK(not_found.err == "ternd: healthcheck: " + missing + " unhealthy: HTTP 404 404 page not found\n");

  const int port = server.port();
  server.stop();
  auto down = ternd_command({"--healthcheck", nats_url(port)});
  CHECK(down.exit_code == 1);
  CHECK(down.err == "ternd: healthcheck: " + nats_url(port) + " unhealthy: Connection refused\n");
}

TEST_CASE("healthcheck: credentials, and an authorization error is unhealthy", "[sidecar]") {
  ServerProcess server(ternd({}, "authorization { token: s3cret }\n"));
  auto without = ternd_command({"--healthcheck", nats_url(server.port())});
  CHECK(without.exit_code == 1);
  CHECK(without.err == "ternd: healthcheck: " + nats_url(server.port()) +
                           " unhealthy: the server answered -ERR 'Authorization Violation'\n");
  auto with_url_token =
      ternd_command({"--healthcheck", "nats://s3cret@127.0.0.1:" + std::to_string(server.port())});
  CHECK(with_url_token.exit_code == 0);
  // The configured token, with no URL: the same flags as the server's.
  auto from_flags = ternd_command({"-p", std::to_string(server.port()), "--auth", "s3cret", "--healthcheck"});
  CHECK(from_flags.exit_code == 0);
}

TEST_CASE("healthcheck: a server that never answers is unhealthy within the timeout", "[sidecar]") {
  SilentListener silent;
  const auto started = std::chrono::steady_clock::now();
  auto result = ternd_command({"--healthcheck", nats_url(silent.port())});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(result.exit_code == 1);
  CHECK(result.err ==
        "ternd: healthcheck: " + nats_url(silent.port()) + " unhealthy: waiting for an answer: timed out\n");
  CHECK(elapsed >= 1900ms);
  CHECK(elapsed < 5s);
}

TEST_CASE("healthcheck: a URL it cannot use is an error, exit 1", "[sidecar]") {
  auto result = ternd_command({"--healthcheck", "https://127.0.0.1/"});
  CHECK(result.exit_code == 1);
  CHECK(result.err ==
        "ternd: healthcheck: unsupported URL \"https://127.0.0.1/\": use nats://host:port or "
        "http://host:port/path\n");
}

TEST_CASE("signal: -sl ldm=PID: clients get an INFO with \"ldm\":true and the server goes down",
          "[sidecar][lame-duck]") {
  ServerProcess server(ternd({}, "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"300ms\"\n"));
  RawConnection client(server.port());
  client.read_info_line();
  REQUIRE(client.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"));
  REQUIRE(client.expect("PONG\r\n", Millis(5000)).matched);

  auto result = ternd_command({"-sl", "ldm=" + std::to_string(server.pid())});
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  CHECK(result.err.empty());
  const auto line = client.read_line(Millis(5000));
  REQUIRE(line.has_value());
  const auto fields = tern::test::parse_info_fields(*line + "\r\n");
  CHECK(tern::test::info_field(fields, "ldm") == std::optional<std::string>("true"));
  CHECK(client.expect_closed(Millis(10000)).closed);
  CHECK(wait_until_stopped(server, 10s));
  CHECK(server.log_text().find("Entering lame duck mode") != std::string::npos);
}

TEST_CASE("signal: -sl term=PIDFILE stops the server, then there is no such process", "[sidecar]") {
  const auto dir = tern::test::make_temp_dir("tern-sl");
  const std::string pid_file = (dir / "ternd.pid").string();
  ServerProcess server(ternd({"-P", pid_file}));
  REQUIRE(std::filesystem::exists(pid_file));
  const pid_t pid = server.pid();
  auto result = ternd_command({"--signal", "term=" + pid_file});
  CHECK(result.exit_code == 0);
  CHECK(wait_until_stopped(server, 5s));
  CHECK(server.log_text().find("Server Exiting") != std::string::npos);
  // The pid file went with the server: the argument is then taken as a pid, as nats-server does.
  auto again = ternd_command({"--signal", "term=" + pid_file});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "ternd: invalid pid: " + pid_file + "\n");
  auto gone = ternd_command({"--signal", "quit=" + std::to_string(pid)});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err == "ternd: no such process\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("signal: -sl without a pid signals the one running process named like itself", "[sidecar]") {
  // A copy of ternd under a name of its own, so that other tests' servers are not found.
  const auto dir = tern::test::make_temp_dir("tern-sl-name");
  const std::string name = "tsl" + std::to_string(getpid() % 1000000);
  const std::string copy = (dir / name).string();
  std::filesystem::copy_file(TERN_TERND_PATH, copy);
  std::filesystem::permissions(copy, std::filesystem::perms::owner_all);

  auto none = ternd_command({"-sl", "ldm"}, copy);
  CHECK(none.exit_code == 1);
  CHECK(none.err == "ternd: no " + name + " processes running\n");

  ServerProcess first(ternd({}, {}, copy));
  {
    ServerProcess second(ternd({}, {}, copy));
    auto several = ternd_command({"-sl", "ldm"}, copy);
    CHECK(several.exit_code == 1);
    const pid_t low = std::min(first.pid(), second.pid());
    const pid_t high = std::max(first.pid(), second.pid());
    CHECK(several.err == "ternd: multiple " + name + " processes running:\n" + std::to_string(low) + "\n" +
                             std::to_string(high) + "\n");
  }
  auto one = ternd_command({"-sl", "ldm"}, copy);
  CHECK(one.exit_code == 0);
  CHECK(wait_until_stopped(first, 10s));
  CHECK(first.log_text().find("Entering lame duck mode") != std::string::npos);
  std::filesystem::remove_all(dir);
}
