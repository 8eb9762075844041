#include "server/signal_command.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace tern::server {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
    text.remove_suffix(1);
  return text;
}

std::optional<pid_t> parse_pid(std::string_view text) {
  pid_t pid = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, pid);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return pid;
}

// The process's own name as the kernel reports it, so that a renamed binary finds its own kind.
std::string own_process_name() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  if (!std::getline(comm, name) || name.empty()) return "ternd";
  return name;
}

// Go's syscall.Errno texts start in lower case ("no such process"); strerror's do not.
std::string errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

std::optional<int> signal_for_command(std::string_view command) {
  if (command == "ldm") return SIGUSR2;
  if (command == "stop") return SIGKILL;
  if (command == "quit") return SIGINT;
  if (command == "term") return SIGTERM;
  if (command == "reopen") return SIGUSR1;
  if (command == "reload") return SIGHUP;
  return std::nullopt;
}

std::variant<pid_t, std::string> resolve_pid_text(const std::string& pid_or_file) {
  std::string text = pid_or_file;
  if (std::ifstream file(pid_or_file); file) {
    text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  if (const auto pid = parse_pid(trim(text)); pid && *pid > 0) return *pid;
  return "invalid pid: " + text;
}

std::vector<pid_t> find_processes_named(std::string_view process_name, const std::string& proc_root) {
  std::vector<pid_t> pids;
  const std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(proc_root.c_str()), closedir);
  if (!dir) return pids;
  const pid_t self = getpid();
  while (const dirent* entry = readdir(dir.get())) {
    const auto pid = parse_pid(entry->d_name);
    if (!pid || *pid == self) continue;
    std::ifstream comm(proc_root + "/" + entry->d_name + "/comm");
    std::string name;
    // A process that ended since the directory was read has no comm any more; it is not running.
    if (std::getline(comm, name) && name == process_name) pids.push_back(*pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::optional<std::string> send_signal_command(const std::string& argument) {
  // nats-server splits on every '=': "ldm=1=2" is refused with the extra parts listed.
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t equals = argument.find('=', start);
    parts.push_back(argument.substr(start, equals - start));
    if (equals == std::string::npos) break;
    start = equals + 1;
  }
  if (parts.size() > 2) {
    std::string extra = "[";
    for (std::size_t i = 2; i < parts.size(); ++i)
      extra += (i > 2 ? " " : "") + parts[i];
    return "invalid signal parameters: " + extra + "]";
  }
  pid_t pid = 0;
  if (parts.size() == 2) {
    auto resolved = resolve_pid_text(parts[1]);
    if (auto* error = std::get_if<std::string>(&resolved)) return *error;
    pid = std::get<pid_t>(resolved);
  } else {
    const std::string name = own_process_name();
    const std::vector<pid_t> pids = find_processes_named(name);
    if (pids.empty()) return "no " + name + " processes running";
    if (pids.size() > 1) {
      std::string message = "multiple " + name + " processes running:";
      for (const pid_t found : pids)
        message += "\n" + std::to_string(found);
      return message;
    }
    pid = pids.front();
  }
  const std::optional<int> signal = signal_for_command(parts[0]);
  if (!signal) return "unknown signal \"" + parts[0] + "\"";
  if (::kill(pid, *signal) != 0) return errno_text(errno);
  return std::nullopt;
}

}  // namespace tern::server
