// ternd: parses the command line and configuration, then runs the server until SIGINT or SIGTERM; or,
// asked to, signals a running ternd (-sl) or probes one (--healthcheck) and exits.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <variant>

#include "server/healthcheck.h"
#include "server/log.h"
#include "server/options.h"
#include "server/server.h"
#include "server/signal_command.h"

namespace {

// Exit codes of --healthcheck: what container runtimes and Kubernetes exec probes read.
constexpr int kHealthy = 0;
constexpr int kUnhealthy = 1;

int run_healthcheck(const tern::server::Options& options, const std::string& url) {
  using namespace tern::server;
  auto target = health_target(options, url);
  if (auto* error = std::get_if<std::string>(&target)) {
    std::fprintf(stderr, "ternd: healthcheck: %s\n", error->c_str());
    return kUnhealthy;
  }
  const HealthTarget& where = std::get<HealthTarget>(target);
  const HealthReport report = probe_health(where);
  std::FILE* stream = report.healthy ? stdout : stderr;
  std::fprintf(stream, "ternd: healthcheck: %s %s: %s\n", where.url().c_str(),
               report.healthy ? "healthy" : "unhealthy", report.detail.c_str());
  return report.healthy ? kHealthy : kUnhealthy;
}

}  // namespace

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
  if (request.command.signal) {
    if (auto error = send_signal_command(*request.command.signal)) {
      std::fprintf(stderr, "ternd: %s\n", error->c_str());
      return 1;
    }
    return 0;
  }
  if (request.command.healthcheck) return run_healthcheck(options, *request.command.healthcheck);

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
