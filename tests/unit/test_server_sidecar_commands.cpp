// The pure parts of `ternd --healthcheck` (what to probe) and `ternd -sl` (which signal, which process).
// tests/protocol/test_sidecar_commands.cpp runs both against real servers.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "server/healthcheck.h"
#include "server/signal_command.h"

using namespace tern::server;

namespace {

HealthTarget target_of(const Options& options, std::string_view url) {
  auto target = health_target(options, url);
  if (auto* error = std::get_if<std::string>(&target)) FAIL("unexpected error: " << *error);
  return std::get<HealthTarget>(target);
}

std::string error_of(const Options& options, std::string_view url) {
  auto target = health_target(options, url);
  if (!std::holds_alternative<std::string>(target)) FAIL("expected an error for " << url);
  return std::get<std::string>(target);
}

// A private directory that removes itself.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "tern-sidecar-XXXXXX").string();
    REQUIRE(mkdtemp(name.data()) != nullptr);
    path = name;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("healthcheck: with no URL, the configured server, and /healthz once monitoring is on") {
  Options options;
  options.host = "0.0.0.0";
  options.port = 4333;
  HealthTarget target = target_of(options, "");
  CHECK(target.kind == HealthTarget::Kind::kNats);
  CHECK(target.url() == "nats://127.0.0.1:4333");

  options.http_port = 8333;
  options.http_base_path = "nats/";
  target = target_of(options, "");
  CHECK(target.kind == HealthTarget::Kind::kHttp);
  CHECK(target.url() == "http://127.0.0.1:8333/nats/healthz");

  options.host = "::";
  options.http_port = -1;  // A random monitoring port cannot be probed: the client port is.
  CHECK(target_of(options, "").url() == "nats://[::1]:4333");

  options.port = -1;
  CHECK(error_of(options, "") == "the client port is chosen at random (-1): give the probe a URL");
}

TEST_CASE("healthcheck: the configured plain-text credentials are presented, bcrypt hashes cannot be") {
  Options options;
  options.authorization.user = "app";
  options.authorization.password = "secret";
  HealthTarget target = target_of(options, "");
  CHECK(target.user == "app");
  CHECK(target.password == "secret");
  options.authorization.password = "$2a$11$abcdefghijklmnopqrstuu";
  CHECK(target_of(options, "").user.empty());
}

TEST_CASE("healthcheck: URLs") {
  const Options options;
  CHECK(target_of(options, "nats://127.0.0.1:4000").url() == "nats://127.0.0.1:4000");
  CHECK(target_of(options, "127.0.0.1:4001").url() == "nats://127.0.0.1:4001");
  CHECK(target_of(options, "tcp://localhost").url() == "nats://127.0.0.1:4222");
  CHECK(target_of(options, "http://localhost").url() == "http://127.0.0.1:8222/healthz");
  CHECK(target_of(options, "http://[::1]:9000/nats/healthz?js-enabled-only=true").url() ==
        "http://[::1]:9000/nats/healthz?js-enabled-only=true");
  const HealthTarget with_user = target_of(options, "nats://me:pw@127.0.0.1:4002");
  CHECK(with_user.user == "me");
  CHECK(with_user.password == "pw");
  CHECK(target_of(options, "nats://tok@127.0.0.1").token == "tok");

  CHECK(error_of(options, "https://127.0.0.1:8222/") ==
        "unsupported URL \"https://127.0.0.1:8222/\": use nats://host:port or http://host:port/path");
  CHECK(error_of(options, "nats.example.com:4222") ==
        "the host in \"nats.example.com:4222\" must be an IP address or localhost (names are not resolved)");
  CHECK(error_of(options, "nats://127.0.0.1:0") == "bad port in \"nats://127.0.0.1:0\"");
  CHECK(error_of(options, "nats://127.0.0.1:65536") == "bad port in \"nats://127.0.0.1:65536\"");
  CHECK(error_of(options, "nats://127.0.0.1:4222/x") ==
        "a nats:// URL has no path: \"nats://127.0.0.1:4222/x\"");
  CHECK(error_of(options, "http://[::1") == "bad address in \"http://[::1\"");
  CHECK(error_of(options, "http://:80/") == "no host in \"http://:80/\"");
}

TEST_CASE("healthcheck: nothing listening is unhealthy, with the reason") {
  // Port 1 on loopback: nothing listens there on a test machine, and the kernel refuses at once.
  HealthTarget target;
  target.host = "127.0.0.1";
  target.port = 1;
  const HealthReport report = probe_health(target);
  CHECK_FALSE(report.healthy);
  CHECK(report.detail == "Connection refused");
}

TEST_CASE("signal: nats-server's commands") {
  CHECK(signal_for_command("ldm") == SIGUSR2);
  CHECK(signal_for_command("stop") == SIGKILL);
  CHECK(signal_for_command("quit") == SIGINT);
  CHECK(signal_for_command("term") == SIGTERM);
  CHECK(signal_for_command("reopen") == SIGUSR1);
  CHECK(signal_for_command("reload") == SIGHUP);
  CHECK_FALSE(signal_for_command("LDM").has_value());
  CHECK_FALSE(signal_for_command("").has_value());
}

TEST_CASE("signal: the pid is a number or a file holding one") {
  const TempDir dir;
  CHECK(std::get<pid_t>(resolve_pid_text("4321")) == 4321);
  write_file(dir.path / "ternd.pid", "1234\n");
  CHECK(std::get<pid_t>(resolve_pid_text((dir.path / "ternd.pid").string())) == 1234);
  write_file(dir.path / "bad.pid", "12ab");
  CHECK(std::get<std::string>(resolve_pid_text((dir.path / "bad.pid").string())) == "invalid pid: 12ab");
  CHECK(std::get<std::string>(resolve_pid_text("/nonexistent/ternd.pid")) ==
        "invalid pid: /nonexistent/ternd.pid");
  CHECK(std::get<std::string>(resolve_pid_text("0")) == "invalid pid: 0");
  CHECK(std::get<std::string>(resolve_pid_text("-5")) == "invalid pid: -5");
}

TEST_CASE("signal: other processes are found by their exact name, never this one") {
  const TempDir proc;
  write_file(proc.path / "7" / "comm", "ternd\n");
  write_file(proc.path / "12" / "comm", "ternd\n");
  write_file(proc.path / "13" / "comm", "ternd-helper\n");
  write_file(proc.path / "14" / "comm", "nats-server\n");
  write_file(proc.path / std::to_string(getpid()) / "comm", "ternd\n");
  write_file(proc.path / "self" / "comm", "ternd\n");
  std::filesystem::create_directories(proc.path / "15");  // Ended between readdir and reading comm.
  CHECK(find_processes_named("ternd", proc.path.string()) == std::vector<pid_t>{7, 12});
  CHECK(find_processes_named("nats-server", proc.path.string()) == std::vector<pid_t>{14});
  CHECK(find_processes_named("tern", proc.path.string()).empty());
}

TEST_CASE("signal: errors in nats-server's words") {
  CHECK(send_signal_command("ldm=1=2=3") == std::optional<std::string>("invalid signal parameters: [2 3]"));
  CHECK(send_signal_command("ldm=abc") == std::optional<std::string>("invalid pid: abc"));
  // The pid is resolved before the command is checked, as in nats-server.
  CHECK(send_signal_command("bogus=12345") == std::optional<std::string>("unknown signal \"bogus\""));
  // Beyond pid_max (at most 2^22 on Linux): no such process.
  CHECK(send_signal_command("reload=999999999") == std::optional<std::string>("no such process"));
}
