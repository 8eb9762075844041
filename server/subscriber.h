// What a subscription delivers to. A client connection is one kind of subscriber; a leaf connection, an
// internal service handler or a stream that captures subjects are others. The router knows only this
// interface, so a new kind of peer is a new implementation, not a new friend of the connection.
#pragma once

#include <cstdint>

#include "server/routed_message.h"

namespace tern::server {

struct Subscription;

// The outcome of one delivery, as the router needs it.
enum class Delivery : std::uint8_t {
  kRefused,    // Nothing was delivered (closing, over budget); a queue group tries another member.
  kDelivered,  // Delivered.
  // Delivered, and the receiver now holds more than its high-water mark of undelivered bytes: the
  // publisher should pause (see Backpressure in docs/architecture.md).
  kDeliveredCongested,
};

class Subscriber {
 public:
  // A stable identity for the lifetime of the process (a client's cid), for the echo rule and for
  // finding a subscriber again from a deferred callback without holding a pointer to it.
  explicit Subscriber(std::uint64_t id) noexcept : id_(id) {}
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  std::uint64_t id() const noexcept { return id_; }

  // Delivers `msg` for `sub`, a subscription of this subscriber. Runs on the loop thread, inside the
  // publisher's routing: it must not block, and may publish only through Server::publish, which defers
  // a nested publish until the current one has been routed.
  virtual Delivery deliver(const Subscription& sub, const RoutedMessage& msg) noexcept = 0;

  // Ends `sub`, whose max_msgs was reached during a delivery. The subscription must stay allocated until
  // the end of the loop turn: the route that ended it may still hold a match result naming it.
  virtual void end_subscription(Subscription& sub) noexcept = 0;

 protected:
  virtual ~Subscriber() = default;

 private:
  const std::uint64_t id_;
};

}  // namespace tern::server
