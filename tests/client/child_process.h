// A command run as a child process with its standard streams on pipes, for the `tern` end-to-end
// tests: read its output as it comes, with deadlines, and collect its exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tern::client_test {

class ChildProcess {
 public:
  // Starts `argv[0]` with the arguments; `stdin_data` is written to its standard input, which is
  // then closed. Throws std::runtime_error when the process cannot be started.
  explicit ChildProcess(const std::vector<std::string>& argv, const std::string& stdin_data = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads until standard error contains `text`; false when the deadline passes or the process ends first.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout);
  // Waits for the exit and drains both pipes; std::nullopt on timeout (the process is then killed).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // Reads what is available on either pipe within `timeout`; false when both pipes are closed.
  bool pump(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::optional<int> exit_code_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (at most `timeout`, then it counts as a failure with exit code -1).
RunResult run_command(const std::vector<std::string>& argv, const std::string& stdin_data = {},
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

}  // namespace tern::client_test
