// Publishes a few messages on greetings.world, with and without headers. Usage: publisher [URL]
#include <iostream>

#include "client/client.h"

int main(int argc, char** argv) {
  auto client = tern::Client::connect(argc > 1 ? argv[1] : "nats://127.0.0.1:4222");
  if (!client) {
    std::cerr << "connect: " << client.error().message() << "\n";
    return 1;
  }
  for (int i = 1; i <= 3; ++i) {
    if (auto error = client->publish("greetings.world", "hello #" + std::to_string(i))) {
      std::cerr << "publish: " << error.message() << "\n";
      return 1;
    }
  }
  tern::client::Headers headers;
  headers.add("Language", "en");
  client->publish("greetings.world", headers, "hello with headers");
  // Publishing only queues; a flush makes sure the server has everything before we exit.
  if (auto error = client->flush()) {
    std::cerr << "flush: " << error.message() << "\n";
    return 1;
  }
  return 0;
}
