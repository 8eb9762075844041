#include "server/internal_client.h"

#include "protocol/subject.h"
#include "server/server.h"

namespace tern::server {

InternalClient::InternalClient(Server& server, std::string name)
    : Subscriber(server.next_internal_id()), server_(server), name_(std::move(name)) {
  publisher_.id = id();
}

InternalClient::~InternalClient() {
  for (auto& [key, entry] : subs_)
    server_.sublist().remove(entry.sub.get());
}

Subscription* InternalClient::subscribe(std::string_view subject, std::string_view queue, Handler handler) {
  if (!protocol::is_valid_subscription_subject(subject)) return nullptr;
  if (!queue.empty() && !protocol::is_valid_queue_name(queue)) return nullptr;
  auto sub = std::make_unique<Subscription>();
  sub->subscriber = this;
  sub->subject.assign(subject);
  sub->queue.assign(queue);
  sub->sid = std::to_string(next_sid_++);
  Subscription* added = sub.get();
  subs_.emplace(added, Entry{std::move(sub), std::make_shared<const Handler>(std::move(handler))});
  try {
    server_.sublist().insert(added);
  } catch (...) {
    subs_.erase(added);
    throw;
  }
  return added;
}

void InternalClient::unsubscribe(Subscription* sub) noexcept {
  const auto found = subs_.find(sub);
  if (found == subs_.end()) return;
  server_.sublist().remove(sub);
  // Freed at the end of the loop turn: a route in progress may still hold a result naming it.
  server_.retire(std::move(found->second.sub));
  subs_.erase(found);
}

void InternalClient::end_subscription(Subscription& sub) noexcept {
  unsubscribe(&sub);
}

RouteResult InternalClient::deliver_as(std::string_view route_subject, std::string_view subject,
                                       std::string_view reply, std::string_view payload,
                                       std::size_t header_size) {
  OwnedSizes sizes;
  counters_.count_in(payload.size());
  RoutedMessage msg = sizes.make(subject, reply, payload, header_size);
  msg.route_subject = route_subject;
  return server_.route(publisher_, msg);
}

std::uint32_t InternalClient::publish(std::string_view subject, std::string_view reply,
                                      std::string_view headers, std::string_view body,
                                      bool blank_reply_token) {
  // The routed payload is the header block and the body back to back: a copy only when both exist.
  std::string joined;
  std::string_view payload = body;
  if (!headers.empty()) {
    joined.reserve(headers.size() + body.size());
    joined.append(headers).append(body);
    payload = joined;
  }
  OwnedSizes sizes;
  counters_.count_in(payload.size());
  server_.counters().traffic.count_in(payload.size());
  server_.counters().in_msg_sizes.count(payload.size());
  RoutedMessage msg = sizes.make(subject, reply, payload, headers.size());
  msg.blank_reply_token = blank_reply_token && reply.empty();
  return server_.route(publisher_, msg).deliveries;
}

Delivery InternalClient::deliver(const Subscription& sub, const RoutedMessage& msg) noexcept {
  const auto found = subs_.find(&sub);
  if (found == subs_.end() || !*found->second.handler) return Delivery::kRefused;
  const std::shared_ptr<const Handler> handler = found->second.handler;
  counters_.count_out(1, msg.payload.size());
  server_.counters().traffic.count_out(1, msg.payload.size());
  try {
    (*handler)(sub, msg);
  } catch (const std::exception& e) {
    // A handler's failure is its own; the route goes on for the other receivers.
    server_.log().error(name_ + " - handler for " + sub.subject + " failed: " + e.what());
  }
  return Delivery::kDelivered;
}

}  // namespace tern::server
