// A service answering requests on "time.now" in a queue group, so several copies share the load.
// Usage: service [URL]
#include <chrono>
#include <csignal>
#include <iostream>

#include "client/client.h"

int main(int argc, char** argv) {
  auto client = tern::Client::connect(argc > 1 ? argv[1] : "nats://127.0.0.1:4222");
  if (!client) {
    std::cerr << "connect: " << client.error().message() << "\n";
    return 1;
  }
  tern::Client& service = *client;
  auto sub = service.queue_subscribe("time.now", "time-service", [&service](tern::client::Message request) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    if (!request.reply.empty()) service.publish(request.reply, std::to_string(seconds));
  });
  if (!sub) {
    std::cerr << "subscribe: " << sub.error().message() << "\n";
    return 1;
  }
  std::cout << "serving time.now; Ctrl-C to stop\n";
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int received = 0;
  sigwait(&signals, &received);
  return service.drain() ? 1 : 0;
}
