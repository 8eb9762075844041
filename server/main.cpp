// ternd: parses the command line and configuration, then runs the server until SIGINT or SIGTERM.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <variant>

#include "server/log.h"
#include "server/options.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace tern::server;
  auto parsed = parse_command_line(argc, argv);
  if (auto* early = std::get_if<EarlyExit>(&parsed)) {
    std::FILE* stream = early->stream == EarlyExit::Stream::kStdout ? stdout : stderr;
    std::fputs(early->text.c_str(), stream);
    return early->exit_code;
  }
  auto& request = std::get<RunRequest>(parsed);
  Options& options = request.loaded.options;

  // A peer that closes while we write must not kill the process; the write reports EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  // Every client is a descriptor: take the whole hard limit, as nats-server (Go) does, rather than the
  // soft 1024 a shell usually hands down.
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }

  Logger log;
  if (auto error =
          log.configure(LogSettings{options.log_file, options.logtime, options.debug, options.trace})) {
    std::fprintf(stderr, "ternd: %s\n", error->c_str());
    return 1;
  }
  for (const auto& warning : request.loaded.warnings)
    log.warn(warning);
  Server server(std::move(options), log, request.flags);
  if (const std::string error = server.start(); !error.empty()) {
    log.fatal(error);
    return 1;
  }
  return server.run();
}
