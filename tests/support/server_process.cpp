#include "tests/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace tern::test {
namespace {

using Clock = std::chrono::steady_clock;

// Polling interval while waiting for the ports file or for the child to exit. Short enough that
// startup stays fast, long enough not to spin.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Extracts the port of the first "nats" URL from `{"nats":["nats://127.0.0.1:PORT"],...}`. A tiny
// ad-hoc scan is enough: the file is written by the server under test in one known shape.
// The port of the first URL under `key` in a ports file ({"nats":["nats://h:p"],"monitoring":[...]}).
int parse_ports_file_port(const std::string& json, std::string_view key_name, std::string_view scheme_text) {
  const auto key = json.find(key_name);
  if (key == std::string::npos) return 0;
  const auto scheme = json.find(scheme_text, key);
  if (scheme == std::string::npos) return 0;
  const auto url_end = json.find('"', scheme);
  if (url_end == std::string::npos) return 0;
  const auto colon = json.rfind(':', url_end);
  if (colon == std::string::npos || colon < scheme + scheme_text.size()) return 0;
  int port = 0;
  for (auto i = colon + 1; i < url_end; ++i) {
    if (json[i] < '0' || json[i] > '9') return 0;
    port = port * 10 + (json[i] - '0');
    if (port > 65535) return 0;
  }
  return port;
}

int parse_nats_port(const std::string& json) {
  return parse_ports_file_port(json, "\"nats\"", "nats://");
}

}  // namespace

std::filesystem::path make_temp_dir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return std::filesystem::path(buffer.data());
}

ServerProcess::ServerProcess(ServerLaunch launch) : launch_(std::move(launch)) {
  temp_dir_ = make_temp_dir("tern-server-");
  log_path_ = temp_dir_ / "server.log";

  std::vector<std::string> args = {launch_.executable, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir",
                                   temp_dir_.string()};
  if (!launch_.config_text.empty()) {
    const auto config_path = temp_dir_ / "server.conf";
    std::ofstream(config_path, std::ios::binary) << launch_.config_text;
    args.push_back("-c");
    args.push_back(config_path.string());
  }
  args.insert(args.end(), launch_.extra_args.begin(), launch_.extra_args.end());
  args.insert(args.begin(), launch_.command_prefix.begin(), launch_.command_prefix.end());

  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  const int spawn_error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    pid_ = -1;
    fail_start(std::string("posix_spawn failed: ") + std::strerror(spawn_error));
  }

  const auto deadline = Clock::now() + launch_.start_timeout;
  while (true) {
    port_ = read_port_from_ports_file();
    if (port_ != 0) return;
    if (!running()) fail_start("the server exited before writing its ports file");
    if (Clock::now() >= deadline) fail_start("no ports file within the start timeout");
    std::this_thread::sleep_for(kPollInterval);
  }
}

ServerProcess::~ServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

std::filesystem::path ServerProcess::ports_file_path() const {
  const auto base = std::filesystem::path(launch_.executable).filename().string();
  return temp_dir_ / (base + "_" + std::to_string(pid_) + ".ports");
}

int ServerProcess::read_port_from_ports_file() const {
  std::error_code error;
  const auto path = ports_file_path();
  if (!std::filesystem::exists(path, error)) return 0;
  // The file may be observed while it is still being written; an incomplete one simply does not parse
  // yet and is read again on the next poll.
  return parse_nats_port(read_whole_file(path));
}

int ServerProcess::monitor_port() const {
  return parse_ports_file_port(read_whole_file(ports_file_path()), "\"monitoring\"", "http://");
}

std::string ServerProcess::log_text() const {
  return read_whole_file(log_path_);
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_ || (result < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ServerProcess::stop() {
  if (!running()) return;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + launch_.stop_timeout;
  while (Clock::now() < deadline) {
    if (!running()) return;
    std::this_thread::sleep_for(kPollInterval);
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::kill_hard() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::fail_start(const std::string& reason) {
  const std::string log = log_text();
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
  throw std::runtime_error("cannot start " + launch_.executable + ": " + reason + "\n--- server log ---\n" +
                           log);
}

}  // namespace tern::test
