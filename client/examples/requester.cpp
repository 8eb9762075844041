// Asks the "time.now" service for the time, once blocking and once with a callback.
// Usage: requester [URL]
#include <future>
#include <iostream>

#include "client/client.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  auto client = tern::Client::connect(argc > 1 ? argv[1] : "nats://127.0.0.1:4222");
  if (!client) {
    std::cerr << "connect: " << client.error().message() << "\n";
    return 1;
  }
  auto reply = client->request("time.now", "", 2s).get();
  if (!reply) {
    // Errc::kNoResponders when no service runs, Errc::kTimeout when it did not answer in time.
    std::cerr << "request: " << reply.error().message() << "\n";
    return 1;
  }
  std::cout << "the time is " << reply->data << "\n";
  std::promise<void> answered;
  client->request("time.now", "", 2s, [&](tern::client::Expected<tern::client::Message> again) {
    std::cout << (again ? "and now " + again->data : again.error().message()) << "\n";
    answered.set_value();
  });
  answered.get_future().wait();
  return 0;
}
