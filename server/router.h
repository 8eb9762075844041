// Routing one published message: the subscriptions its subject reaches, each plain subscriber once and
// each queue group once (one member, picked at random). A function of its inputs only (the index, the
// publisher's identity and cache, the message): no sockets, no connection internals, so a client's PUB,
// a leaf connection's message and the server's own publishes all take the same path, and it is
// unit-tested on its own.
#pragma once

#include <cstdint>

#include "server/fast_random.h"
#include "server/publish_cache.h"
#include "server/routed_message.h"
#include "server/sublist.h"

namespace tern::server {

class Subscriber;

// Who publishes.
struct Publisher {
  // The publisher's Subscriber::id(), which the echo rule compares with each receiver's.
  std::uint64_t id = 0;
  // False: the publisher's own subscriptions do not receive what it publishes (CONNECT's echo).
  bool echo = true;
  PublishCache cache;
};

struct RouteResult {
  std::uint32_t deliveries = 0;
  // A receiver other than the publisher that was left above its high-water mark, if any: the publisher
  // should pause until it drains. One is enough to wait on; the next route finds any other.
  Subscriber* congested = nullptr;
};

// Delivers `msg` to every subscription its subject reaches, except the publisher's own when it has echo
// off. Subscriptions whose max_msgs is reached are ended through their subscriber. Any subject bytes are
// accepted: one with an empty token reaches nothing.
RouteResult route(Sublist& index, Publisher& publisher, const RoutedMessage& msg, FastRandom& random);

}  // namespace tern::server
