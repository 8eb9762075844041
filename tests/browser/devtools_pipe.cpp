#include "tests/browser/devtools_pipe.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <simdjson.h>

#include "tests/support/server_process.h"

extern char** environ;

namespace tern::test {
namespace {

using Clock = std::chrono::steady_clock;

// Moves a descriptor above the range a child's dup2 targets (3 and 4) use, so that the two dup2 calls
// in the child cannot overwrite each other's source.
int move_high(int fd) {
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, 100);
  if (high < 0) throw std::system_error(errno, std::generic_category(), "fcntl F_DUPFD_CLOEXEC");
  close(fd);
  return high;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Waits up to `timeout` for the child to exit; true when it has been reaped.
bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const pid_t done = waitpid(pid, nullptr, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    // Polling a child's exit has no event to wait on without a signal handler; 10 ms keeps it cheap.
    poll(nullptr, 0, 10);
  }
}

}  // namespace

Chromium::Chromium(const std::string& executable, const std::vector<std::string>& extra_flags) {
  temp_dir_ = make_temp_dir("tern-chromium-");
  // Flags that let Chromium run headless as root with no display, no network of its own and no
  // first-run chatter; the profile is new and private.
  std::vector<std::string> args = {executable,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   "--hide-scrollbars",
                                   "--remote-debugging-pipe",
                                   "--user-data-dir=" + (temp_dir_ / "profile").string()};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  args.push_back("about:blank");

  int commands[2];
  int replies[2];
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  const int child_reads = move_high(commands[0]);
  const int child_writes = move_high(replies[1]);
  to_browser_ = commands[1];
  from_browser_ = replies[0];

  const std::string log_path = (temp_dir_ / "chromium.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_adddup2(&actions, child_reads, 3);
  posix_spawn_file_actions_adddup2(&actions, child_writes, 4);
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(child_reads);
  close(child_writes);
  if (rc != 0) {
    pid_ = -1;
    throw std::system_error(rc, std::generic_category(), "posix_spawn " + executable);
  }
}

Chromium::~Chromium() {
  if (pid_ > 0) {
    // Browser.close lets Chromium shut down its renderers itself; SIGKILL only if it does not.
    try {
      call("Browser.close", "{}", {}, std::chrono::milliseconds(3000));
    } catch (const std::exception&) {
      // The browser may close the pipe before answering; the wait below decides.
    }
    if (!wait_for_exit(pid_, std::chrono::milliseconds(5000))) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

std::string Chromium::call(std::string_view method, std::string_view params, std::string_view session,
                           std::chrono::milliseconds timeout) {
  const long id = next_id_++;
  std::string message = "{\"id\":" + std::to_string(id) + ",\"method\":\"" + std::string(method) +
                        "\",\"params\":" + std::string(params);
  if (!session.empty()) message += ",\"sessionId\":\"" + std::string(session) + "\"";
  message += "}";
  message.push_back('\0');
  if (!write_all(to_browser_, message)) throw std::runtime_error("chromium closed its pipe");

  const auto deadline = Clock::now() + timeout;
  simdjson::dom::parser parser;
  while (true) {
    std::vector<std::string> messages;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !read_messages(left, messages)) {
      throw std::runtime_error("no answer from chromium to " + std::string(method));
    }
    for (auto& text : messages) {
      simdjson::dom::element doc;
      if (parser.parse(text).get(doc) != simdjson::SUCCESS) {
        throw std::runtime_error("chromium sent bad JSON: " + text.substr(0, 200));
      }
      std::int64_t answer_id = 0;
      if (doc["id"].get(answer_id) != simdjson::SUCCESS) {
        events_.push_back(std::move(text));
        continue;
      }
      if (answer_id != id) continue;
      simdjson::dom::element error;
      if (doc["error"].get(error) == simdjson::SUCCESS) {
        throw std::runtime_error(std::string(method) + " failed: " + simdjson::to_string(error));
      }
      simdjson::dom::element result;
      if (doc["result"].get(result) != simdjson::SUCCESS) return "{}";
      return simdjson::to_string(result);
    }
  }
}

std::vector<std::string> Chromium::take_events() {
  std::vector<std::string> taken;
  taken.swap(events_);
  // Events may also be waiting in the pipe without any call pending.
  std::vector<std::string> more;
  while (read_messages(std::chrono::milliseconds(0), more)) {
  }
  simdjson::dom::parser parser;
  for (auto& text : more) {
    // Answers to calls that already gave up are dropped; only events (no "id") are kept.
    simdjson::dom::element doc;
    std::int64_t id = 0;
    if (parser.parse(text).get(doc) == simdjson::SUCCESS && doc["id"].get(id) != simdjson::SUCCESS) {
      taken.push_back(std::move(text));
    }
  }
  return taken;
}

std::string Chromium::log_text() const {
  std::ifstream in(temp_dir_ / "chromium.log", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Chromium::read_messages(std::chrono::milliseconds timeout, std::vector<std::string>& out) {
  pollfd entry{from_browser_, POLLIN, 0};
  const int ready = poll(&entry, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  char buffer[65536];
  const ssize_t n = read(from_browser_, buffer, sizeof buffer);
  if (n <= 0) return false;
  partial_.append(buffer, static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (std::size_t nul = partial_.find('\0'); nul != std::string::npos; nul = partial_.find('\0', start)) {
    out.push_back(partial_.substr(start, nul - start));
    start = nul + 1;
  }
  partial_.erase(0, start);
  return true;
}

}  // namespace tern::test
