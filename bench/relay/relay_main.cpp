// tern-relay [-a ADDR] [-p PORT|-1] [--ports_file_dir DIR]: runs the relay (see relay.h) until killed.
// The flags are nats-server's, and the ports file has its name and layout
// (DIR/tern-relay_<pid>.ports holding {"nats":["nats://ADDR:PORT"]}), so that scripts/bench starts
// it like the two servers.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include "bench/relay/relay.h"

namespace {

// Returns an empty string on success, else what failed.
std::string write_ports_file(const std::string& directory, const std::string& host, int port) {
  const std::string path = directory + "/tern-relay_" + std::to_string(getpid()) + ".ports";
  std::ofstream file(path);
  file << R"({"nats":["nats://)" << host << ':' << port << R"("]})" << '\n';
  file.close();
  if (!file) return "cannot write " + path;
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 4222;
  std::string ports_file_dir;
  CLI::App app("tern-relay: a bare libuv relay, the latency floor for tern-bench's latency and reqrep modes");
  app.add_option("-a,--addr", host, "Address to listen on")->capture_default_str();
  app.add_option("-p,--port", port, "Port to listen on (-1: any free port)")->capture_default_str();
  app.add_option("--ports_file_dir", ports_file_dir,
                 "Directory for the ports file, as nats-server writes it");
  CLI11_PARSE(app, argc, argv);

  // A peer that closes while we write must not kill the process; the write reports EPIPE instead.
  if (std::signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
    std::perror("tern-relay: ignoring SIGPIPE");
    return 1;
  }
  uv_loop_t loop;
  if (const int rc = uv_loop_init(&loop); rc != 0) {
    std::fprintf(stderr, "tern-relay: uv_loop_init: %s\n", uv_strerror(rc));
    return 1;
  }
  tern::bench::relay::Relay relay(&loop);
  if (const std::string error = relay.listen(host, port < 0 ? 0 : port); !error.empty()) {
    std::fprintf(stderr, "tern-relay: %s\n", error.c_str());
    return 1;
  }
  if (!ports_file_dir.empty()) {
    if (const std::string error = write_ports_file(ports_file_dir, host, relay.bound_port());
        !error.empty()) {
      std::fprintf(stderr, "tern-relay: %s\n", error.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "tern-relay: listening on %s:%d\n", host.c_str(), relay.bound_port());
  // Runs until the process is killed: there is nothing to drain or save.
  const int rc = uv_run(&loop, UV_RUN_DEFAULT);
  std::fprintf(stderr, "tern-relay: the loop ended (%d)\n", rc);
  return 1;
}
