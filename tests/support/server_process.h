// A server binary (nats-server or ternd) run as a child process for the length of a test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace tern::test {

struct ServerLaunch {
  // Path of the executable; nats-server and ternd take the same flags.
  std::string executable;
  // Flags added after `-a 127.0.0.1 -p -1 --ports_file_dir <dir>`.
  std::vector<std::string> extra_args;
  // When not empty, written to a file in the private temp dir and passed as `-c <file>`.
  std::string config_text;
  // How long the ports file may take to appear.
  std::chrono::milliseconds start_timeout{10000};
  // How long SIGTERM is given before SIGKILL.
  std::chrono::milliseconds stop_timeout{5000};
  // Words run before the executable, e.g. {"/usr/bin/prlimit", "--nofile=256:256"}; the first must be a
  // path. The wrapper must exec the server in place, so that the pid (and the ports file) is the server's.
  std::vector<std::string> command_prefix;
};

// Starts the server on a random port of 127.0.0.1 and learns the port from the ports file the server
// writes once it listens. The constructor throws std::runtime_error (carrying the server's log) when the
// server exits early or the ports file does not appear in time. The destructor stops and reaps the child
// and removes the private temp dir.
class ServerProcess {
 public:
  explicit ServerProcess(ServerLaunch launch);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  // The monitoring port from the ports file (the server was started with -m); 0 when there is none.
  int monitor_port() const;
  pid_t pid() const { return pid_; }
  const ServerLaunch& launch() const { return launch_; }
  // Everything the server wrote to stdout and stderr so far.
  std::string log_text() const;
  // True while the child has not exited (reaps it if it has).
  bool running();
  // SIGTERM, then SIGKILL after stop_timeout; reaps the child. Idempotent.
  void stop();
  // SIGKILL at once and reap the child: a crash, for tests of what survives one. Idempotent.
  void kill_hard();

 private:
  std::filesystem::path ports_file_path() const;
  // Returns 0 while the file is absent or incomplete.
  int read_port_from_ports_file() const;
  [[noreturn]] void fail_start(const std::string& reason);

  ServerLaunch launch_;
  std::filesystem::path temp_dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A fresh private directory under $TMPDIR (or /tmp); the caller removes it.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace tern::test
