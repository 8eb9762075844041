// A peer inside the server: it subscribes with handlers that run on the loop thread (for request
// subjects the server answers itself, such as the JetStream API, and for a stream capturing subjects),
// and publishes through the same routing as a client's PUB, with its own identity and counters, so
// echo, queue groups and headers behave the same whoever publishes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/counters.h"
#include "server/router.h"
#include "server/subscriber.h"
#include "server/subscription.h"

namespace tern::server {

class Server;

class InternalClient final : public Subscriber {
 public:
  // Runs for each message a subscription of this client receives, inside the publisher's routing: it
  // must not block. The message's views are valid only during the call.
  using Handler = std::function<void(const Subscription& sub, const RoutedMessage& msg)>;

  // `name` names the client in log lines. Precondition: `server` outlives the client.
  InternalClient(Server& server, std::string name);
  ~InternalClient() override;

  const std::string& name() const noexcept { return name_; }
  const TrafficCounters& counters() const noexcept { return counters_; }
  std::size_t subscription_count() const noexcept { return subs_.size(); }

  // Subscribes `handler` to `subject` (in queue group `queue` when not empty). Returns the subscription,
  // owned by this client, or null when the subject or queue is not valid.
  Subscription* subscribe(std::string_view subject, std::string_view queue, Handler handler);
  // Ends `sub`, a subscription of this client.
  void unsubscribe(Subscription* sub) noexcept;

  // Publishes `body` with the header block `headers` (empty, or a complete "NATS/1.0\r\n...\r\n\r\n"
  // block) through the server's routing. Returns the number of deliveries (0 for a publish made from
  // inside a delivery, which is routed once the outer route ends).
  // `blank_reply_token`: see RoutedMessage.
  std::uint32_t publish(std::string_view subject, std::string_view reply, std::string_view headers,
                        std::string_view body, bool blank_reply_token = false);

  // Routes a message whose header block and body are already back to back in `payload` (the first
  // `header_size` bytes are headers) to whoever `route_subject` reaches, framed with `subject`: a
  // consumer's delivery. Returns the route's result (deliveries and a congested receiver).
  RouteResult deliver_as(std::string_view route_subject, std::string_view subject, std::string_view reply,
                         std::string_view payload, std::size_t header_size);

  // Subscriber.
  Delivery deliver(const Subscription& sub, const RoutedMessage& msg) noexcept override;
  void end_subscription(Subscription& sub) noexcept override;

 private:
  struct Entry {
    std::unique_ptr<Subscription> sub;
    // Shared, so that a handler that unsubscribes itself is not destroyed while it runs.
    std::shared_ptr<const Handler> handler;
  };

  Server& server_;
  std::string name_;
  Publisher publisher_;
  // By subscription: every delivery looks its handler up here, and the JetStream client holds one
  // subscription per stream subject, so a linear search would cost a walk per stored message.
  std::unordered_map<const Subscription*, Entry> subs_;
  std::uint64_t next_sid_ = 1;
  TrafficCounters counters_;
};

}  // namespace tern::server
