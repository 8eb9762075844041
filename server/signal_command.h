// `ternd -sl/--signal command[=pid]`: sends a signal to a running ternd, as nats-server's -sl does, so that
// an operator or a Kubernetes preStop hook can put the server in lame-duck mode, reload it or stop it
// without a shell or kill(1) in the container.
#pragma once

#include <csignal>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <sys/types.h>

namespace tern::server {

// nats-server's commands and the signals they send.
//   ldm: SIGUSR2   stop: SIGKILL   quit: SIGINT   term: SIGTERM   reopen: SIGUSR1   reload: SIGHUP
std::optional<int> signal_for_command(std::string_view command);

// The pid part of the argument: a pid, or a file holding one (as ternd -P writes it). As nats-server,
// the text is read from the file when a file of that name can be read, else taken as the pid itself.
// Surrounding whitespace is ignored (a pid file written by hand may end with a newline).
std::variant<pid_t, std::string> resolve_pid_text(const std::string& pid_or_file);

// The pids of the other running processes whose name (/proc/PID/comm) is `process_name`, in ascending
// order. nats-server asks pgrep; a container built FROM scratch has no pgrep, so /proc is read directly.
std::vector<pid_t> find_processes_named(std::string_view process_name,
                                        const std::string& proc_root = "/proc");

// Sends the signal that `argument` ("command" or "command=pid|pidfile") names. Without a pid, the one
// other running process named like this one is signalled; none or several is an error, as in nats-server.
// Returns an error message in nats-server's words, or nothing when the signal was sent.
std::optional<std::string> send_signal_command(const std::string& argument);

}  // namespace tern::server
