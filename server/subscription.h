// One subscription of one subscriber (a client connection or an internal one). Owned by its subscriber;
// the subject index holds non-owning pointers to it between Sublist::insert and Sublist::remove.
#pragma once

#include <cstdint>
#include <string>

namespace tern::server {

class Subscriber;

struct Subscription {
  Subscriber* subscriber = nullptr;  // Null only in tests of the subject index.
  std::string subject;               // Valid subscription subject.
  std::string queue;                 // Empty for a plain subscription.
  std::string sid;                   // The subscriber's id for it, echoed in MSG frames.
  std::uint64_t max_msgs = 0;        // Deliveries after which it ends; 0 means no limit.
  std::uint64_t delivered = 0;       // Messages delivered so far.
  // The subject index's bookkeeping: this subscription's position in its node's list, so that removing
  // it costs O(1) however many subscriptions share its subject.
  std::uint32_t index_position = 0;
};

}  // namespace tern::server
