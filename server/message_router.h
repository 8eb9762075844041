// Routes one published message: matches its subject once (through the publisher's own one-entry
// cache in front of the shared index), then appends a MSG or HMSG frame to each receiver's queue.
// Receivers are flushed later, once per loop turn, by the server.
#pragma once

#include "protocol/parser.h"

namespace tern::server {

class ClientConnection;
class Server;
struct Subscription;

class MessageRouter {
 public:
  MessageRouter(Server& server, ClientConnection& publisher) noexcept
      : server_(server), publisher_(publisher) {}

  // Precondition: `op` is a PUB or HPUB from the publisher, which is not closing.
  void route(const protocol::Op& op);

 private:
  // Appends the frame for `sub`; false when nothing was delivered (echo off, receiver closing or
  // over its budget, or the subscription's max already reached).
  bool deliver(Subscription& sub, const protocol::Op& op);

  Server& server_;
  ClientConnection& publisher_;
  // The payload size without headers, as digits, for receivers that did not ask for headers.
  char stripped_size_[24];
  std::size_t stripped_size_len_ = 0;
};

}  // namespace tern::server
