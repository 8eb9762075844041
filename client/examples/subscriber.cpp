// Prints the messages published on greetings.> until 10 have arrived. Usage: subscriber [URL]
#include <future>
#include <iostream>

#include "client/client.h"

int main(int argc, char** argv) {
  auto client = tern::Client::connect(argc > 1 ? argv[1] : "nats://127.0.0.1:4222");
  if (!client) {
    std::cerr << "connect: " << client.error().message() << "\n";
    return 1;
  }
  std::promise<void> done;
  int count = 0;
  // The handler runs on the client's I/O thread, one message at a time.
  auto sub = client->subscribe("greetings.>", [&](tern::client::Message message) {
    std::cout << "[" << ++count << "] " << message.subject << ": " << message.data << "\n";
    if (count == 10) done.set_value();
  });
  if (!sub) {
    std::cerr << "subscribe: " << sub.error().message() << "\n";
    return 1;
  }
  done.get_future().wait();
  // The subscription ends when `sub` goes out of scope; drain lets in-flight messages finish.
  client->drain();
  return 0;
}
